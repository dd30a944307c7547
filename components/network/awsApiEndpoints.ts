// The VPC endpoints through which the workloads in the private subnets reach the AWS APIs
// (network.awsApiAccess endpoints): interface endpoints with private DNS behind one security
// group that admits HTTPS from the workloads' and deploy runners' security groups by reference,
// an S3 gateway endpoint on the subnets' route tables, and endpoint policies that admit this
// account's principals only (plus ECR's layer bucket, which is AWS's).
//   Fargate + ECR over endpoints (ecr.api, ecr.dkr, S3 gateway; port 443 from the tasks):
//     https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html
//   Fargate 1.4.0: all task traffic (image pull, secrets, logs) leaves through the task ENI:
//     https://docs.aws.amazon.com/AmazonECS/latest/developerguide/platform-version-migration.html
//   ECS `secrets` from Secrets Manager in a VPC without internet: the secretsmanager endpoint:
//     https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html
//     https://docs.aws.amazon.com/secretsmanager/latest/userguide/vpc-endpoint-overview.html
//   awslogs driver in private subnets: the logs endpoint:
//     https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch-logs-and-interface-VPC.html
//   Lambda in a VPC calls AWS APIs through endpoints or a NAT (no public IP ever):
//     https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc-internet.html
//   RDS and ELB API endpoints:
//     https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/vpc-interface-endpoints.html
//     https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/load-balancer-vpc-endpoints.html
//   Interface endpoints: one subnet per availability zone, private DNS, security groups:
//     https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html
//   Endpoint policies (Principal "*" with conditions; aws:PrincipalAccount):
//     https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalaccount
//   S3 gateway endpoint on route tables:
//     https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The AWS APIs a workload in the private subnets calls, by VPC endpoint service suffix. */
export type AwsApiService = "ecr.api" | "ecr.dkr" | "s3" | "secretsmanager" | "logs" | "rds" | "elasticloadbalancing";

/** S3 is reached through a gateway endpoint (route tables), everything else through interface endpoints. */
export const GATEWAY_SERVICES: readonly AwsApiService[] = ["s3"];

/**
 * A Kafka Streams task on Fargate: image pull (ECR API for the token and manifest, ECR Docker
 * registry, the layers in S3), ECS `secrets` from Secrets Manager, the awslogs driver. The task
 * role has no policy (the app calls no AWS API), so no STS or other endpoint is needed.
 */
export const STREAMS_TASK_AWS_APIS: readonly AwsApiService[] = ["ecr.api", "ecr.dkr", "s3", "secretsmanager", "logs"];
/**
 * The failover re-targeting Lambda (components/source/failover): rds:DescribeDBInstances and the
 * ELB target calls. Lambda delivers its logs and credentials itself, outside the function's ENI.
 */
export const RETARGET_LAMBDA_AWS_APIS: readonly AwsApiService[] = ["rds", "elasticloadbalancing"];

/** Why each endpoint exists: the documentation page of the need. */
export const ENDPOINT_NEEDS: Record<AwsApiService, string> = {
    "ecr.api": "https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html",
    "ecr.dkr": "https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html",
    s3: "https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html#ecr-setting-up-s3-gateway",
    secretsmanager: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html",
    logs: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch-logs-and-interface-VPC.html",
    rds: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/vpc-interface-endpoints.html",
    elasticloadbalancing: "https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/load-balancer-vpc-endpoints.html",
};

/** IAM action prefix of each service (what an endpoint of that service can carry at all). */
const ACTION_PREFIX: Record<AwsApiService, string> = {
    "ecr.api": "ecr",
    "ecr.dkr": "ecr",
    s3: "s3",
    secretsmanager: "secretsmanager",
    logs: "logs",
    rds: "rds",
    elasticloadbalancing: "elasticloadbalancing",
};

export interface WorkloadApiNeeds {
    /** Who calls, for descriptions and errors (e.g. "Kafka Streams batch_release tasks"). */
    label: string;
    services: readonly AwsApiService[];
}

/** The endpoints the workloads need, each once, interface and gateway apart, in a stable order. */
export function endpointServices(workloads: readonly WorkloadApiNeeds[]): { interfaces: AwsApiService[]; gateways: AwsApiService[] } {
    const all = [...new Set(workloads.flatMap((w) => w.services))].sort();
    return { interfaces: all.filter((s) => !GATEWAY_SERVICES.includes(s)), gateways: all.filter((s) => GATEWAY_SERVICES.includes(s)) };
}

export function endpointServiceName(region: string, service: AwsApiService): string {
    return `com.amazonaws.${region}.${service}`;
}

/**
 * Interface endpoint policy: the service's actions, for principals of this account only. Private
 * DNS makes the endpoint the way to the service for every client in the VPC, the deploy runner
 * included, so the policy cannot name the workloads' roles alone; it stops credentials of other
 * accounts from using our network path (identity perimeter).
 */
export function interfaceEndpointPolicy(service: AwsApiService, accountId: string): Record<string, unknown> {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "PrincipalsOfThisAccount",
                Effect: "Allow",
                Principal: "*",
                Action: `${ACTION_PREFIX[service]}:*`,
                Resource: "*",
                Condition: { StringEquals: { "aws:PrincipalAccount": accountId } },
            },
        ],
    };
}

/**
 * S3 gateway endpoint policy: ECR's layer bucket (AWS-owned; the statement the ECR guide
 * documents for image pulls), and this account's principals for the rest.
 */
export function s3GatewayEndpointPolicy(region: string, accountId: string): Record<string, unknown> {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "EcrImageLayers",
                Effect: "Allow",
                Principal: "*",
                Action: ["s3:GetObject"],
                Resource: [`arn:aws:s3:::prod-${region}-starport-layer-bucket/*`],
            },
            {
                Sid: "PrincipalsOfThisAccount",
                Effect: "Allow",
                Principal: "*",
                Action: "s3:*",
                Resource: "*",
                Condition: { StringEquals: { "aws:PrincipalAccount": accountId } },
            },
        ],
    };
}

export interface SubnetPlacement {
    id: string;
    availabilityZone: string;
}

/**
 * An interface endpoint takes at most one subnet per availability zone: the first listed subnet
 * of each zone, in the order given.
 */
export function onePerAvailabilityZone(subnets: readonly SubnetPlacement[]): string[] {
    const byZone = new Map<string, string>();
    for (const s of subnets) if (!byZone.has(s.availabilityZone)) byZone.set(s.availabilityZone, s.id);
    return [...byZone.values()];
}

/** What the stack says about the workloads' AWS API path (stack output `awsApiAccess`). */
export function awsApiAccessSummary(mode: "nat" | "endpoints", workloads: readonly WorkloadApiNeeds[]): { mode: string; endpoints: string[]; note: string } {
    const { interfaces, gateways } = endpointServices(workloads);
    const who = workloads.map((w) => w.label).join(", ");
    if (mode === "nat") {
        return {
            mode,
            endpoints: [],
            note: `network.awsApiAccess nat: the program creates no VPC endpoints; the operator's NAT gateway (or endpoints the operator manages) must carry the AWS API calls of ${who}: ${[...interfaces, ...gateways].join(", ")}`,
        };
    }
    return {
        mode,
        endpoints: [...interfaces.map((s) => `${s} (interface)`), ...gateways.map((s) => `${s} (gateway)`)],
        note: `network.awsApiAccess endpoints: the program creates these VPC endpoints with private DNS for ${who}`,
    };
}

export interface EndpointClient {
    label: string;
    securityGroupId: pulumi.Input<string>;
}

export interface AwsApiEndpointsArgs {
    namePrefix: string;
    region: string;
    accountId: pulumi.Input<string>;
    vpcId: pulumi.Input<string>;
    /** The workloads' private subnets: the interface endpoints take one per zone, the S3 gateway their route tables. */
    subnetIds: pulumi.Input<string[]>;
    /** Who needs which API; their security groups are admitted on 443. */
    workloads: readonly (WorkloadApiNeeds & { securityGroupId: pulumi.Input<string> })[];
    /**
     * Other clients in the VPC whose AWS API calls private DNS sends to these endpoints: the
     * in-VPC deploy runners (mysql.deployerSecurityGroupIds). Without them `pulumi up` would time
     * out on ECR, Secrets Manager, Logs, RDS and ELB.
     */
    otherClients: readonly EndpointClient[];
    tags: Record<string, string>;
}

export class AwsApiEndpoints extends pulumi.ComponentResource {
    readonly securityGroup: aws.ec2.SecurityGroup;
    readonly ingressRules: aws.vpc.SecurityGroupIngressRule[];
    /** By service suffix (`ecr.api`, …, `s3`). */
    readonly endpoints: Map<AwsApiService, aws.ec2.VpcEndpoint>;

    constructor(name: string, args: AwsApiEndpointsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("lifesci:network:AwsApiEndpoints", name, {}, opts);
        const { namePrefix, region, tags } = args;
        const { interfaces, gateways } = endpointServices(args.workloads);

        // No inline rules: ingress comes as one rule per client (by reference, never a CIDR), and
        // the provider removes AWS's default allow-all egress (an endpoint answers, never calls).
        this.securityGroup = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            {
                name: `${namePrefix}-aws-api-endpoints`,
                description: "VPC interface endpoints of the AWS APIs: HTTPS from the platform's workloads and deploy runners only",
                vpcId: args.vpcId,
                tags,
            },
            { parent: this },
        );
        const clients: EndpointClient[] = [...args.workloads.map((w) => ({ label: w.label, securityGroupId: w.securityGroupId })), ...args.otherClients];
        this.ingressRules = clients.map(
            (client) =>
                new aws.vpc.SecurityGroupIngressRule(
                    `${name}-from-${client.label.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "")}`,
                    {
                        securityGroupId: this.securityGroup.id,
                        referencedSecurityGroupId: client.securityGroupId,
                        ipProtocol: "tcp",
                        fromPort: 443,
                        toPort: 443,
                        description: `HTTPS to the AWS API endpoints from ${client.label}`,
                    },
                    { parent: this },
                ),
        );

        const placements = pulumi.output(args.subnetIds).apply((ids) =>
            Promise.all(
                ids.map(async (id) => {
                    const subnet = await aws.ec2.getSubnet({ id }, { parent: this });
                    // The table explicitly associated with the subnet (README: a subnet on the VPC's main table fails here, naming it).
                    const table = await aws.ec2.getRouteTable({ subnetId: id }, { parent: this });
                    return { id, availabilityZone: subnet.availabilityZone, routeTableId: table.routeTableId };
                }),
            ),
        );
        const endpointSubnets = placements.apply(onePerAvailabilityZone);
        const routeTableIds = placements.apply((ps) => [...new Set(ps.map((p) => p.routeTableId))]);
        const accountId = pulumi.output(args.accountId);

        this.endpoints = new Map();
        for (const service of interfaces) {
            this.endpoints.set(
                service,
                new aws.ec2.VpcEndpoint(
                    `${name}-${service.replace(/\./g, "-")}`,
                    {
                        vpcId: args.vpcId,
                        serviceName: endpointServiceName(region, service),
                        vpcEndpointType: "Interface",
                        // The service's public name resolves to the endpoint inside the VPC: the
                        // SDKs, the ECS agent and the awslogs driver need no endpoint URL.
                        privateDnsEnabled: true,
                        subnetIds: endpointSubnets,
                        securityGroupIds: [this.securityGroup.id],
                        policy: accountId.apply((id) => JSON.stringify(interfaceEndpointPolicy(service, id))),
                        tags: { ...tags, Name: `${namePrefix}-${service}` },
                    },
                    { parent: this },
                ),
            );
        }
        for (const service of gateways) {
            this.endpoints.set(
                service,
                new aws.ec2.VpcEndpoint(
                    `${name}-${service}-gateway`,
                    {
                        vpcId: args.vpcId,
                        serviceName: endpointServiceName(region, service),
                        vpcEndpointType: "Gateway",
                        routeTableIds,
                        policy: accountId.apply((id) => JSON.stringify(s3GatewayEndpointPolicy(region, id))),
                        tags: { ...tags, Name: `${namePrefix}-${service}` },
                    },
                    { parent: this },
                ),
            );
        }

        this.registerOutputs({
            securityGroupId: this.securityGroup.id,
            endpointIds: Object.fromEntries([...this.endpoints].map(([service, e]) => [service, e.id])),
        });
    }
}
