// Output classes of the ksqlDB apps' statements, from the catalog, the specs the provider gets,
// and the audit record's stable event key.
import { strict as assert } from "assert";
import { AUDIT_ARCHIVE_SUFFIXES, DERIVED_TOPICS, KSQL_APPS, WAREHOUSE_TABLES, allTopics, derivedTopicName } from "../catalog";
import { ALERT_INTENTS } from "../monitoring";
import { loadCheckedKsqlApps } from "./appContracts";
import { ksqlStatementSpecs, outputClasses, retentionHoursOf } from "./outputClasses";

const TOPICS = { partitions: 6, retentionHours: 168, auditRetentionDays: 365 };
const apps = loadCheckedKsqlApps({ topicPrefix: "lifesci", orderStuckSlaMinutes: 240 });

describe("ksqlDB outputs: classes from the catalog", () => {
    it("every statement that writes a topic is classed: alerts, archive, warehouse, or converging table state", () => {
        const classes: Record<string, string[]> = {};
        for (const app of apps) {
            for (const spec of ksqlStatementSpecs(app, "lifesci", TOPICS)) {
                if (spec.output) classes[spec.output.topic] = spec.output.classes;
            }
        }
        const known = {
            "ksql.orders_by_status_5m": ["table-state"],
            "ksql.orders_stuck": ["warehouse"],
            "ksql.lab_spec_limits": ["table-state"],
            "ksql.lab_results_oos": ["alerting", "warehouse"],
            "ksql.machine_alarms": ["alerting", "warehouse"],
            "ksql.machine_event_counts_5m": ["table-state"],
            "audit.cdc_changes": ["immutable-archive"],
        };
        for (const [topic, expected] of Object.entries(known)) assert.deepEqual(classes[topic], expected, topic);
        // Apps added later (README "Adding a ksqlDB app") are held to the same rule.
        for (const [topic, got] of Object.entries(classes)) assert.ok(got.length > 0, `${topic} is not classed`);
    });

    it("an INSERT INTO is classed by the stream it writes, and names the CDC table it reads with its retention", () => {
        const audit = apps.find((a) => a.app.name === "audit_trail")!;
        const insert = ksqlStatementSpecs(audit, "lifesci", TOPICS).find((s) => s.kind === "insert" && s.reads[0] === "AUDIT_LIMS_TEST_RESULTS_CDC")!;
        assert.deepEqual(insert.output, { topic: "audit.cdc_changes", classes: ["immutable-archive"] });
        assert.deepEqual(insert.sources, [{ label: "lims.test_results", retentionHours: 168 }]);
        const sources = ksqlStatementSpecs(audit, "lifesci", TOPICS).filter((s) => s.kind === "source");
        assert.ok(sources.every((s) => s.output === undefined && s.sources === undefined), "declared streams write nothing");
    });

    it("the catalog's alerting topics are exactly the derived topics an alert intent watches", () => {
        const estate = { basePrefix: "lifesci", connectors: [], ksqlClusterIds: [], rdsInstanceIds: [] };
        const watched: Record<string, string> = {};
        // Consumer lag watches every topic's consumers, not the records in them.
        for (const intent of ALERT_INTENTS.filter((i) => i.key !== "consumer_lag")) {
            for (const target of intent.targets(estate)) {
                for (const topic of target.topics ?? []) {
                    const derived = DERIVED_TOPICS.find((d) => derivedTopicName("lifesci", d.suffix) === topic);
                    if (derived) watched[derived.suffix] = intent.key;
                }
            }
        }
        const declared = Object.fromEntries(DERIVED_TOPICS.filter((d) => d.alert).map((d) => [d.suffix, d.alert!]));
        assert.deepEqual(declared, watched);
        assert.ok(Object.keys(declared).length >= 2);
    });

    it("a table that feeds nothing else is table state; a stream that feeds nothing is in no class (replay-sensitive)", () => {
        assert.deepEqual(outputClasses("lifesci", "lifesci.ksql.something", "TABLE"), ["table-state"]);
        assert.deepEqual(outputClasses("lifesci", "lifesci.ksql.something", "STREAM"), []);
        assert.deepEqual(outputClasses("lifesci", "lifesci.audit.cdc_changes", "STREAM"), ["immutable-archive"]);
    });

    it("a statement whose topic is not in the catalog fails naming the file and statement", () => {
        const lab = apps.find((a) => a.app.name === "lab_validation")!;
        const broken = { ...lab, statements: lab.statements.map((s) => (s.name === "LAB_RESULTS_OOS" ? { ...s, kafkaTopic: "lifesci.ksql.nowhere" } : s)) };
        assert.throws(() => ksqlStatementSpecs(broken, "lifesci", TOPICS), /sql\/ksqldb\/lab_validation\.sql statement 4 \(LAB_RESULTS_OOS\): topic lifesci\.ksql\.nowhere is not a catalog topic/);
        assert.equal(KSQL_APPS.length, apps.length);
    });
});

describe("audit trail: a stable event key on every record", () => {
    const audit = apps.find((a) => a.app.name === "audit_trail")!;
    const insertFor = (table: string) => audit.statements.find((s) => s.kind === "insert" && s.reads[0].name === table)!;

    it("is built from table, binlog file:position:row, GTID and the primary key columns of the catalog", () => {
        const items = insertFor("AUDIT_SAP_ORDER_ITEMS_CDC").sql;
        assert.ok(
            items.includes(
                "CONCAT_WS('/', 'sap_orders.order_items', CONCAT(source->file, ':', CAST(source->pos AS STRING), ':', CAST(source->row AS STRING)), " +
                    "COALESCE(source->gtid, ''), CONCAT_WS(',', CAST(COALESCE(after->order_id, before->order_id) AS STRING), " +
                    "CAST(COALESCE(after->item_no, before->item_no) AS STRING))) AS event_key",
            ),
            items,
        );
        assert.match(insertFor("AUDIT_LIMS_TEST_RESULTS_CDC").sql, /, CAST\(COALESCE\(after->result_id, before->result_id\) AS STRING\)\) AS event_key FROM/);
        const declared = audit.statements.find((s) => s.name === "AUDIT_CDC_CHANGES" && s.kind === "source")!;
        assert.deepEqual(declared.columns!.at(-1), { name: "EVENT_KEY", type: "STRING" }, "added at the end: an in-place schema evolution");
    });
});

describe("ksqlDB outputs: classes and retention over every catalog topic", () => {
    it("each derived topic as a STREAM and as a TABLE: catalog classes, table state only when it feeds nothing", () => {
        for (const d of DERIVED_TOPICS) {
            const expected = [
                ...(d.alert ? ["alerting"] : []),
                ...(AUDIT_ARCHIVE_SUFFIXES.includes(d.suffix) ? ["immutable-archive"] : []),
                ...(WAREHOUSE_TABLES.some((t) => t.source.kind === "ksql" && t.source.suffix === d.suffix) ? ["warehouse"] : []),
            ];
            assert.deepEqual(outputClasses("lifesci", derivedTopicName("lifesci", d.suffix), "STREAM"), expected, d.suffix);
            assert.deepEqual(outputClasses("lifesci", derivedTopicName("lifesci", d.suffix), "TABLE"), expected.length ? expected : ["table-state"], d.suffix);
            // Under another prefix the same suffix is another platform's topic: no class of ours.
            assert.deepEqual(outputClasses("other", derivedTopicName("lifesci", d.suffix), "STREAM"), [], d.suffix);
        }
        const classed = DERIVED_TOPICS.map((d) => outputClasses("lifesci", derivedTopicName("lifesci", d.suffix), "TABLE").join("+"));
        for (const needed of ["alerting+warehouse", "immutable-archive", "warehouse", "table-state"]) assert.ok(classed.includes(needed), `the catalog exercises ${needed}: ${classed}`);
    });

    it("retention per topic class: schema history forever, audit in days, the rest in hours", () => {
        const cfg = { partitions: 1, retentionHours: 72, auditRetentionDays: 30 };
        const byRetention: Record<string, number | undefined> = {};
        for (const t of allTopics("lifesci")) byRetention[t.retention] = retentionHoursOf(t, cfg);
        for (const [retention, hours] of Object.entries(byRetention)) {
            assert.equal(hours, retention === "schema-history" ? undefined : retention === "audit" ? 720 : 72, retention);
        }
        assert.ok(["standard", "schema-history", "heartbeat", "audit"].every((r) => r in byRetention), Object.keys(byRetention).join());
    });

    it("a statement reading a derived topic names it by its suffix; a domain topic without a table by its whole name", () => {
        const domainTopic = allTopics("lifesci").find((t) => t.retention === "schema-history")!;
        const appSql = {
            app: KSQL_APPS[0],
            file: "sql/ksqldb/test.sql",
            statements: [
                { index: 1, line: 1, sql: "CREATE STREAM H ...;", kind: "source" as const, objectType: "STREAM" as const, name: "H", reads: [], kafkaTopic: domainTopic.name },
                { index: 2, line: 2, sql: "CREATE STREAM O ...;", kind: "source" as const, objectType: "STREAM" as const, name: "O", reads: [], kafkaTopic: "lifesci.ksql.lab_results_oos" },
                { index: 3, line: 3, sql: "CREATE STREAM X AS ...;", kind: "query" as const, objectType: "STREAM" as const, name: "X", reads: [{ name: "H" }, { name: "O" }], kafkaTopic: "lifesci.audit.cdc_changes" },
            ],
        };
        const [, , x] = ksqlStatementSpecs(appSql, "lifesci", TOPICS);
        assert.deepEqual(x.sources, [
            { label: domainTopic.name, retentionHours: undefined },
            { label: "ksql.lab_results_oos", retentionHours: 168 },
        ]);
        assert.deepEqual(x.output, { topic: "audit.cdc_changes", classes: ["immutable-archive"] });
        assert.ok(!domainTopic.name.startsWith("lifesci."), `${domainTopic.name} is named outside the prefix, so its label is its whole name`);
    });

    it("an INSERT INTO is classed by the stream or table that creates its target, never by another INSERT into it", () => {
        const statement = (index: number, kind: "source" | "query" | "insert", name: string, reads: string[], kafkaTopic?: string) => ({ index, line: index, sql: `${kind} ${name};`, kind, objectType: "STREAM" as const, name, reads: reads.map((r) => ({ name: r })), kafkaTopic });
        // Listed before the CREATE it writes into: still resolved to that CREATE's topic.
        const appSql = {
            app: KSQL_APPS[0],
            file: "sql/ksqldb/test.sql",
            statements: [statement(1, "source", "A", [], "lifesci.ksql.orders_stuck"), statement(2, "insert", "X", ["A"]), statement(3, "query", "X", ["A"], "lifesci.audit.cdc_changes")],
        };
        const [, insert] = ksqlStatementSpecs(appSql, "lifesci", TOPICS);
        assert.deepEqual(insert.output, { topic: "audit.cdc_changes", classes: ["immutable-archive"] });
    });

    it("a statement reading a stream the app does not declare fails naming the statement and (none)", () => {
        const lab = apps.find((a) => a.app.name === "lab_validation")!;
        const broken = { ...lab, statements: lab.statements.map((s) => (s.name === "LAB_RESULTS_OOS" ? { ...s, reads: [{ name: "NOWHERE" }] } : s)) };
        assert.throws(() => ksqlStatementSpecs(broken, "lifesci", TOPICS), /statement 4 \(LAB_RESULTS_OOS\): topic \(none\) is not a catalog topic/);
    });
});
