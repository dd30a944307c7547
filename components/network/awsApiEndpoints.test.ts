// The pure decisions of the AWS API endpoints: which endpoints, where, with which policy.
import { strict as assert } from "assert";
import {
    ENDPOINT_NEEDS,
    RETARGET_LAMBDA_AWS_APIS,
    STREAMS_TASK_AWS_APIS,
    awsApiAccessSummary,
    endpointServiceName,
    endpointServices,
    interfaceEndpointPolicy,
    onePerAvailabilityZone,
    s3GatewayEndpointPolicy,
} from "./awsApiEndpoints";

const streams = { label: "Kafka Streams batch_release tasks", services: STREAMS_TASK_AWS_APIS };
const lambda = { label: "MySQL failover re-targeting Lambda", services: RETARGET_LAMBDA_AWS_APIS };

describe("network: the AWS API endpoints the workloads need", () => {
    it("a Fargate task pulling from ECR with Secrets Manager secrets and awslogs: ecr.api, ecr.dkr, secretsmanager, logs + the S3 gateway", () => {
        assert.deepEqual(endpointServices([streams]), { interfaces: ["ecr.api", "ecr.dkr", "logs", "secretsmanager"], gateways: ["s3"] });
    });

    it("the failover Lambda adds rds and elasticloadbalancing; shared needs appear once; no STS (no workload assumes a role itself)", () => {
        const both = endpointServices([streams, lambda, streams]);
        assert.deepEqual(both.interfaces, ["ecr.api", "ecr.dkr", "elasticloadbalancing", "logs", "rds", "secretsmanager"]);
        assert.deepEqual(both.gateways, ["s3"]);
        assert.ok(!both.interfaces.includes("sts" as never));
        assert.deepEqual(endpointServices([]), { interfaces: [], gateways: [] });
    });

    it("every endpoint cites the AWS page of its need", () => {
        for (const s of [...STREAMS_TASK_AWS_APIS, ...RETARGET_LAMBDA_AWS_APIS]) assert.match(ENDPOINT_NEEDS[s], /^https:\/\/docs\.aws\.amazon\.com\//, s);
    });

    it("service names are com.amazonaws.<region>.<service>", () => {
        assert.equal(endpointServiceName("eu-central-1", "ecr.dkr"), "com.amazonaws.eu-central-1.ecr.dkr");
        assert.equal(endpointServiceName("us-east-1", "s3"), "com.amazonaws.us-east-1.s3");
    });

    it("one subnet per availability zone, the first listed of each, in the order given", () => {
        assert.deepEqual(
            onePerAvailabilityZone([
                { id: "subnet-1", availabilityZone: "eu-central-1a" },
                { id: "subnet-2", availabilityZone: "eu-central-1b" },
                { id: "subnet-3", availabilityZone: "eu-central-1a" },
                { id: "subnet-4", availabilityZone: "eu-central-1c" },
            ]),
            ["subnet-1", "subnet-2", "subnet-4"],
        );
        assert.deepEqual(onePerAvailabilityZone([]), []);
    });

    it("interface endpoint policy: the service's actions, for principals of this account only", () => {
        const policy = interfaceEndpointPolicy("secretsmanager", "123456789012") as any;
        assert.equal(policy.Statement.length, 1);
        assert.deepEqual(policy.Statement[0], {
            Sid: "PrincipalsOfThisAccount",
            Effect: "Allow",
            Principal: "*",
            Action: "secretsmanager:*",
            Resource: "*",
            Condition: { StringEquals: { "aws:PrincipalAccount": "123456789012" } },
        });
        assert.equal((interfaceEndpointPolicy("ecr.dkr", "1") as any).Statement[0].Action, "ecr:*");
        assert.equal((interfaceEndpointPolicy("elasticloadbalancing", "1") as any).Statement[0].Action, "elasticloadbalancing:*");
    });

    it("S3 gateway policy: ECR's documented layer bucket of the region (read only), and this account's principals", () => {
        const policy = s3GatewayEndpointPolicy("eu-central-1", "123456789012") as any;
        assert.deepEqual(policy.Statement[0], {
            Sid: "EcrImageLayers",
            Effect: "Allow",
            Principal: "*",
            Action: ["s3:GetObject"],
            Resource: ["arn:aws:s3:::prod-eu-central-1-starport-layer-bucket/*"],
        });
        assert.deepEqual(policy.Statement[1].Condition, { StringEquals: { "aws:PrincipalAccount": "123456789012" } });
        assert.equal(policy.Statement.length, 2);
    });

    it("the summary says with nat that nothing is created and what the NAT must carry; with endpoints which ones exist", () => {
        const nat = awsApiAccessSummary("nat", [streams]);
        assert.deepEqual(nat.endpoints, []);
        assert.match(nat.note, /creates no VPC endpoints.*Kafka Streams batch_release tasks: ecr\.api, ecr\.dkr, logs, secretsmanager, s3$/);
        const endpoints = awsApiAccessSummary("endpoints", [streams, lambda]);
        assert.deepEqual(endpoints.endpoints, [
            "ecr.api (interface)",
            "ecr.dkr (interface)",
            "elasticloadbalancing (interface)",
            "logs (interface)",
            "rds (interface)",
            "secretsmanager (interface)",
            "s3 (gateway)",
        ]);
    });
});
