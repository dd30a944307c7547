// The Kafka Streams apps as the cloud stacks deploy them (ECR image, Confluent identity, Secrets
// Manager, ECS Fargate), evaluated under the mock engine: what the engine would receive.
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { STREAMS_SECRET_ENV, streamsAppByName, streamsAppEnvironment, streamsHealthProbe } from "../components/catalog";
import { TIER_DEFAULTS } from "../components/config";
import { StackRun, isSecretInput, plain, runStack } from "./support/harness";

const T = {
    repository: "aws:ecr/repository:Repository",
    lifecycle: "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    image: "docker-build:index:Image",
    service: "aws:ecs/service:Service",
    taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
    secret: "aws:secretsmanager/secret:Secret",
    secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    roleBinding: "confluentcloud:index/roleBinding:RoleBinding",
    apiKey: "confluentcloud:index/apiKey:ApiKey",
    cluster: "confluentcloud:index/kafkaCluster:KafkaCluster",
};
const APP = streamsAppByName("batch_release");
const NAME = "streams-batch_release".replace(/_/g, "-");

const runs: Record<string, StackRun> = {};
before(async function () {
    this.timeout(120_000);
    for (const stack of ["dev", "prod"]) runs[stack] = await runStack(stack);
});

const container = (run: StackRun) => JSON.parse(run.one(T.taskDefinition, `${NAME}-task`).inputs.containerDefinitions)[0];

describe("streams: the batch release app on ECS Fargate", () => {
    for (const stack of ["dev", "prod"]) {
        it(`${stack}: a Fargate service in the platform's subnets without a public IP, sized from the tier table`, () => {
            const run = runs[stack];
            const tier = TIER_DEFAULTS[stack as "dev" | "prod"].streams;
            const service = run.one(T.service, `${NAME}-service`);
            assert.equal(service.inputs.launchType, "FARGATE");
            assert.equal(service.inputs.networkConfiguration.assignPublicIp, false);
            // prod: the database's private subnets; dev: network.workloadSubnetIds (its public database's subnets route to an internet gateway).
            const workloadSubnets = stack === "dev" ? ["subnet-0d1e2f3a4b5c6d7e1", "subnet-0d1e2f3a4b5c6d7e2"] : plain(run.one("aws:rds/subnetGroup:SubnetGroup").inputs.subnetIds);
            assert.deepEqual(service.inputs.networkConfiguration.subnets, workloadSubnets);
            assert.equal(service.inputs.desiredCount, tier.desiredCount);
            assert.deepEqual(service.inputs.deploymentCircuitBreaker, { enable: true, rollback: true });
            // A new secret version (key rotation) redeploys the tasks, and the first start waits for the secret's value.
            const version = run.one(T.secretVersion, `${NAME}-secret-version`);
            assert.equal(service.inputs.forceNewDeployment, true);
            assert.equal(service.inputs.triggers.secretVersion, version.state.versionId);
            assert.ok(service.dependencies.includes(version.urn), "the service waits for the secret version");
            const task = run.one(T.taskDefinition, `${NAME}-task`);
            assert.deepEqual([task.inputs.cpu, task.inputs.memory], [String(tier.cpu), String(tier.memoryMiB)]);
            assert.deepEqual(task.inputs.requiresCompatibilities, ["FARGATE"]);
            assert.equal(task.inputs.networkMode, "awsvpc");
            assert.equal(run.one(T.logGroup, `${NAME}-logs`).inputs.retentionInDays, tier.logRetentionDays);
        });

        it(`${stack}: the container's environment is the catalog's, credentials only as ECS secrets from the app's secret`, () => {
            const run = runs[stack];
            const c = container(run);
            const cluster = run.one(T.cluster);
            const expected = streamsAppEnvironment(APP, {
                target: "cloud",
                basePrefix: "lifesci",
                bootstrapServers: String(cluster.state.bootstrapEndpoint).replace("SASL_SSL://", ""),
                securityProtocol: "SASL_SSL",
                valueFormat: "avro",
                schemaRegistryUrl: "https://psrc-mock01.eu-central-1.aws.confluent.cloud",
                replicationFactor: 3,
                // Batches by status as EMF lines, in the stack's own namespace (monitoring/streamsMetrics.ts).
                metricsNamespace: `lifesci-${stack}/streams`,
            });
            assert.deepEqual(Object.fromEntries(c.environment.map((e: { name: string; value: string }) => [e.name, e.value])), expected.environment);
            // Flat JSON for the Snowflake sink (input.data.format=JSON): no Connect schema envelope in the cloud.
            assert.ok(!c.environment.some((e: { name: string }) => e.name === "STATUS_JSON_SCHEMAS"), "STATUS_JSON_SCHEMAS is local only");
            const secretArn = run.one(T.secret, `${NAME}-secret`).state.arn;
            assert.deepEqual(
                c.secrets,
                STREAMS_SECRET_ENV.map((name) => ({ name, valueFrom: `${secretArn}:${name}::` })),
            );
            const definitions = run.one(T.taskDefinition, `${NAME}-task`).inputs.containerDefinitions as string;
            for (const key of run.ofType(T.apiKey).filter((k) => k.name.startsWith(NAME))) {
                assert.ok(!definitions.includes(String(plain(key.state.secret))), `${key.name}'s secret is in the task definition`);
            }
            // The image's own probe (bash /dev/tcp; the image has no curl), without a shell around it.
            assert.deepEqual(c.healthCheck.command, ["CMD", ...streamsHealthProbe(8080)]);
            assert.equal(c.logConfiguration.options["awslogs-group"], `/ecs/lifesci-${stack}-batch-release`);
            assert.match(c.image, /^123456789012\.dkr\.ecr\.eu-central-1\.amazonaws\.com\/lifesci-\w+\/batch-release:[0-9a-f]{20}@sha256:[0-9a-f]{64}$/);
        });

        it(`${stack}: the API keys reach Secrets Manager as a secret, read only by the execution role`, () => {
            const run = runs[stack];
            const version = run.one(T.secretVersion, `${NAME}-secret-version`);
            assert.ok(isSecretInput(version.inputs.secretString), "secretString must be a Pulumi secret");
            assert.ok(pulumi.isSecret((version.resource as any).secretString), "the SDK output stays secret");
            const stored = JSON.parse(plain(version.inputs.secretString));
            assert.deepEqual(Object.keys(stored), [...STREAMS_SECRET_ENV]);
            const kafkaKey = run.one(T.apiKey, `${NAME}-kafka-key`);
            assert.deepEqual([stored.KAFKA_SASL_USERNAME, stored.KAFKA_SASL_PASSWORD], [kafkaKey.id, plain(kafkaKey.state.secret)]);

            const secretArn = run.one(T.secret, `${NAME}-secret`).state.arn;
            const policy = JSON.parse(run.one(T.rolePolicy, `${NAME}-execution-policy`).inputs.policy);
            const secretStatements = policy.Statement.filter((s: any) => [s.Action].flat().some((a: string) => a.startsWith("secretsmanager:")));
            assert.deepEqual(secretStatements.map((s: any) => [s.Action, s.Resource]), [[["secretsmanager:GetSecretValue"], secretArn]]);
            // The task role (the app's own AWS identity) has no policy of any kind.
            const taskRole = run.one(T.role, `${NAME}-task-role`);
            const attached = [...run.ofType(T.rolePolicy), ...run.ofType(T.rolePolicyAttachment)].filter((p) => p.parent === `${T.role}::${taskRole.name}` || String(p.inputs.role).includes("batch-release-task"));
            assert.deepEqual(attached, []);
            assert.equal(run.one(T.taskDefinition, `${NAME}-task`).inputs.taskRoleArn, taskRole.state.arn);
        });
    }

    it("its service account gets exactly what Kafka Streams needs, by name", () => {
        const run = runs.dev;
        const cluster = run.one(T.cluster);
        const base = `${cluster.state.rbacCrn}/kafka=${cluster.id}`;
        const sr = "crn://confluent.cloud/organization=org-mock/environment=";
        const bindings = run
            .ofType(T.roleBinding)
            .filter((b) => b.name.startsWith(`${NAME}-identity-`))
            .map((b) => [b.inputs.roleName, String(b.inputs.crnPattern).startsWith(sr) && b.inputs.crnPattern.includes("schema-registry") ? `SR ${b.inputs.crnPattern.split("/subject=")[1]}` : String(b.inputs.crnPattern).replace(base, "")])
            .sort();
        const inputs = ["lifesci.mes.mes.batches", "lifesci.mes.mes.machine_events", "lifesci.lims.lims.samples", "lifesci.lims.lims.test_results", "lifesci.lims.lims.spec_limits"];
        const expected = [
            ...inputs.flatMap((t) => [
                ["DeveloperRead", `/topic=${t}`],
                ["DeveloperRead", `SR ${t}-key`],
                ["DeveloperRead", `SR ${t}-value`],
            ]),
            ...["lifesci.streams.batch_release_status", "lifesci.streams.batch_release_overdue", "lifesci.dlq.streams.batch_release"].map((t) => ["DeveloperWrite", `/topic=${t}`]),
            ["DeveloperRead", "/topic=lifesci.streams.batch-release-*"],
            ["DeveloperWrite", "/topic=lifesci.streams.batch-release-*"],
            ["DeveloperManage", "/topic=lifesci.streams.batch-release-*"],
            ["DeveloperRead", "/group=lifesci.streams.batch-release"],
            ["DeveloperWrite", "/transactional-id=lifesci.streams.batch-release-*"],
        ].sort();
        assert.deepEqual(bindings, expected);
        // Its keys are made after the bindings exist.
        const key = run.one(T.apiKey, `${NAME}-kafka-key`);
        assert.ok(run.ofType(T.roleBinding).filter((b) => b.name.startsWith(`${NAME}-identity-`)).every((b) => key.dependsOn.includes(`${T.roleBinding}::${b.name}`)));
    });

    it("the image is built from the app's Dockerfile and pushed to a scanned, immutable ECR repository with a lifecycle", () => {
        const run = runs.prod;
        const repo = run.one(T.repository, `${NAME}-image-repository`);
        assert.equal(repo.inputs.imageTagMutability, "IMMUTABLE");
        assert.deepEqual(repo.inputs.imageScanningConfiguration, { scanOnPush: true });
        assert.ok(repo.protect, "prod keeps its images");
        assert.equal(runs.dev.one(T.repository, `${NAME}-image-repository`).inputs.forceDelete, true);
        const rules = JSON.parse(run.one(T.lifecycle).inputs.policy).rules;
        assert.deepEqual(rules.map((r: any) => r.selection.tagStatus), ["untagged", "any"]);
        const image = run.one(T.image);
        assert.equal(image.inputs.push, true);
        assert.equal(image.inputs.context.location, "streams/batch-release", "relative: no diff between checkouts");
        assert.equal(image.inputs.dockerfile.location, "streams/batch-release/Dockerfile");
        assert.ok(isSecretInput(image.inputs.registries), "the ECR token stays secret");
        assert.equal(plain(image.inputs.registries)[0].address, plain(repo.state.repositoryUrl));
        assert.ok(run.one(T.logGroup, `${NAME}-logs`).protect);
    });

    it("egress is Kafka and HTTPS only; prod reaches Kafka through the PrivateLink endpoint, which admits the tasks", () => {
        const taskSg = (run: StackRun) => run.one(T.securityGroup, "streams-batch-release-sg");
        for (const run of [runs.dev, runs.prod]) {
            assert.equal(taskSg(run).inputs.ingress, undefined, "no ingress");
            assert.equal(taskSg(run).inputs.egress, undefined, "no inline egress (the default allow-all is removed)");
            const egress = run.ofType(T.egress).filter((r) => r.inputs.securityGroupId === taskSg(run).id);
            assert.deepEqual(egress.map((r) => [r.inputs.fromPort, r.inputs.toPort]).sort(), [[443, 443], [9092, 9092]]);
        }
        const kafka = (run: StackRun) => run.ofType(T.egress).find((r) => r.inputs.fromPort === 9092)!;
        assert.equal(kafka(runs.dev).inputs.cidrIpv4, "0.0.0.0/0");
        const endpointSg = runs.prod.one(T.securityGroup, "streaming-private-endpoint-sg");
        assert.equal(kafka(runs.prod).inputs.referencedSecurityGroupId, endpointSg.id);
        assert.equal(kafka(runs.prod).inputs.cidrIpv4, undefined);
        const admitted = endpointSg.inputs.ingress.filter((r: any) => r.securityGroups.includes(taskSg(runs.prod).id));
        assert.deepEqual(admitted.map((r: any) => r.fromPort).sort(), [443, 9092]);
    });
});

describe("streams: config", () => {
    it("a stack's streams keys override the tier table; a size Fargate does not offer fails naming the key", async () => {
        const run = await runStack("dev", { set: { "lifesci-streaming:streams": { desiredCount: 3, cpu: 1024, memoryMiB: 3072, logRetentionDays: 30 } } });
        assert.equal(run.one(T.service, `${NAME}-service`).inputs.desiredCount, 3);
        assert.deepEqual([run.one(T.taskDefinition).inputs.cpu, run.one(T.taskDefinition).inputs.memory], ["1024", "3072"]);
        assert.equal(run.one(T.logGroup, `${NAME}-logs`).inputs.retentionInDays, 30);
        await assert.rejects(
            runStack("dev", { set: { "lifesci-streaming:streams": { cpu: 1024, memoryMiB: 1024 } } }),
            /lifesci-streaming:streams\.memoryMiB: Fargate runs 1024 CPU units with 2048-8192 MiB/,
        );
        await assert.rejects(runStack("dev", { set: { "lifesci-streaming:streams": { cpu: 300 } } }), /lifesci-streaming:streams\.cpu: must be one of 256, 512/);
        await assert.rejects(runStack("dev", { set: { "lifesci-streaming:streams": { overdueAfter: "24h" } } }), /lifesci-streaming:streams\.overdueAfter: must be a positive ISO-8601 duration/);
        await assert.rejects(runStack("dev", { set: { "lifesci-streaming:streams": { logRetentionDays: 10 } } }), /lifesci-streaming:streams\.logRetentionDays: must be one of 1, 3/);
        await assert.rejects(runStack("prod", { set: { "lifesci-streaming:streams": { desiredCount: 1 } } }), /lifesci-streaming:streams\.desiredCount: tier prod runs at least 2 tasks/);
    });

    it("the overdue settings reach the container", async () => {
        const run = await runStack("dev", { set: { "lifesci-streaming:streams": { overdueAfter: "PT36H", overdueCheckInterval: "PT5M" } } });
        const env = Object.fromEntries(container(run).environment.map((e: { name: string; value: string }) => [e.name, e.value]));
        assert.deepEqual([env.OVERDUE_AFTER, env.OVERDUE_CHECK_INTERVAL], ["PT36H", "PT5M"]);
    });
});
