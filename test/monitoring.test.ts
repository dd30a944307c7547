// Monitoring under the mock engine: what Grafana, Confluent and AWS would receive for dev and
// prod, and that every Grafana and Confluent credential stays secret.
import { strict as assert } from "assert";
import { ALERT_INTENTS, cloudwatchPromName, streamsAppMetrics } from "../components/monitoring";
import { DOMAINS, SINK_NAMES, allTopics, streamsAppByName } from "../components/catalog";
import { DEFAULT_THRESHOLDS } from "../components/config";
import { StackRun, isSecretInput, plain, runStack } from "./support/harness";

const T = {
    provider: "pulumi:providers:grafana",
    folder: "grafana:oss/folder:Folder",
    dashboard: "grafana:oss/dashboard:Dashboard",
    ruleGroup: "grafana:alerting/ruleGroup:RuleGroup",
    contactPoint: "grafana:alerting/contactPoint:ContactPoint",
    policy: "grafana:alerting/notificationPolicy:NotificationPolicy",
    scrapeJob: "grafana:connections/metricsEndpointScrapeJob:MetricsEndpointScrapeJob",
    cloudwatchJob: "grafana:cloudProvider/awsCloudwatchScrapeJob:AwsCloudwatchScrapeJob",
    awsAccount: "grafana:cloudProvider/awsAccount:AwsAccount",
    role: "aws:iam/role:Role",
    apiKey: "confluentcloud:index/apiKey:ApiKey",
    roleBinding: "confluentcloud:index/roleBinding:RoleBinding",
    connector: "confluentcloud:index/connector:Connector",
    environment: "confluentcloud:index/environment:Environment",
    cluster: "confluentcloud:index/kafkaCluster:KafkaCluster",
};

const SECRETS = {
    "grafana:auth": "glsa_mock_service_account_token",
    "grafana:cloudAccessPolicyToken": "glc_mock_access_policy_token",
};
const WEBHOOK = "https://hooks.example.com/services/T000/B000/mock-webhook-secret";

const runs: Record<string, StackRun> = {};

before(async function () {
    this.timeout(120_000);
    const secretKeys = Object.keys(SECRETS);
    runs.dev = await runStack("dev", { set: SECRETS, secretKeys });
    runs.prod = await runStack("prod", { set: SECRETS, secretKeys });
    runs.webhook = await runStack("prod", {
        set: {
            ...SECRETS,
            "lifesci-streaming:monitoring": { grafanaStackSlug: "lifesciprod", contact: { type: "webhook" } },
            "lifesci-streaming:alertWebhookUrl": WEBHOOK,
        },
        secretKeys: [...secretKeys, "lifesci-streaming:alertWebhookUrl"],
    });
});

const rulesOf = (run: StackRun, intent: string) => run.one(T.ruleGroup, `monitoring-rules-${intent}`).inputs.rules as any[];

describe("monitoring: metrics in (Grafana Cloud)", () => {
    it("a MetricsViewer service account on the environment owns a Cloud API key without a managed resource", () => {
        const run = runs.dev;
        const binding = run.one(T.roleBinding, "grafana-cloud-metrics-viewer-metrics-viewer");
        assert.equal(binding.inputs.roleName, "MetricsViewer");
        assert.equal(binding.inputs.crnPattern, run.one(T.environment).state.resourceName);
        const key = run.one(T.apiKey, "grafana-cloud-metrics-key");
        assert.equal(key.inputs.managedResource, undefined);
        assert.ok(key.dependsOn.includes(`${T.roleBinding}::${binding.name}`));
    });

    it("one Metrics Endpoint scrape job reads the export for the cluster, every connector and Schema Registry, with a secret password", () => {
        const run = runs.dev;
        const job = run.one(T.scrapeJob);
        const url = new URL(job.inputs.url);
        assert.equal(`${url.origin}${url.pathname}`, "https://api.telemetry.confluent.cloud/v2/metrics/cloud/export");
        assert.equal(url.searchParams.getAll("resource.kafka.id").length, 1);
        assert.match(url.searchParams.get("resource.kafka.id")!, /^lkc-/);
        assert.equal(url.searchParams.getAll("resource.connector.id").length, run.ofType(T.connector).length);
        assert.equal(new Set(url.searchParams.getAll("resource.connector.id")).size, run.ofType(T.connector).length);
        assert.ok(url.searchParams.getAll("resource.connector.id").every((id) => /^lcc-/.test(id)));
        assert.deepEqual(url.searchParams.getAll("resource.schema_registry.id"), ["lsrc-mock01"]);
        assert.equal(job.inputs.authenticationMethod, "basic");
        // The MetricsViewer key: its id is the user name, its secret the password (the SDK marks the password secret itself).
        assert.equal(job.inputs.authenticationBasicUsername, run.one(T.apiKey, "grafana-cloud-metrics-key").id);
        assert.equal(plain(job.inputs.authenticationBasicPassword), plain(run.one(T.apiKey, "grafana-cloud-metrics-key").state.secret));
        assert.equal(job.inputs.stackId, "1234567");
        assert.equal(job.inputs.scrapeIntervalSeconds, 60);
    });

    it("RDS metrics come from a CloudWatch scrape job through a role only Grafana Cloud can assume, with the stack's external id", () => {
        const run = runs.dev;
        const role = run.one(T.role, "grafana-cloud-cloudwatch-role");
        const trust = JSON.parse(role.inputs.assumeRolePolicy);
        assert.equal(trust.Statement[0].Principal.AWS, "arn:aws:iam::008923505280:root");
        assert.deepEqual(trust.Statement[0].Condition, { StringEquals: { "sts:ExternalId": "2345678" } });
        const actions = JSON.parse(role.inputs.inlinePolicies[0].policy).Statement.flatMap((s: any) => s.Action);
        assert.ok(actions.every((a: string) => /^(cloudwatch:(Get|List)|tag:GetResources)/.test(a)), `role may only read: ${actions}`);
        assert.equal(run.one(T.awsAccount).inputs.roleArn, role.state.arn);
        const job = run.one(T.cloudwatchJob);
        const rds = job.inputs.services[0];
        assert.equal(rds.name, "AWS/RDS");
        assert.deepEqual(rds.metrics.map((m: any) => m.name).sort(), ["BinLogDiskUsage", "CPUUtilization", "DatabaseConnections", "FreeStorageSpace"]);
        assert.deepEqual(rds.resourceDiscoveryTagFilters, [{ key: "project", value: "lifesci-streaming" }, { key: "stack", value: "dev" }]);
        assert.deepEqual(job.inputs.regionsSubsetOverrides, ["eu-central-1"]);
    });

    for (const stack of ["dev", "prod"]) {
        it(`${stack}: the batches-by-status panel queries the series the app's EMF lines become, through the scrape job's custom namespace`, () => {
            const run = runs[stack];
            const names = streamsAppMetrics(streamsAppByName("batch_release"));
            // 1. The ECS task writes EMF into this namespace...
            const container = JSON.parse(run.one("aws:ecs/taskDefinition:TaskDefinition", "streams-batch-release-task").inputs.containerDefinitions)[0];
            const namespace = container.environment.find((e: { name: string }) => e.name === "METRICS_EMF_NAMESPACE")?.value;
            assert.equal(namespace, `lifesci-${stack}/streams`);
            // 2. ...the CloudWatch scrape job reads exactly that namespace and the metric names the app emits (its metrics.json)...
            const custom = run.one(T.cloudwatchJob).inputs.customNamespaces;
            assert.equal(custom.length, 1);
            assert.equal(custom[0].name, namespace);
            assert.deepEqual(
                custom[0].metrics.map((m: any) => m.name),
                [names.batchesByStatus.cloudwatch, names.overdueBatches.cloudwatch],
            );
            // 3. ...and the panel queries the Prometheus name Grafana Cloud gives that metric and statistic, by the status dimension.
            const job = custom[0].metrics[0];
            const series = cloudwatchPromName(custom[0].name, job.name, job.statistics[0]);
            assert.equal(series, `aws_lifesci_${stack}_streams_batches_average`);
            const dashboard = JSON.parse(run.ofType(T.dashboard).find((d) => JSON.parse(d.inputs.configJson).uid === `lifesci-${stack}-streams`)!.inputs.configJson);
            assert.equal(dashboard.title, `lifesci-${stack} Kafka Streams apps`);
            const panel = dashboard.panels.find((p: any) => p.title === "batch_release: batches by release status");
            assert.ok(panel, "the by-status panel exists");
            assert.equal(
                panel.targets[0].expr,
                `sum by (status) (label_replace(${series}, "status", "$1", "dimension_${names.statusLabel.cloudwatch}", "(.*)"))`,
            );
            assert.equal(panel.targets[0].legendFormat, "{{status}}");
            const overdue = dashboard.panels.find((p: any) => p.title.startsWith("batch_release: overdue batches"));
            assert.equal(overdue.targets[0].expr, `sum(${cloudwatchPromName(namespace, custom[0].metrics[1].name, custom[0].metrics[1].statistics[0])})`);
        });
    }

    it("looks up the stack by slug and the stack's Prometheus data source by name", () => {
        const stackLookup = runs.dev.invokes.find((i) => i.token === "grafana:cloud/getStack:getStack");
        assert.equal(stackLookup?.inputs.slug, "lifescidev");
        assert.equal(runs.prod.invokes.find((i) => i.token === "grafana:cloud/getStack:getStack")?.inputs.slug, "lifesciprod");
        const ds = runs.dev.invokes.find((i) => i.token === "grafana:oss/getDataSource:getDataSource");
        assert.equal(ds?.inputs.name, "grafanacloud-lifescidev-prom");
    });
});

describe("monitoring: dashboards and alerting", () => {
    it("one folder holds generated dashboards; every catalog topic and CDC connector appears", () => {
        const run = runs.dev;
        const folder = run.one(T.folder);
        const dashboards = run.ofType(T.dashboard);
        assert.deepEqual(dashboards.map((d) => JSON.parse(d.inputs.configJson).uid).sort(), [
            "lifesci-dev-connectors",
            "lifesci-dev-consumer-lag",
            "lifesci-dev-ksqldb",
            "lifesci-dev-rds",
            "lifesci-dev-streams",
            "lifesci-dev-throughput",
        ]);
        const all = dashboards.map((d) => d.inputs.configJson).join("\n");
        for (const d of dashboards) {
            assert.equal(d.inputs.folder, folder.state.uid);
            for (const panel of JSON.parse(d.inputs.configJson).panels) assert.equal(panel.datasource.uid, "grafanacloud-prom");
        }
        for (const topic of allTopics("lifesci")) assert.ok(all.includes(`topic=\\"${topic.name}\\"`), `topic ${topic.name} has no panel`);
        for (const domain of DOMAINS) assert.ok(all.includes(`lifesci-dev-${domain.name}-cdc`));
        assert.ok(all.includes("lifesci-dev-mysql"), "RDS instance identifier");
    });

    it("one rule group per intent with a rule per watched resource, each query -> reduce -> threshold on the stack's data source", () => {
        const run = runs.dev;
        const groups = run.ofType(T.ruleGroup);
        // dev has no PrivateLink NLB to watch (prod does: test/failoverLambda.test.ts).
        assert.deepEqual(groups.map((g) => g.inputs.name).sort(), ALERT_INTENTS.map((i) => i.key).filter((k) => k !== "privatelink_target_unhealthy").sort());
        assert.equal(rulesOf(run, "connector_not_running").length, DOMAINS.length + SINK_NAMES.length);
        assert.equal(rulesOf(run, "dlq_growth").length, SINK_NAMES.length);
        assert.equal(rulesOf(run, "sink_errors").length, SINK_NAMES.length);
        const s3Dlq = rulesOf(run, "dlq_growth").find((r) => r.labels.connector === "lifesci-dev-s3-raw");
        assert.ok(s3Dlq, "the raw-lake sink's DLQ is watched");
        assert.match(JSON.parse(s3Dlq.datas[0].model).expr, /connector_id="lcc-/);
        assert.equal(rulesOf(run, "cdc_silence").length, DOMAINS.length);
        assert.equal(rulesOf(run, "consumer_lag").length, DOMAINS.length + 1);
        assert.equal(rulesOf(run, "rds_free_storage").length, 1);
        for (const group of groups) {
            assert.equal(group.inputs.folderUid, run.one(T.folder).state.uid);
            assert.equal(group.inputs.intervalSeconds, 60);
            for (const rule of group.inputs.rules) {
                assert.equal(rule.condition, "C");
                assert.deepEqual(rule.datas.map((d: any) => d.datasourceUid), ["grafanacloud-prom", "__expr__", "__expr__"]);
                assert.ok(rule.labels.severity && rule.labels.domain, `${rule.name} lacks routing labels`);
                assert.ok(rule.annotations.description.length > 40);
            }
        }
        const sap = rulesOf(run, "connector_not_running").find((r) => r.labels.domain === "sap");
        assert.match(JSON.parse(sap.datas[0].model).expr, /connector_id="lcc-/);
    });

    it("prod thresholds are stricter than dev, from stack config", () => {
        const threshold = (run: StackRun) => JSON.parse(rulesOf(run, "consumer_lag")[0].datas[2].model).conditions[0].evaluator.params[0];
        assert.equal(threshold(runs.dev), DEFAULT_THRESHOLDS.dev.consumerLagRecords);
        assert.equal(threshold(runs.prod), DEFAULT_THRESHOLDS.prod.consumerLagRecords);
        assert.equal(rulesOf(runs.dev, "connector_not_running")[0].for, `${DEFAULT_THRESHOLDS.dev.connectorDownMinutes}m`);
        assert.equal(rulesOf(runs.prod, "connector_not_running")[0].for, `${DEFAULT_THRESHOLDS.prod.connectorDownMinutes}m`);
        const silence = (run: StackRun) => JSON.parse(rulesOf(run, "cdc_silence")[0].datas[0].model).expr;
        assert.match(silence(runs.dev), /hour\(\) >= 6 and hour\(\) < 18 and day_of_week\(\) >= 1/);
        assert.match(silence(runs.prod), /hour\(\) >= 4 and hour\(\) < 22\)/);
    });

    it("one contact point from config and exactly one notification policy routing by severity, then domain", () => {
        for (const run of [runs.dev, runs.prod, runs.webhook]) {
            assert.equal(run.ofType(T.policy).length, 1);
            const contact = run.one(T.contactPoint);
            const policy = run.one(T.policy).inputs;
            assert.equal(policy.contactPoint, contact.inputs.name);
            assert.deepEqual(policy.policies.map((p: any) => p.matchers[0]), ["critical", "warning", "info"].map((value) => ({ label: "severity", match: "=", value })));
            const domains = policy.policies[0].policies.map((p: any) => p.matchers[0].value);
            assert.deepEqual(domains, [...DOMAINS.map((d) => d.name), "platform"]);
        }
        assert.deepEqual(runs.dev.one(T.contactPoint).inputs.emails[0].addresses, ["streaming-dev@lifesci.example.com"]);
        assert.deepEqual(runs.prod.one(T.contactPoint).inputs.emails[0].addresses, ["streaming-oncall@lifesci.example.com"]);
    });

    it("a webhook contact point gets the URL as a secret", () => {
        const contact = runs.webhook.one(T.contactPoint);
        assert.equal(contact.inputs.emails, undefined);
        assert.ok(isSecretInput(contact.inputs.webhooks), "webhook URL must reach the engine as a secret");
        assert.equal(plain(contact.inputs.webhooks)[0].url, WEBHOOK);
    });
});

describe("monitoring: secrets stay secret", () => {
    it("Grafana credentials reach the providers as secrets, and no output holds one", async () => {
        for (const run of Object.values(runs)) {
            const providers = run.ofType(T.provider);
            assert.equal(providers.length, 2, "one for the Grafana Cloud API, one for the stack");
            // The Grafana SDK marks these inputs secret itself; the program decides where the values come from.
            for (const p of providers) {
                assert.equal(plain(p.inputs.cloudAccessPolicyToken), SECRETS["grafana:cloudAccessPolicyToken"], `${p.name}: cloudAccessPolicyToken from config`);
            }
            const stack = run.one(T.provider, "grafana-cloud-stack");
            assert.equal(plain(stack.inputs.auth), SECRETS["grafana:auth"]);
            const outputs = JSON.stringify(run.outputs);
            for (const secret of [...Object.values(SECRETS), WEBHOOK, plain(run.one(T.apiKey, "grafana-cloud-metrics-key").state.secret)]) {
                assert.ok(!outputs.includes(secret), "an output contains a secret");
            }
        }
    });

    it("the dashboards and rules hold no secret value", () => {
        for (const run of Object.values(runs)) {
            const text = JSON.stringify([...run.ofType(T.dashboard), ...run.ofType(T.ruleGroup)].map((r) => r.inputs));
            for (const secret of [...Object.values(SECRETS), WEBHOOK]) assert.ok(!text.includes(secret));
        }
    });
});
