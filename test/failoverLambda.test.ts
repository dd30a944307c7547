// Issue 22, item 5: the failover Lambda's logic against the AWS SDK v3 clients, mocked with
// aws-sdk-client-mock (the SDK's own command objects, not hand-rolled fakes).
import { strict as assert } from "assert";
import { DescribeTargetHealthCommand, DeregisterTargetsCommand, ElasticLoadBalancingV2Client, RegisterTargetsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { DescribeDBInstancesCommand, RDSClient } from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
import { retarget, settingsFromEnv } from "../components/source/failover/retargetLambda";

const rdsMock = mockClient(RDSClient);
const elbMock = mockClient(ElasticLoadBalancingV2Client);
const SETTINGS = { dbInstanceId: "lifesci-prod-mysql", targetGroupArn: "arn:aws:elasticloadbalancing:eu-central-1:1:targetgroup/lifesci-prod-mysql/abc", port: 3306 };
const ENDPOINT = "lifesci-prod-mysql.cxyz.eu-central-1.rds.amazonaws.com";
const failoverEvent = (instance = SETTINGS.dbInstanceId) => ({
    source: "aws.rds",
    "detail-type": "RDS DB Instance Event",
    detail: { EventCategories: ["failover"], SourceType: "DB_INSTANCE", SourceIdentifier: instance, EventID: "RDS-EVENT-0049", Message: "Multi-AZ instance failover completed." },
});

function deps(resolved: Record<string, string>) {
    const lookups: string[] = [];
    return {
        lookups,
        deps: {
            rds: new RDSClient({ region: "eu-central-1" }),
            elb: new ElasticLoadBalancingV2Client({ region: "eu-central-1" }),
            resolve: async (host: string) => {
                lookups.push(host);
                if (!resolved[host]) throw new Error(`ENOTFOUND ${host}`);
                return resolved[host];
            },
        },
    };
}

const targets = (...ips: string[]) => ({ TargetHealthDescriptions: ips.map((Id) => ({ Target: { Id, Port: 3306 }, TargetHealth: { State: "unhealthy" as const } })) });

describe("failover Lambda: re-targets the NLB at the RDS primary (aws-sdk-client-mock)", () => {
    beforeEach(() => {
        rdsMock.reset();
        elbMock.reset();
        rdsMock.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: SETTINGS.dbInstanceId }).resolves({ DBInstances: [{ Endpoint: { Address: ENDPOINT, Port: 3306 } }] });
    });

    it("after a failover: registers the primary's new IP, then deregisters the old one", async () => {
        elbMock.on(DescribeTargetHealthCommand).resolves(targets("10.10.1.17"));
        const { deps: d, lookups } = deps({ [ENDPOINT]: "10.10.2.44" });
        const result = await retarget(failoverEvent(), SETTINGS, d);
        assert.deepEqual(result, { action: "retargeted", ip: "10.10.2.44", registered: ["10.10.2.44"], deregistered: ["10.10.1.17"] });
        assert.deepEqual(lookups, [ENDPOINT]);
        const register = elbMock.commandCalls(RegisterTargetsCommand);
        const deregister = elbMock.commandCalls(DeregisterTargetsCommand);
        assert.deepEqual(register.map((c) => c.args[0].input), [{ TargetGroupArn: SETTINGS.targetGroupArn, Targets: [{ Id: "10.10.2.44", Port: 3306 }] }]);
        assert.deepEqual(deregister.map((c) => c.args[0].input), [{ TargetGroupArn: SETTINGS.targetGroupArn, Targets: [{ Id: "10.10.1.17", Port: 3306 }] }]);
        // Order: the new target is registered before the old one leaves.
        const order = elbMock.calls().map((c) => c.args[0].constructor.name);
        assert.deepEqual(order, ["DescribeTargetHealthCommand", "RegisterTargetsCommand", "DeregisterTargetsCommand"]);
    });

    it("nothing to do when the target group already targets exactly the primary (a reboot in place, a repeated event)", async () => {
        elbMock.on(DescribeTargetHealthCommand).resolves(targets("10.10.1.17"));
        const result = await retarget(failoverEvent(), SETTINGS, deps({ [ENDPOINT]: "10.10.1.17" }).deps);
        assert.deepEqual(result, { action: "unchanged", ip: "10.10.1.17" });
        assert.equal(elbMock.commandCalls(RegisterTargetsCommand).length + elbMock.commandCalls(DeregisterTargetsCommand).length, 0);
    });

    it("a target group with the primary and a stale IP keeps the primary and drops the stale one", async () => {
        elbMock.on(DescribeTargetHealthCommand).resolves(targets("10.10.1.17", "10.10.2.44"));
        const result = await retarget(failoverEvent(), SETTINGS, deps({ [ENDPOINT]: "10.10.2.44" }).deps);
        assert.deepEqual(result, { action: "retargeted", ip: "10.10.2.44", registered: [], deregistered: ["10.10.1.17"] });
        assert.equal(elbMock.commandCalls(RegisterTargetsCommand).length, 0);
    });

    it("an event about another instance is ignored without any API call", async () => {
        const result = await retarget(failoverEvent("someone-elses-db"), SETTINGS, deps({}).deps);
        assert.equal(result.action, "ignored");
        assert.equal(rdsMock.calls().length + elbMock.calls().length, 0);
    });

    it("failures surface (so EventBridge retries) and leave the targets alone", async () => {
        elbMock.on(DescribeTargetHealthCommand).resolves(targets("10.10.1.17"));
        await assert.rejects(retarget(failoverEvent(), SETTINGS, deps({}).deps), /ENOTFOUND/);
        rdsMock.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{}] });
        await assert.rejects(retarget(failoverEvent(), SETTINGS, deps({ [ENDPOINT]: "10.10.2.44" }).deps), /has no endpoint address yet/);
        elbMock.on(RegisterTargetsCommand).rejects(new Error("AccessDenied"));
        rdsMock.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ Endpoint: { Address: ENDPOINT } }] });
        await assert.rejects(retarget(failoverEvent(), SETTINGS, deps({ [ENDPOINT]: "10.10.2.44" }).deps), /AccessDenied/);
        assert.equal(elbMock.commandCalls(DeregisterTargetsCommand).length, 0, "the old target stays when the new one could not be registered");
    });

    it("reads its settings from the environment, naming a missing or bad one", () => {
        assert.deepEqual(settingsFromEnv({ DB_INSTANCE_ID: "db", TARGET_GROUP_ARN: "arn:tg", DB_PORT: "3306" }), { dbInstanceId: "db", targetGroupArn: "arn:tg", port: 3306 });
        assert.throws(() => settingsFromEnv({ DB_INSTANCE_ID: "db", DB_PORT: "3306" }), /TARGET_GROUP_ARN is not set/);
        assert.throws(() => settingsFromEnv({ DB_INSTANCE_ID: "db", TARGET_GROUP_ARN: "x", DB_PORT: "abc" }), /DB_PORT must be a port number/);
    });
});

// The wiring under the mock engine (prod: the PrivateLink path).
import { LAMBDA_RUNTIME_MODULES, RETARGET_EVENT_CATEGORIES, retargetLambdaCode } from "../components/source/failover/retargetFunction";
import { primaryInterface } from "../components/source/privateLink";
import { checkResources } from "../policy/rules";
import { inventoryPolicySubjects } from "../scripts/inventory";
import { StackRun, plain, runStack } from "./support/harness";

describe("failover re-targeting wiring (prod under mocks)", function () {
    this.timeout(120_000);
    let run: StackRun;
    before(async () => {
        run = await runStack("prod");
    });

    it("the deploy-time lookup takes the primary's interface and tolerates the Multi-AZ standby", () => {
        const eni = (id: string, az: string, ip: string) => ({ id, availabilityZone: az, privateIp: ip });
        assert.equal(primaryInterface([eni("a", "eu-central-1a", "10.0.1.5"), eni("b", "eu-central-1b", "10.0.2.5")], "eu-central-1b", "sg").privateIp, "10.0.2.5");
        assert.throws(() => primaryInterface([eni("a", "eu-central-1a", "10.0.1.5")], "eu-central-1c", "sg-1"), /expected one RDS network interface in sg-1 in the primary's zone eu-central-1c, found 0/);
        assert.throws(() => primaryInterface([eni("a", "eu-central-1a", "1"), eni("b", "eu-central-1a", "2")], "eu-central-1a", "sg-1"), /found 2/);
        // The stack's mocks report a primary and a standby interface: the target is the primary's.
        assert.equal(run.one("aws:lb/targetGroupAttachment:TargetGroupAttachment").inputs.targetId, "172.31.20.17");
    });

    it("the function's code is retargetLambda.ts, requiring only what the Node.js Lambda runtime provides", () => {
        const code = retargetLambdaCode();
        assert.match(code, /exports\.handler = handler/);
        const required = [...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]).sort();
        assert.deepEqual(required, [...LAMBDA_RUNTIME_MODULES].sort());
    });

    it("RDS events of the instance (and a 15-minute schedule) invoke the function in the VPC, with least privilege", () => {
        const fn = run.one("aws:lambda/function:Function");
        const instance = run.one("aws:rds/instance:Instance");
        const tg = run.one("aws:lb/targetGroup:TargetGroup");
        assert.equal(fn.inputs.runtime, "nodejs20.x");
        assert.deepEqual(fn.inputs.vpcConfig.subnetIds, ["subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d4e5f60712", "subnet-0a1b2c3d4e5f60713"]);
        assert.equal(fn.inputs.reservedConcurrentExecutions, 1);
        assert.deepEqual(fn.inputs.environment.variables, { DB_INSTANCE_ID: instance.inputs.identifier, TARGET_GROUP_ARN: tg.state.arn, DB_PORT: "3306" });

        const rules = run.ofType("aws:cloudwatch/eventRule:EventRule").filter((r) => r.name.includes("retarget"));
        const rdsRule = rules.find((r) => r.inputs.eventPattern)!;
        assert.deepEqual(JSON.parse(rdsRule.inputs.eventPattern), {
            source: ["aws.rds"],
            "detail-type": ["RDS DB Instance Event"],
            detail: { SourceIdentifier: [instance.inputs.identifier], EventCategories: [...RETARGET_EVENT_CATEGORIES] },
        });
        assert.ok(rules.some((r) => r.inputs.scheduleExpression === "rate(15 minutes)"));
        const targets = run.ofType("aws:cloudwatch/eventTarget:EventTarget").filter((t) => t.name.includes("retarget"));
        assert.equal(targets.length, 2);
        for (const t of targets) assert.ok(t.inputs.arn === fn.state.arn && fn.state.arn, "each rule targets the function");
        const permissions = run.ofType("aws:lambda/permission:Permission");
        for (const rule of rules) assert.ok(permissions.some((p) => p.inputs.sourceArn === rule.state.arn && p.inputs.principal === "events.amazonaws.com"), rule.name);

        const policy = JSON.parse(run.one("aws:iam/rolePolicy:RolePolicy", /retarget-policy$/).inputs.policy);
        const resourcesOf = (action: string) => policy.Statement.filter((s: any) => [s.Action].flat().includes(action)).map((s: any) => s.Resource);
        assert.deepEqual(resourcesOf("elasticloadbalancing:RegisterTargets"), [tg.state.arn]);
        assert.deepEqual(resourcesOf("elasticloadbalancing:DeregisterTargets"), [tg.state.arn]);
        assert.deepEqual(resourcesOf("rds:DescribeDBInstances"), [instance.state.arn]);
        assert.ok(!JSON.stringify(policy).includes('"*:*"') && !policy.Statement.some((s: any) => [s.Action].flat().some((a: string) => a.endsWith(":*"))));

        const subscription = run.one("aws:rds/eventSubscription:EventSubscription");
        assert.deepEqual(plain(subscription.inputs.sourceIds), [instance.inputs.identifier]);
        assert.deepEqual(plain(subscription.inputs.eventCategories), [...RETARGET_EVENT_CATEGORIES]);
    });

    it("the NLB's unhealthy targets page in Grafana", () => {
        const rule = run.ofType("grafana:alerting/ruleGroup:RuleGroup").find((g) => g.name.includes("privatelink_target_unhealthy"));
        assert.ok(rule, "a Grafana rule group for UnHealthyHostCount");
        const expr: string = JSON.parse(rule.inputs.rules[0].datas[0].model).expr;
        assert.match(expr, /aws_networkelb_un_healthy_host_count_maximum/);
        assert.ok(expr.includes(`dimension_TargetGroup="${run.one("aws:lb/targetGroup:TargetGroup").state.arnSuffix}"`), expr);
    });

    it("the policy pack passes prod", () => {
        assert.deepEqual(checkResources(inventoryPolicySubjects(run)).filter((v) => v.policy === "prod-privatelink-failover-retarget"), []);
    });
});
