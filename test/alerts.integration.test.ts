// Alert intents and dashboards, pure: every generated expression passes `promtool check rules`,
// and `promtool test rules` feeds input series to prove each alert fires when it should and stays
// quiet when it should not, for both metrics sources.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { ALERT_INTENTS, alertExpression, AlertRule, alertRules, buildDashboards, confluentExportUrl, DASHBOARD_SCHEMA_VERSION, dashboardExpressions, duringOperatingHours, exactAlternation, grafanaRuleStages, METRICS_SOURCES, MetricsSource, MonitoredEstate, prometheusRuleFile } from "../components/monitoring";
import { DOMAINS, allTopics } from "../components/catalog";
import { DEFAULT_THRESHOLDS, OperatingHours } from "../components/config";
import { PROMTOOL_INSTALL_HINT, promtool } from "./support/promtool";

const ESTATE: MonitoredEstate = {
    basePrefix: "lifesci",
    kafkaClusterId: "lkc-abc123",
    connectors: [
        ...DOMAINS.map((d) => ({ name: `lifesci-dev-${d.name}-cdc`, id: `lcc-${d.name}01`, kind: "source" as const, domain: d.name })),
        { name: "lifesci-dev-s3-sink", id: "lcc-s3sink1", kind: "sink" },
        { name: "lifesci-dev-snowflake-sink", id: "lcc-snow01", kind: "sink" },
    ],
    ksqlClusterIds: ["lksqlc-ab12"],
    rdsInstanceIds: ["lifesci-dev-mysql"],
    s3Replications: [{ sourceBucket: "lifesci-dev-audit-staging-1", destinationBucket: "lifesci-dev-audit-archive-1", ruleId: "audit-archive" }],
};
const DEV = DEFAULT_THRESHOLDS.dev;
const HOURS: OperatingHours = { startHourUtc: 6, endHourUtc: 18, weekdaysOnly: true };
const SINKS = ESTATE.connectors.filter((c) => c.kind === "sink");

const rulesFor = (source: MetricsSource) => alertRules(source, ESTATE, DEV, HOURS);
const find = (rules: AlertRule[], intent: string, key: string) => {
    const rule = rules.find((r) => r.intent === intent && r.title.endsWith(` ${key}`));
    assert.ok(rule, `no ${intent} rule for ${key}`);
    return rule;
};

describe("alerts: intents as data", () => {
    it("every intent has a severity, a runbook and an expression for the sources it claims", () => {
        for (const intent of ALERT_INTENTS) {
            assert.match(intent.severity, /^(critical|warning|info)$/);
            assert.ok(intent.runbook.length > 40, `${intent.key}: runbook too short`);
            assert.ok(intent.sources.length > 0);
        }
        const keys = ALERT_INTENTS.map((i) => i.key).sort();
        assert.deepEqual(keys, [
            "audit_replication_failed",
            "batch_release_overdue",
            "cdc_silence",
            "connector_not_running",
            "consumer_lag",
            "dlq_growth",
            "dlq_record",
            "lab_out_of_spec",
            "machine_alarms",
            "rds_binlog_usage",
            "rds_free_storage",
            "sink_errors",
            "streams_consumer_lag",
        ]);
    });

    it("one rule per intent per watched resource, derived from the catalog and the estate", () => {
        const rules = rulesFor("confluent-cloud");
        const count = (intent: string) => rules.filter((r) => r.intent === intent).length;
        assert.equal(count("connector_not_running"), ESTATE.connectors.length);
        assert.equal(count("dlq_growth"), SINKS.length);
        assert.equal(count("dlq_record"), SINKS.length);
        assert.equal(count("dlq_record"), rulesFor("local").filter((r) => r.intent === "dlq_record").length);
        assert.equal(count("sink_errors"), SINKS.length);
        assert.equal(count("cdc_silence"), DOMAINS.length);
        assert.equal(count("consumer_lag"), DOMAINS.length + 1);
        assert.equal(count("lab_out_of_spec"), 1);
        assert.equal(count("machine_alarms"), 1);
        assert.equal(count("rds_free_storage"), 1);
        assert.equal(count("audit_replication_failed"), 1);
        // One per catalog Kafka Streams app (its consumer group), one per output an intent fires on.
        assert.equal(count("streams_consumer_lag"), 1);
        assert.equal(count("batch_release_overdue"), 1);
        assert.equal(find(rules, "streams_consumer_lag", "batch_release").labels.consumer_group, "lifesci.streams.batch-release");
        assert.equal(new Set(rules.map((r) => r.title)).size, rules.length, "rule titles are unique");
        // No RDS locally: those intents have no local expression.
        assert.equal(rulesFor("local").filter((r) => r.intent.startsWith("rds_")).length, 0);
        // Nor S3 Replication (MinIO).
        assert.equal(rulesFor("local").filter((r) => r.intent === "audit_replication_failed").length, 0);
    });

    it("rules carry routing labels (severity, domain) and the runbook", () => {
        const rule = find(rulesFor("confluent-cloud"), "connector_not_running", "lifesci-dev-lims-cdc");
        assert.deepEqual(rule.labels, { severity: "critical", domain: "lims", intent: "connector_not_running", connector: "lifesci-dev-lims-cdc" });
        assert.match(rule.annotations.description, /status/);
        assert.equal(find(rulesFor("confluent-cloud"), "lab_out_of_spec", "ksql.lab_results_oos").labels.domain, "lims");
    });

    it("the CDC silence rule of a domain watches exactly that domain's catalog topics", () => {
        const rule = find(rulesFor("confluent-cloud"), "cdc_silence", "sap");
        const sap = DOMAINS.find((d) => d.name === "sap")!;
        const regex = exactAlternation(sap.tables.map((t) => `lifesci.sap.sap_orders.${t.name}`));
        assert.ok(rule.query.includes(`topic=~${JSON.stringify(regex)}`), rule.query);
        assert.ok(!rule.query.includes("lims"));
        assert.ok(rule.query.includes(duringOperatingHours(HOURS)));
        const local = find(rulesFor("local"), "cdc_silence", "sap");
        assert.match(local.query, /debezium_metrics_totalnumberofeventsseen\{context="streaming", name="lifesci\.sap"\}/);
    });

    it("any record in any sink's DLQ pages, whatever the tier's DLQ growth threshold (issue 22, item 3)", () => {
        for (const tier of ["dev", "prod"] as const) {
            for (const source of METRICS_SOURCES) {
                const rules = alertRules(source, ESTATE, DEFAULT_THRESHOLDS[tier], HOURS).filter((r) => r.intent === "dlq_record");
                assert.deepEqual(rules.map((r) => r.labels.connector).sort(), SINKS.map((c) => c.name).sort());
                for (const r of rules) assert.deepEqual([r.op, r.threshold, r.forMinutes, r.labels.severity], [">", 0, 0, "critical"]);
            }
        }
    });

    it("prod thresholds are stricter than dev", () => {
        const dev = alertRules("confluent-cloud", ESTATE, DEFAULT_THRESHOLDS.dev, HOURS);
        const prod = alertRules("confluent-cloud", ESTATE, DEFAULT_THRESHOLDS.prod, HOURS);
        const lag = (rules: AlertRule[]) => find(rules, "consumer_lag", "lims");
        assert.ok(lag(prod).threshold < lag(dev).threshold);
        assert.ok(lag(prod).forMinutes < lag(dev).forMinutes);
        assert.ok(find(prod, "connector_not_running", "lifesci-dev-sap-cdc").forMinutes < find(dev, "connector_not_running", "lifesci-dev-sap-cdc").forMinutes);
    });

    it("Grafana rules are query -> reduce -> threshold with the __expr__ data source", () => {
        const rule = find(rulesFor("confluent-cloud"), "consumer_lag", "lims");
        const stages = grafanaRuleStages(rule, "prom-uid");
        assert.deepEqual(stages.map((s) => [s.refId, s.datasourceUid]), [["A", "prom-uid"], ["B", "__expr__"], ["C", "__expr__"]]);
        const [a, b, c] = stages.map((s) => JSON.parse(s.model));
        assert.equal(a.expr, rule.query);
        assert.deepEqual([b.type, b.expression, b.reducer], ["reduce", "A", "last"]);
        assert.deepEqual([c.type, c.expression, c.conditions[0].evaluator], ["threshold", "B", { type: "gt", params: [DEV.consumerLagRecords] }]);
    });
});

describe("alerts: Confluent metrics export URL", () => {
    it("repeats the query parameter per id, for every resource type", () => {
        const url = confluentExportUrl({ kafka: ["lkc-1"], connector: ["lcc-a", "lcc-b"], ksql: ["lksqlc-9"], schemaRegistry: ["lsrc-2"] });
        assert.equal(
            url,
            "https://api.telemetry.confluent.cloud/v2/metrics/cloud/export?resource.kafka.id=lkc-1&resource.connector.id=lcc-a" +
                "&resource.connector.id=lcc-b&resource.ksql.id=lksqlc-9&resource.schema_registry.id=lsrc-2",
        );
    });

    it("rejects an empty resource list and ids that are not Confluent ids", () => {
        assert.throws(() => confluentExportUrl({ kafka: [], connector: [], ksql: [], schemaRegistry: [] }), /at least one resource id/);
        assert.throws(() => confluentExportUrl({ kafka: ["lkc-1&x=y"], connector: [], ksql: [], schemaRegistry: [] }), /resource\.kafka\.id: "lkc-1&x=y"/);
    });
});

describe("alerts: dashboards", () => {
    it("ksqlDB panels do not filter on the ksql_id label, which the export documentation does not show verbatim", () => {
        const ksql = buildDashboards("confluent-cloud", ESTATE, "lifesci-dev", "prom-uid").find((d) => d.uid.endsWith("ksqldb"))!;
        const exprs = JSON.stringify(ksql.json);
        assert.ok(exprs.includes("confluent_kafka_ksql_query_saturation"), "the ksqlDB dashboard shows saturation");
        assert.ok(!/ksql_id\s*=~?/.test(exprs), "a ksql_id matcher would leave the panels empty if the label is spelled differently");
    });

    for (const source of METRICS_SOURCES) {
        it(`${source}: valid Grafana dashboard JSON with a data source and targets on every panel`, () => {
            for (const d of buildDashboards(source, ESTATE, "lifesci-dev", "prom-uid")) {
                const json = JSON.parse(JSON.stringify(d.json));
                assert.equal(json.schemaVersion, DASHBOARD_SCHEMA_VERSION);
                assert.equal(json.uid, d.uid);
                assert.ok(d.uid.length <= 40);
                assert.ok(json.panels.length > 0, `${d.uid} has no panels`);
                const ids = json.panels.map((p: any) => p.id);
                assert.equal(new Set(ids).size, ids.length, "panel ids are unique");
                for (const panel of json.panels) {
                    assert.deepEqual(panel.datasource, { type: "prometheus", uid: "prom-uid" });
                    assert.ok(panel.targets.length > 0, `${panel.title} has no targets`);
                    for (const t of panel.targets) {
                        assert.match(t.refId, /^[A-Z]$/);
                        assert.ok(t.expr.length > 0);
                        assert.deepEqual(t.datasource, panel.datasource);
                    }
                    assert.deepEqual(Object.keys(panel.gridPos).sort(), ["h", "w", "x", "y"]);
                }
            }
        });

        it(`${source}: every catalog topic and every connector appears`, () => {
            const byUid = new Map(buildDashboards(source, ESTATE, "lifesci-dev", "prom-uid").map((d) => [d.uid, JSON.stringify(d.json)]));
            for (const topic of allTopics("lifesci")) {
                assert.ok(byUid.get("lifesci-dev-throughput")!.includes(JSON.stringify(topic.name).slice(1, -1)), `topic ${topic.name} missing`);
            }
            for (const c of ESTATE.connectors) {
                assert.ok(byUid.get("lifesci-dev-connectors")!.includes(c.name), `connector ${c.name} missing`);
            }
            if (source === "confluent-cloud") {
                for (const c of ESTATE.connectors) assert.ok(byUid.get("lifesci-dev-connectors")!.includes(c.id));
                assert.ok(byUid.has("lifesci-dev-ksqldb") && byUid.has("lifesci-dev-rds"));
            }
        });
    }
});

// --- promtool -------------------------------------------------------------------------------

type Series = { series: string; values: string };
const labels = (l: Record<string, string>) => `{${Object.entries(l).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(", ")}}`;
const s = (metric: string, l: Record<string, string>, values: string): Series => ({ series: `${metric}${labels(l)}`, values });

/** An expected firing alert of a rule, with the labels the query adds. */
const fires = (rule: AlertRule, queryLabels: Record<string, string> = {}) => ({
    exp_labels: { ...queryLabels, ...rule.labels },
    exp_annotations: { ...rule.annotations, title: rule.title },
});

function cloudTests(rules: AlertRule[]) {
    const kafka = { kafka_id: "lkc-abc123" };
    const running = (id: string, values: string) => s("confluent_kafka_connect_connector_status", { connector_id: id, status: "RUNNING" }, values);
    const labTopic = "lifesci.lims.lims.test_results";
    const lag = (group: string, values: string) =>
        s("confluent_kafka_server_consumer_lag_offsets", { ...kafka, topic: labTopic, consumer_group_id: group }, values);
    const cdcTopic = (d: (typeof DOMAINS)[number]) => `lifesci.${d.name}.${d.database}.${d.tables[0].name}`;
    const received = (topic: string, values: string) => s("confluent_kafka_server_received_records", { ...kafka, topic }, values);
    const gib = 1073741824;
    return [
        {
            // Lag spike vs steady; connector status flip; DLQ growth vs a quiet DLQ; a failed sink task.
            interval: "1m",
            input_series: [
                lag("connect-lcc-s3sink1", "500x30 50000x30"),
                lag("connect-lcc-snow01", "200x60"),
                ...ESTATE.connectors.filter((c) => c.id !== "lcc-sap01").map((c) => running(c.id, "1x60")),
                running("lcc-sap01", "1x20 _x40"),
                s("confluent_kafka_connect_connector_status", { connector_id: "lcc-sap01", status: "FAILED" }, "_x20 1x40"),
                s("confluent_kafka_connect_dead_letter_queue_records", { connector_id: "lcc-s3sink1" }, "0x30 5x30"),
                s("confluent_kafka_connect_dead_letter_queue_records", { connector_id: "lcc-snow01" }, "0x60"),
                s("confluent_kafka_connect_connector_task_status", { connector_id: "lcc-snow01", task: "0", status: "RUNNING" }, "1x30 _x30"),
                s("confluent_kafka_connect_connector_task_status", { connector_id: "lcc-snow01", task: "0", status: "FAILED" }, "_x30 1x30"),
            ],
            alert_rule_test: [
                { eval_time: "20m", alertname: "ConsumerLagHigh", exp_alerts: [] },
                { eval_time: "40m", alertname: "ConsumerLagHigh", exp_alerts: [] },
                {
                    eval_time: "50m",
                    alertname: "ConsumerLagHigh",
                    exp_alerts: [fires(find(rules, "consumer_lag", "lims"), { consumer_group_id: "connect-lcc-s3sink1", topic: labTopic })],
                },
                { eval_time: "15m", alertname: "ConnectorNotRunning", exp_alerts: [] },
                { eval_time: "28m", alertname: "ConnectorNotRunning", exp_alerts: [] },
                { eval_time: "40m", alertname: "ConnectorNotRunning", exp_alerts: [fires(find(rules, "connector_not_running", "lifesci-dev-sap-cdc"))] },
                { eval_time: "25m", alertname: "DeadLetterQueueGrowing", exp_alerts: [] },
                { eval_time: "45m", alertname: "DeadLetterQueueGrowing", exp_alerts: [fires(find(rules, "dlq_growth", "lifesci-dev-s3-sink"))] },
                { eval_time: "25m", alertname: "SinkTaskErrors", exp_alerts: [] },
                { eval_time: "50m", alertname: "SinkTaskErrors", exp_alerts: [fires(find(rules, "sink_errors", "lifesci-dev-snowflake-sink"))] },
            ],
        },
        {
            // The export documentation does not show the status values' case: "Running"/"running"
            // must count as RUNNING (no page forever), "failed" as FAILED.
            interval: "1m",
            input_series: [
                ...ESTATE.connectors.map((c, i) =>
                    s("confluent_kafka_connect_connector_status", { connector_id: c.id, status: i % 2 ? "running" : "Running" }, "1x60"),
                ),
                s("confluent_kafka_connect_connector_task_status", { connector_id: "lcc-snow01", task: "0", status: "failed" }, "_x30 1x30"),
            ],
            alert_rule_test: [
                { eval_time: "40m", alertname: "ConnectorNotRunning", exp_alerts: [] },
                { eval_time: "50m", alertname: "SinkTaskErrors", exp_alerts: [fires(find(rules, "sink_errors", "lifesci-dev-snowflake-sink"))] },
            ],
        },
        {
            // One record in the Snowflake sink's DLQ (a refused ALTER TABLE sends records there):
            // below the dev growth threshold, yet it pages; a quiet DLQ does not.
            interval: "1m",
            input_series: [
                s("confluent_kafka_connect_dead_letter_queue_records", { connector_id: "lcc-snow01" }, "0x30 1x1 0x29"),
                s("confluent_kafka_connect_dead_letter_queue_records", { connector_id: "lcc-s3sink1" }, "0x60"),
            ],
            alert_rule_test: [
                { eval_time: "25m", alertname: "DeadLetterQueueRecord", exp_alerts: [] },
                { eval_time: "33m", alertname: "DeadLetterQueueRecord", exp_alerts: [fires(find(rules, "dlq_record", "lifesci-dev-snowflake-sink"))] },
                { eval_time: "33m", alertname: "DeadLetterQueueGrowing", exp_alerts: [] },
            ],
        },
        {
            // Silence on a source: sap stops at 07:00 (operating hours 06-18 UTC, Thu 1 Jan 1970);
            // screening is silent until 05:00, outside operating hours, which must not alert.
            interval: "1m",
            input_series: DOMAINS.map((d) =>
                received(cdcTopic(d), d.name === "sap" ? "10x420 _x120" : d.name === "screening" ? "_x300 10x240" : "10x540"),
            ),
            alert_rule_test: [
                { eval_time: "2h", alertname: "CdcSourceSilent", exp_alerts: [] },
                { eval_time: "7h30m", alertname: "CdcSourceSilent", exp_alerts: [] },
                { eval_time: "8h10m", alertname: "CdcSourceSilent", exp_alerts: [fires(find(rules, "cdc_silence", "sap"))] },
            ],
        },
        {
            // Out-of-spec lab results and machine alarms from the ksqlDB output topics; RDS storage.
            interval: "1m",
            input_series: [
                received("lifesci.ksql.lab_results_oos", "0x20 1x1 0x20"),
                received("lifesci.ksql.machine_alarms", "1x30 3x30"),
                s("aws_rds_free_storage_space_average", { dimension_DBInstanceIdentifier: "lifesci-dev-mysql" }, `${20 * gib}x20 ${3 * gib}x30`),
                s("aws_rds_bin_log_disk_usage_average", { dimension_DBInstanceIdentifier: "lifesci-dev-mysql" }, `${gib}x50`),
            ],
            alert_rule_test: [
                { eval_time: "15m", alertname: "LabResultsOutOfSpec", exp_alerts: [] },
                { eval_time: "25m", alertname: "LabResultsOutOfSpec", exp_alerts: [fires(find(rules, "lab_out_of_spec", "ksql.lab_results_oos"))] },
                { eval_time: "25m", alertname: "MachineAlarms", exp_alerts: [] },
                {
                    eval_time: "50m",
                    alertname: "MachineAlarms",
                    exp_alerts: [fires(find(rules, "machine_alarms", "ksql.machine_alarms"))],
                },
                { eval_time: "25m", alertname: "RdsFreeStorageLow", exp_alerts: [] },
                { eval_time: "40m", alertname: "RdsFreeStorageLow", exp_alerts: [fires(find(rules, "rds_free_storage", "lifesci-dev-mysql"))] },
                { eval_time: "40m", alertname: "RdsBinlogDiskUsageHigh", exp_alerts: [] },
            ],
        },
        {
            // The audit archive's replication: quiet while no operation fails (and before CloudWatch reports anything),
            // fires on the first failed operation of its rule; another bucket's failures do not count.
            interval: "1m",
            input_series: [
                s("aws_s3_operations_failed_replication_sum", { dimension_SourceBucket: "lifesci-dev-audit-staging-1", dimension_DestinationBucket: "lifesci-dev-audit-archive-1", dimension_RuleId: "audit-archive" }, "_x10 0x20 2x1 0x29"),
                s("aws_s3_operations_failed_replication_sum", { dimension_SourceBucket: "someone-elses-bucket", dimension_DestinationBucket: "x", dimension_RuleId: "audit-archive" }, "5x60"),
            ],
            alert_rule_test: [
                { eval_time: "5m", alertname: "AuditReplicationFailed", exp_alerts: [] },
                { eval_time: "25m", alertname: "AuditReplicationFailed", exp_alerts: [] },
                {
                    eval_time: "33m",
                    alertname: "AuditReplicationFailed",
                    exp_alerts: [fires(find(rules, "audit_replication_failed", "lifesci-dev-audit-staging-1->lifesci-dev-audit-archive-1"))],
                },
            ],
        },
        {
            // The batch release app: its group lags from minute 30 (another group's lag does not count);
            // one overdue record at minute 20 fires, a quiet overdue topic does not.
            interval: "1m",
            input_series: [
                s("confluent_kafka_server_consumer_lag_offsets", { ...kafka, topic: "lifesci.lims.lims.test_results", consumer_group_id: "lifesci.streams.batch-release" }, "10x30 90000x30"),
                s("confluent_kafka_server_consumer_lag_offsets", { ...kafka, topic: "lifesci.lims.lims.test_results", consumer_group_id: "lifesci.streams.batch-release-other" }, "90000x60"),
                received("lifesci.streams.batch_release_overdue", "0x20 1x1 0x20"),
            ],
            alert_rule_test: [
                { eval_time: "40m", alertname: "StreamsAppLagging", exp_alerts: [] },
                {
                    eval_time: "55m",
                    alertname: "StreamsAppLagging",
                    exp_alerts: [fires(find(rules, "streams_consumer_lag", "batch_release"), { consumer_group_id: "lifesci.streams.batch-release", topic: "lifesci.lims.lims.test_results" })],
                },
                { eval_time: "15m", alertname: "BatchReleaseOverdue", exp_alerts: [] },
                { eval_time: "25m", alertname: "BatchReleaseOverdue", exp_alerts: [fires(find(rules, "batch_release_overdue", "streams.batch_release_overdue"))] },
            ],
        },
    ];
}

function localTests(rules: AlertRule[]) {
    const running = (name: string, values: string) => s("kafka_connect_connector_status", { connector: name, status: "running" }, values);
    return [
        {
            interval: "1m",
            input_series: [
                s("kafka_consumergroup_lag", { consumergroup: "connect-lifesci-dev-s3-sink", topic: "lifesci.mes.mes.machine_events", partition: "0" }, "100x30 40000x30"),
                s("kafka_consumergroup_lag", { consumergroup: "connect-lifesci-dev-s3-sink", topic: "lifesci.mes.mes.batches", partition: "0" }, "100x60"),
                ...ESTATE.connectors.filter((c) => c.name !== "lifesci-dev-lims-cdc").map((c) => running(c.name, "1x60")),
                running("lifesci-dev-lims-cdc", "1x20 _x40"),
                s("kafka_connect_connector_status", { connector: "lifesci-dev-lims-cdc", status: "failed" }, "_x20 1x40"),
                // Counters: the DLQ grows from minute 30 on.
                s("kafka_connect_task_error_metrics_deadletterqueue_produce_requests", { connector: "lifesci-dev-s3-sink", task: "0" }, "0x30 0+5x30"),
                s("kafka_connect_task_error_metrics_total_record_errors", { connector: "lifesci-dev-snowflake-sink", task: "0" }, "0x60"),
            ],
            alert_rule_test: [
                { eval_time: "40m", alertname: "ConsumerLagHigh", exp_alerts: [] },
                {
                    eval_time: "50m",
                    alertname: "ConsumerLagHigh",
                    exp_alerts: [fires(find(rules, "consumer_lag", "mes"), { consumergroup: "connect-lifesci-dev-s3-sink", topic: "lifesci.mes.mes.machine_events" })],
                },
                { eval_time: "15m", alertname: "ConnectorNotRunning", exp_alerts: [] },
                { eval_time: "40m", alertname: "ConnectorNotRunning", exp_alerts: [fires(find(rules, "connector_not_running", "lifesci-dev-lims-cdc"))] },
                { eval_time: "25m", alertname: "DeadLetterQueueGrowing", exp_alerts: [] },
                { eval_time: "45m", alertname: "DeadLetterQueueGrowing", exp_alerts: [fires(find(rules, "dlq_growth", "lifesci-dev-s3-sink"))] },
                { eval_time: "50m", alertname: "SinkTaskErrors", exp_alerts: [] },
            ],
        },
        {
            // Kafka Connect's JMX exporter reports lower case; an upper-case value must not page either.
            interval: "1m",
            input_series: ESTATE.connectors.map((c) => s("kafka_connect_connector_status", { connector: c.name, status: "RUNNING" }, "1x60")),
            alert_rule_test: [{ eval_time: "40m", alertname: "ConnectorNotRunning", exp_alerts: [] }],
        },
        {
            // A single DLQ produce request on the local JDBC sink pages; the S3 sink's flat counter does not.
            interval: "1m",
            input_series: [
                s("kafka_connect_task_error_metrics_deadletterqueue_produce_requests", { connector: "lifesci-dev-snowflake-sink", task: "0" }, "0x30 1x30"),
                s("kafka_connect_task_error_metrics_deadletterqueue_produce_requests", { connector: "lifesci-dev-s3-sink", task: "0" }, "3x60"),
            ],
            alert_rule_test: [
                { eval_time: "25m", alertname: "DeadLetterQueueRecord", exp_alerts: [] },
                { eval_time: "35m", alertname: "DeadLetterQueueRecord", exp_alerts: [fires(find(rules, "dlq_record", "lifesci-dev-snowflake-sink"))] },
            ],
        },
        {
            // Debezium's event counter for lims stops at 07:00; the others keep counting.
            interval: "1m",
            input_series: DOMAINS.map((d) =>
                s("debezium_metrics_totalnumberofeventsseen", { context: "streaming", name: `lifesci.${d.name}`, plugin: "mysql" }, d.name === "lims" ? "0+10x420 4200x120" : "0+10x540"),
            ),
            alert_rule_test: [
                { eval_time: "7h30m", alertname: "CdcSourceSilent", exp_alerts: [] },
                { eval_time: "8h10m", alertname: "CdcSourceSilent", exp_alerts: [fires(find(rules, "cdc_silence", "lims"))] },
            ],
        },
        {
            // kafka-exporter: the app's group lags from minute 30; the overdue topic's offset moves at minute 20.
            interval: "1m",
            input_series: [
                s("kafka_consumergroup_lag", { consumergroup: "lifesci.streams.batch-release", topic: "lifesci.mes.mes.batches", partition: "0" }, "5x30 50000x30"),
                s("kafka_topic_partition_current_offset", { topic: "lifesci.streams.batch_release_overdue", partition: "0" }, "3x20 4x40"),
            ],
            alert_rule_test: [
                { eval_time: "40m", alertname: "StreamsAppLagging", exp_alerts: [] },
                {
                    eval_time: "55m",
                    alertname: "StreamsAppLagging",
                    exp_alerts: [fires(find(rules, "streams_consumer_lag", "batch_release"), { consumergroup: "lifesci.streams.batch-release", topic: "lifesci.mes.mes.batches" })],
                },
                { eval_time: "15m", alertname: "BatchReleaseOverdue", exp_alerts: [] },
                { eval_time: "25m", alertname: "BatchReleaseOverdue", exp_alerts: [fires(find(rules, "batch_release_overdue", "streams.batch_release_overdue"))] },
                { eval_time: "55m", alertname: "BatchReleaseOverdue", exp_alerts: [] },
            ],
        },
    ];
}

describe("alerts: promtool proves every expression", function () {
    this.timeout(60_000);
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifesci-promtool-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const write = (name: string, content: unknown) => fs.writeFileSync(path.join(dir, name), YAML.stringify(content));

    it("a missing promtool fails with the install hint, never a silent skip", () => {
        const saved = process.env.PROMTOOL;
        process.env.PROMTOOL = "/nonexistent/promtool";
        try {
            assert.throws(() => promtool(["--version"], os.tmpdir()), (err: Error) => err.message === PROMTOOL_INSTALL_HINT);
        } finally {
            if (saved === undefined) delete process.env.PROMTOOL;
            else process.env.PROMTOOL = saved;
        }
    });

    it("promtool check rules: every alert expression (both sources, dev and prod) and every dashboard query", () => {
        const files: string[] = [];
        for (const source of METRICS_SOURCES) {
            for (const tier of ["dev", "prod"] as const) {
                const name = `${source}-${tier}.rules.yml`;
                write(name, prometheusRuleFile(alertRules(source, ESTATE, DEFAULT_THRESHOLDS[tier], HOURS)));
                files.push(name);
            }
            const queries = buildDashboards(source, ESTATE, "lifesci-dev", "prom").flatMap(dashboardExpressions);
            write(`${source}-dashboards.rules.yml`, {
                groups: [{ name: "dashboard-queries", rules: queries.map((expr, i) => ({ record: `lifesci:dashboard_query_${i}`, expr })) }],
            });
            files.push(`${source}-dashboards.rules.yml`);
        }
        const result = promtool(["check", "rules", ...files], dir);
        assert.equal(result.status, 0, result.output);
        assert.match(result.output, /SUCCESS/);
    });

    it("a broken expression is caught (the check can fail)", () => {
        write("broken.rules.yml", { groups: [{ name: "g", rules: [{ alert: "X", expr: "sum(rate(x[5m]) > " }] }] });
        assert.notEqual(promtool(["check", "rules", "broken.rules.yml"], dir).status, 0);
    });

    it("promtool test rules: each alert fires when it should and stays quiet when it should not", () => {
        const cloud = rulesFor("confluent-cloud");
        const local = rulesFor("local");
        write("cloud.rules.yml", prometheusRuleFile(cloud));
        write("local.rules.yml", prometheusRuleFile(local));
        write("cloud.test.yml", { rule_files: ["cloud.rules.yml"], evaluation_interval: "1m", tests: cloudTests(cloud) });
        write("local.test.yml", { rule_files: ["local.rules.yml"], evaluation_interval: "1m", tests: localTests(local) });
        const result = promtool(["test", "rules", "cloud.test.yml", "local.test.yml"], dir);
        assert.equal(result.status, 0, result.output);
    });

    it("every rule expression compares the value query with its threshold", () => {
        for (const rule of [...rulesFor("confluent-cloud"), ...rulesFor("local")]) {
            assert.equal(alertExpression(rule), `(${rule.query}) ${rule.op} ${rule.threshold}`);
        }
    });
});
