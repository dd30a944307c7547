// The Kafka Streams apps' own gauges (batches by release status): names declared once in the app's
// metrics.json, the CloudWatch -> Grafana Cloud naming, the env that turns the app's EMF output on,
// and what the dashboard queries compute over several instances (promtool).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { streamsAppByName, streamsAppEnvironment } from "../components/catalog";
import {
    buildDashboards,
    cloudwatchPromName,
    dashboardExpressions,
    streamsAppMetrics,
    streamsCloudwatchNamespace,
    streamsCustomNamespace,
    MetricsSource,
} from "../components/monitoring";
import { promtool } from "./support/promtool";

const APP = streamsAppByName("batch_release");
const ESTATE = { basePrefix: "lifesci", kafkaClusterId: "lkc-abc123", connectors: [], ksqlClusterIds: [], rdsInstanceIds: [] };

describe("streams metrics: names declared once", () => {
    it("come from the app's metrics.json, the file the Java app reads from its classpath", () => {
        const m = streamsAppMetrics(APP);
        const file = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "streams", "batch-release", "src", "main", "resources", "metrics.json"), "utf8"));
        assert.equal(m.batchesByStatus.prometheus, file.batchesByStatus.prometheus);
        assert.equal(m.batchesByStatus.cloudwatch, file.batchesByStatus.cloudwatch);
        assert.equal(m.overdueBatches.prometheus, file.overdueBatches.prometheus);
        assert.deepEqual(m.statusLabel, file.statusLabel);
        assert.deepEqual(m.taskLabel, file.taskLabel);
    });

    it("a missing file or key fails naming the file and the key", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "streams-metrics-"));
        try {
            assert.throws(() => streamsAppMetrics(APP, root), /batch_release: streams\/batch-release\/src\/main\/resources\/metrics\.json is missing or not JSON/);
            const dir = path.join(root, APP.dir, "src", "main", "resources");
            fs.mkdirSync(dir, { recursive: true });
            const good = JSON.parse(fs.readFileSync(path.join(__dirname, "..", APP.dir, "src", "main", "resources", "metrics.json"), "utf8"));
            fs.writeFileSync(path.join(dir, "metrics.json"), JSON.stringify({ ...good, overdueBatches: { ...good.overdueBatches, cloudwatch: "" } }));
            assert.throws(() => streamsAppMetrics(APP, root), /metrics\.json has no overdueBatches\.cloudwatch/);
            fs.writeFileSync(path.join(dir, "metrics.json"), JSON.stringify({ ...good, batchesByStatus: { ...good.batchesByStatus, prometheus: "batches-by-status" } }));
            assert.throws(() => streamsAppMetrics(APP, root), /batchesByStatus\.prometheus "batches-by-status" is not a Prometheus metric name/);
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });
});

describe("streams metrics: CloudWatch to Grafana Cloud", () => {
    it("names CloudWatch metrics as the names the vocabulary already queries for AWS services", () => {
        // The RDS, S3 and NLB series metricsVocabulary.ts reads: the same rule must give them.
        assert.equal(cloudwatchPromName("AWS/RDS", "FreeStorageSpace", "Average"), "aws_rds_free_storage_space_average");
        assert.equal(cloudwatchPromName("AWS/RDS", "CPUUtilization", "Average"), "aws_rds_cpuutilization_average");
        assert.equal(cloudwatchPromName("AWS/RDS", "BinLogDiskUsage", "Average"), "aws_rds_bin_log_disk_usage_average");
        assert.equal(cloudwatchPromName("AWS/S3", "OperationsFailedReplication", "Sum"), "aws_s3_operations_failed_replication_sum");
        assert.equal(cloudwatchPromName("AWS/NetworkELB", "UnHealthyHostCount", "Maximum"), "aws_networkelb_un_healthy_host_count_maximum");
        assert.equal(cloudwatchPromName("lifesci-dev/streams", "Batches", "Average"), "aws_lifesci_dev_streams_batches_average");
    });

    it("refuses a metric that starts with a part of its namespace (YACE would shorten it, differently per version)", () => {
        assert.throws(() => cloudwatchPromName("lifesci-dev/batch_release", "Batches", "Average"), /starts with "batch", a part of its namespace lifesci-dev\/batch_release/);
    });

    it("the scrape job's custom namespace lists every gauge of the app, in the namespace the ECS env names", () => {
        const m = streamsAppMetrics(APP);
        assert.deepEqual(streamsCustomNamespace("lifesci-prod", 300), {
            name: "lifesci-prod/streams",
            scrapeIntervalSeconds: 300,
            metrics: [
                { name: m.batchesByStatus.cloudwatch, statistics: ["Average"] },
                { name: m.overdueBatches.cloudwatch, statistics: ["Average"] },
            ],
        });
        const runtime = { basePrefix: "lifesci", bootstrapServers: "b:9092", securityProtocol: "PLAINTEXT" as const, valueFormat: "json" as const, replicationFactor: 1 };
        assert.equal(streamsAppEnvironment(APP, runtime).environment.METRICS_EMF_NAMESPACE, undefined, "off unless asked (local, e2e)");
        const env = streamsAppEnvironment(APP, { ...runtime, metricsNamespace: streamsCloudwatchNamespace("lifesci-prod") }).environment;
        assert.equal(env.METRICS_EMF_NAMESPACE, "lifesci-prod/streams");
    });

    it("a namespace CloudWatch would refuse fails naming METRICS_EMF_NAMESPACE", () => {
        const runtime = { basePrefix: "lifesci", bootstrapServers: "b:9092", securityProtocol: "PLAINTEXT" as const, valueFormat: "json" as const, replicationFactor: 1 };
        for (const bad of ["AWS/ECS", "", "x".repeat(256), "caf\u00e9/streams", ":streams"]) {
            assert.throws(() => streamsAppEnvironment(APP, { ...runtime, metricsNamespace: bad }), /batch_release: METRICS_EMF_NAMESPACE ".*" is not a CloudWatch namespace of our own/, bad);
        }
    });
});

// --- what the panels compute (promtool) ------------------------------------------------------

type Series = { series: string; values: string };
const series = (metric: string, labels: Record<string, string>, values: string): Series => ({
    series: `${metric}{${Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(", ")}}`,
    values,
});

function panel(source: MetricsSource, title: string): string {
    const streams = buildDashboards(source, ESTATE, "lifesci-dev", "prom").find((d) => d.uid === "lifesci-dev-streams")!;
    const p = (streams.json.panels as { title: string; targets: { expr: string }[] }[]).find((x) => x.title.startsWith(title));
    assert.ok(p, `panel ${title}`);
    assert.ok(dashboardExpressions(streams).includes(p.targets[0].expr));
    return p.targets[0].expr;
}

describe("streams metrics: the panels sum every task of every instance once (promtool)", function () {
    this.timeout(60_000);
    let dir: string;
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifesci-streams-metrics-"))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    function run(name: string, inputSeries: Series[], tests: { expr: string; eval_time: string; exp_samples: { labels: string; value: number }[] }[]) {
        fs.writeFileSync(path.join(dir, `${name}.test.yml`), YAML.stringify({ rule_files: [], evaluation_interval: "1m", tests: [{ interval: "1m", input_series: inputSeries, promql_expr_test: tests }] }));
        return promtool(["test", "rules", `${name}.test.yml`], dir);
    }

    it("local: two instances' GET /metrics (tasks 3_0 and 3_1, then 3_1 moves to the first instance) give one total per status", () => {
        const m = streamsAppMetrics(APP);
        const scrape = (instance: string, task: string, status: string, values: string) =>
            series(m.batchesByStatus.prometheus, { job: "kafka-streams", instance, task, status }, values);
        // Instance a owns 3_0; instance b owns 3_1 for 10 minutes, then the task moves to a (rebalance): b's
        // next scrape no longer has the series, so Prometheus marks it stale at once (not after the 5 m lookback).
        const input = [
            scrape("a:8080", "3_0", "READY", "2x20"),
            scrape("a:8080", "3_0", "BLOCKED", "1x20"),
            scrape("a:8080", "3_0", "PENDING", "0x20"),
            scrape("b:8080", "3_1", "READY", "3x9 stale"),
            scrape("b:8080", "3_1", "BLOCKED", "0x9 stale"),
            scrape("b:8080", "3_1", "PENDING", "4x9 stale"),
            scrape("a:8080", "3_1", "READY", "_x10 3x10"),
            scrape("a:8080", "3_1", "BLOCKED", "_x10 0x10"),
            scrape("a:8080", "3_1", "PENDING", "_x10 5x10"),
            series(m.overdueBatches.prometheus, { job: "kafka-streams", instance: "a:8080", task: "3_0" }, "1x20"),
            series(m.overdueBatches.prometheus, { job: "kafka-streams", instance: "b:8080", task: "3_1" }, "2x9 stale"),
        ];
        const byStatus = panel("local", "batch_release: batches by release status");
        const expected = (ready: number, blocked: number, pending: number) => [
            { labels: '{status="BLOCKED"}', value: blocked },
            { labels: '{status="PENDING"}', value: pending },
            { labels: '{status="READY"}', value: ready },
        ];
        const result = run("local", input, [
            { expr: byStatus, eval_time: "5m", exp_samples: expected(5, 1, 4) },
            { expr: byStatus, eval_time: "15m", exp_samples: expected(5, 1, 5) },
            { expr: panel("local", "batch_release: overdue batches"), eval_time: "5m", exp_samples: [{ labels: "{}", value: 3 }] },
        ]);
        assert.equal(result.status, 0, result.output);
    });

    it("cloud: the CloudWatch series of two tasks (dimension labels, as Grafana Cloud names them) give one total per status", () => {
        const name = cloudwatchPromName(streamsCloudwatchNamespace("lifesci-dev"), streamsAppMetrics(APP).batchesByStatus.cloudwatch, "Average");
        const cw = (task: string, status: string, values: string) =>
            series(name, { dimension_Status: status, dimension_Task: task, region: "eu-central-1", account_id: "123456789012", job: "cloud/aws/lifesci-dev/streams" }, values);
        const input = [cw("3_0", "READY", "2x10"), cw("3_0", "BLOCKED", "1x10"), cw("3_1", "READY", "3x10"), cw("3_1", "PENDING", "4x10")];
        const result = run("cloud", input, [
            {
                expr: panel("confluent-cloud", "batch_release: batches by release status"),
                eval_time: "5m",
                exp_samples: [
                    { labels: '{status="BLOCKED"}', value: 1 },
                    { labels: '{status="PENDING"}', value: 4 },
                    { labels: '{status="READY"}', value: 5 },
                ],
            },
        ]);
        assert.equal(result.status, 0, result.output);
    });

    it("a wrong total is caught (the check can fail)", () => {
        const m = streamsAppMetrics(APP);
        const result = run("wrong", [series(m.batchesByStatus.prometheus, { instance: "a", task: "3_0", status: "READY" }, "2x10")], [
            { expr: panel("local", "batch_release: batches by release status"), eval_time: "5m", exp_samples: [{ labels: '{status="READY"}', value: 3 }] },
        ]);
        assert.notEqual(result.status, 0);
    });
});
