// How the workloads' private subnets reach the AWS APIs (network.awsApiAccess), evaluated under
// the mock engine: dev (nat) creates no endpoint and says so; prod (endpoints) creates exactly
// the endpoints its workloads need, behind one security group that admits them by reference.
import { strict as assert } from "assert";
import { RETARGET_LAMBDA_AWS_APIS, STREAMS_TASK_AWS_APIS, interfaceEndpointPolicy, s3GatewayEndpointPolicy } from "../components/network";
import { StackRun, plain, readStackConfig, runStack } from "./support/harness";

const T = {
    endpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    service: "aws:ecs/service:Service",
    lambda: "aws:lambda/function:Function",
};
const AWS_SERVICE = /^com\.amazonaws\.eu-central-1\./;
const awsEndpoints = (run: StackRun) => run.ofType(T.endpoint).filter((e) => AWS_SERVICE.test(String(e.inputs.serviceName)));
const suffix = (e: { inputs: Record<string, any> }) => String(e.inputs.serviceName).replace(AWS_SERVICE, "");

/** Pulumi.prod.yaml's mysql section. */
const prodMysql = () => JSON.parse(readStackConfig("prod").values["lifesci-streaming:mysql"]);

const runs: Record<string, StackRun> = {};
before(async function () {
    this.timeout(180_000);
    for (const stack of ["dev", "prod"]) runs[stack] = await runStack(stack);
});

describe("network.awsApiAccess: the workloads' path to the AWS APIs", () => {
    it("dev (nat): no AWS API endpoint and no endpoint security group; the stack output says the NAT is the operator's", () => {
        const run = runs.dev;
        assert.deepEqual(awsEndpoints(run).map(suffix), []);
        assert.equal(run.resources.filter((r) => r.type === "lifesci:network:AwsApiEndpoints").length, 0);
        const out = run.outputs.awsApiAccess as { mode: string; endpoints: string[]; note: string; endpointIds: Record<string, string> };
        assert.equal(out.mode, "nat");
        assert.deepEqual(out.endpoints, []);
        assert.deepEqual(out.endpointIds, {});
        assert.match(out.note, /creates no VPC endpoints; the operator's NAT gateway .* ecr\.api, ecr\.dkr, logs, secretsmanager, s3/);
    });

    it("dev: the tasks run in network.workloadSubnetIds, checked at preview to be in the database's VPC with a NAT route", () => {
        const run = runs.dev;
        assert.deepEqual(run.one(T.service).inputs.networkConfiguration.subnets, ["subnet-0d1e2f3a4b5c6d7e1", "subnet-0d1e2f3a4b5c6d7e2"]);
        const looked = (token: string) => run.invokes.filter((i) => i.token === token).map((i) => i.inputs.id ?? i.inputs.subnetId);
        for (const id of ["subnet-0d1e2f3a4b5c6d7e1", "subnet-0d1e2f3a4b5c6d7e2"]) {
            assert.ok(looked("aws:ec2/getSubnet:getSubnet").includes(id), `${id}'s VPC checked`);
            assert.ok(looked("aws:ec2/getRouteTable:getRouteTable").includes(id), `${id}'s route checked`);
        }
    });

    it("dev: a workload subnet outside the database's VPC, or routed to an internet gateway, fails the preview naming the key and the subnet", async function () {
        this.timeout(120_000);
        await assert.rejects(
            runStack("dev", { set: { "lifesci-streaming:network": { awsApiAccess: "nat", workloadSubnetIds: ["subnet-0d1e2f3a4b5c6d7e1", "subnet-0a1b2c3d4e5f60711"] } }, fresh: true }),
            /lifesci-streaming:network\.workloadSubnetIds: subnet-0a1b2c3d4e5f60711 is in vpc-0a1b2c3d4e5f60718, not in the database's VPC vpc-0def4017/,
        );
        await assert.rejects(
            runStack("dev", {
                invokes: { "aws:ec2/getRouteTable:getRouteTable": (inputs: any) => ({ id: "rtb-0pub", routeTableId: "rtb-0pub", routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: "igw-0default" }], subnetId: inputs.subnetId }) },
                fresh: true,
            }),
            /lifesci-streaming:network\.awsApiAccess: the workloads' private subnets \(network\.workloadSubnetIds\) must route to the internet through a NAT gateway, but subnet subnet-0d1e2f3a4b5c6d7e1 \(route table rtb-0pub\) sends 0\.0\.0\.0\/0 to igw-0default/,
        );
    });

    it("prod (endpoints): exactly the endpoints the Streams tasks and the failover Lambda need, interface ones with private DNS", () => {
        const run = runs.prod;
        const expected = [...new Set([...STREAMS_TASK_AWS_APIS, ...RETARGET_LAMBDA_AWS_APIS])].sort();
        assert.deepEqual(awsEndpoints(run).map(suffix).sort(), expected);
        assert.deepEqual(expected, ["ecr.api", "ecr.dkr", "elasticloadbalancing", "logs", "rds", "s3", "secretsmanager"]);
        for (const e of awsEndpoints(run)) {
            assert.equal(e.inputs.vpcId, "vpc-0a1b2c3d4e5f60718", suffix(e));
            if (suffix(e) === "s3") {
                assert.equal(e.inputs.vpcEndpointType, "Gateway");
                // The route tables of the workloads' subnets (one per zone in the mocks), each once.
                assert.deepEqual([...e.inputs.routeTableIds].sort(), ["rtb-0privatea", "rtb-0privateb", "rtb-0privatec"]);
                assert.equal(e.inputs.subnetIds, undefined);
            } else {
                assert.equal(e.inputs.vpcEndpointType, "Interface", suffix(e));
                assert.equal(e.inputs.privateDnsEnabled, true, suffix(e));
                // The prod subnets, one per availability zone.
                assert.deepEqual(e.inputs.subnetIds, ["subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d4e5f60712", "subnet-0a1b2c3d4e5f60713"], suffix(e));
                const sg = run.one(T.securityGroup, "aws-api-endpoints-sg");
                assert.deepEqual(e.inputs.securityGroupIds, [sg.id], suffix(e));
            }
        }
    });

    it("prod: the endpoint policies admit this account's principals (and ECR's layer bucket on the S3 gateway), nothing wider", () => {
        const run = runs.prod;
        for (const e of awsEndpoints(run)) {
            const policy = JSON.parse(e.inputs.policy);
            const service = suffix(e) as (typeof STREAMS_TASK_AWS_APIS)[number];
            assert.deepEqual(policy, service === "s3" ? s3GatewayEndpointPolicy("eu-central-1", "123456789012") : interfaceEndpointPolicy(service, "123456789012"));
            // Every statement without a condition is ECR's documented layer-bucket read.
            for (const st of (JSON.parse(e.inputs.policy) as { Statement: any[] }).Statement) {
                if (st.Condition) assert.deepEqual(st.Condition, { StringEquals: { "aws:PrincipalAccount": "123456789012" } }, service);
                else assert.deepEqual([st.Action, st.Resource], [["s3:GetObject"], ["arn:aws:s3:::prod-eu-central-1-starport-layer-bucket/*"]], service);
            }
        }
    });

    it("prod: the endpoint security group admits 443 only, from the Streams task, Lambda and deploy runner groups by reference, never a CIDR", () => {
        const run = runs.prod;
        const sg = run.one(T.securityGroup, "aws-api-endpoints-sg");
        assert.equal(sg.inputs.ingress, undefined, "no inline rules");
        assert.equal(sg.inputs.egress, undefined, "no egress: an endpoint answers, never calls");
        const rules = run.ofType(T.ingress).filter((r) => r.inputs.securityGroupId === sg.id);
        const streamsSg = run.one(T.securityGroup, "streams-batch-release-sg").id;
        const lambdaSg = run.one(T.securityGroup, /retarget-sg$/).id;
        assert.deepEqual(
            rules.map((r) => r.inputs.referencedSecurityGroupId).sort(),
            [streamsSg, lambdaSg, "sg-0a1b2c3d4e5f60718"].sort(),
        );
        // The Lambda really runs in the group the endpoints admit.
        assert.deepEqual(run.one(T.lambda).inputs.vpcConfig.securityGroupIds, [lambdaSg]);
        for (const r of rules) {
            assert.deepEqual([r.inputs.ipProtocol, r.inputs.fromPort, r.inputs.toPort], ["tcp", 443, 443], r.name);
            assert.equal(r.inputs.cidrIpv4, undefined, r.name);
            assert.equal(r.inputs.cidrIpv6, undefined, r.name);
        }
    });

    it("prod: the Streams service starts after the endpoints exist (its first tasks pull through them)", () => {
        const run = runs.prod;
        const service = run.one(T.service);
        for (const e of awsEndpoints(run)) assert.ok(service.dependencies.includes(e.urn), `the ECS service waits for ${suffix(e)}`);
        assert.ok(!runs.dev.one(T.service).dependencies.some((u) => u.includes("AwsApiEndpoints")));
    });

    it("prod: the stack output lists the endpoints and their ids", () => {
        const out = runs.prod.outputs.awsApiAccess as { mode: string; endpoints: string[]; endpointIds: Record<string, string> };
        assert.equal(out.mode, "endpoints");
        assert.ok(out.endpoints.includes("s3 (gateway)") && out.endpoints.includes("ecr.dkr (interface)"), out.endpoints.join());
        assert.deepEqual(Object.keys(out.endpointIds).sort(), ["ecr.api", "ecr.dkr", "elasticloadbalancing", "logs", "rds", "s3", "secretsmanager"]);
        assert.equal(plain(out.endpointIds.s3), awsEndpoints(runs.prod).find((e) => suffix(e) === "s3")!.id);
    });

    it("prod with two subnets in one zone: the interface endpoints take the first of each zone, the S3 gateway each route table once", async function () {
        this.timeout(120_000);
        const mysql = { ...prodMysql(), subnetIds: ["subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d4e5f60712", "subnet-0a1b2c3d4e5f60713", "subnet-0a1b2c3d4e5f60714"] };
        const run = await runStack("prod", { set: { "lifesci-streaming:mysql": mysql }, fresh: true });
        // ...714 is in the zone of ...711 (the mocks place a subnet by its last hex digit).
        const ecr = awsEndpoints(run).find((e) => suffix(e) === "ecr.api")!;
        assert.deepEqual(ecr.inputs.subnetIds, ["subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d4e5f60712", "subnet-0a1b2c3d4e5f60713"]);
        const s3 = awsEndpoints(run).find((e) => suffix(e) === "s3")!;
        assert.deepEqual([...s3.inputs.routeTableIds].sort(), ["rtb-0privatea", "rtb-0privateb", "rtb-0privatec"]);
        // The workloads themselves still use every subnet.
        assert.equal(run.one(T.service).inputs.networkConfiguration.subnets.length, 4);
    });

    it("prod: a private subnet whose default route is an internet gateway fails the preview, naming the key that promised the NAT and the subnet", async function () {
        this.timeout(120_000);
        const igwFor = (bad: string) => ({
            "aws:ec2/getRouteTable:getRouteTable": (inputs: any) => ({
                id: `rtb-0${inputs.subnetId.slice(-2)}`,
                routeTableId: `rtb-0${inputs.subnetId.slice(-2)}`,
                routes: [{ cidrBlock: "0.0.0.0/0", ...(inputs.subnetId === bad ? { gatewayId: "igw-0public" } : { natGatewayId: "nat-0a" }) }],
            }),
        });
        await assert.rejects(
            runStack("prod", { invokes: igwFor("subnet-0a1b2c3d4e5f60712"), fresh: true }),
            /lifesci-streaming:network\.internetEgress: .*subnet subnet-0a1b2c3d4e5f60712 \(route table rtb-012\) sends 0\.0\.0\.0\/0 to igw-0public/,
        );
        // With awsApiAccess nat (internetEgress unset) the same subnet is blamed on awsApiAccess.
        await assert.rejects(
            runStack("prod", { set: { "lifesci-streaming:network": { awsApiAccess: "nat" } }, invokes: igwFor("subnet-0a1b2c3d4e5f60711"), fresh: true }),
            /lifesci-streaming:network\.awsApiAccess: .*subnet subnet-0a1b2c3d4e5f60711 .* igw-0public/,
        );
    });

    it("prod with awsApiAccess nat: no endpoint, the NAT route checked, the output says the NAT is the operator's", async function () {
        this.timeout(120_000);
        const run = await runStack("prod", { set: { "lifesci-streaming:network": { awsApiAccess: "nat" } }, fresh: true });
        assert.deepEqual(awsEndpoints(run).map(suffix), []);
        assert.ok(run.invokes.filter((i) => i.token === "aws:ec2/getRouteTable:getRouteTable").length >= 3, "each subnet's route table looked up");
        assert.match((run.outputs.awsApiAccess as { note: string }).note, /creates no VPC endpoints.*elasticloadbalancing.*rds/);
    });

    it("dev with endpoints and no internet route is refused before any resource, naming network.awsApiAccess", async function () {
        this.timeout(60_000);
        await assert.rejects(
            runStack("dev", { set: { "lifesci-streaming:network": { awsApiAccess: "endpoints", workloadSubnetIds: ["subnet-0d1e2f3a4b5c6d7e1"] } }, fresh: true }),
            /lifesci-streaming:network\.awsApiAccess: endpoints reach the AWS APIs only.*Confluent Cloud's public Kafka brokers/s,
        );
    });

    it("prod without a choice is refused, naming network.awsApiAccess", async function () {
        this.timeout(60_000);
        await assert.rejects(runStack("prod", { unset: ["lifesci-streaming:network"], fresh: true }), /lifesci-streaming:network\.awsApiAccess: required for tier prod/);
    });
});
