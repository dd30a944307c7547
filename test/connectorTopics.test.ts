// Issue 22, item 2: every topic a connector writes (table topics, the signal table's topic,
// heartbeats, schema history, schema changes, DLQs) is created beforehand, or the plan and the
// tests fail naming it. The written topics are read from each connector's config as sent, by
// the documented naming rules (components/connectorTopics.ts), never from the catalog list the
// topics are created from.
import { strict as assert } from "assert";
import {
    DOMAINS,
    KSQL_APPS,
    SIGNAL_RETENTION_MS,
    SIGNAL_TABLE,
    WAREHOUSE_TABLES,
    allTopics,
    auditArchiveTopics,
    ksqlAppInputTopics,
    rawLakeTopics,
    retentionMsOf,
    signalTopicName,
    warehouseTopic,
} from "../components/catalog";
import { connectorWrittenTopics, uncreatedConnectorTopics } from "../components/connectorTopics";
import { checkResources } from "../policy/rules";
import { inventoryPolicySubjects } from "../scripts/inventory";
import { topicCreationScript } from "../local/settings";
import { StackRun, plain, runStack } from "./support/harness";

const T = {
    connector: "confluentcloud:index/connector:Connector",
    topic: "confluentcloud:index/kafkaTopic:KafkaTopic",
    dynamic: "pulumi-nodejs:dynamic:Resource",
};

describe("connector topics: the documented naming rules", () => {
    it("a self-managed Debezium MySQL connector on its defaults writes table, signal, default heartbeat, history and schema-change topics", () => {
        const written = connectorWrittenTopics({
            "connector.class": "io.debezium.connector.mysql.MySqlConnector",
            "topic.prefix": "p",
            "table.include.list": "db.a, db.b",
            "signal.data.collection": "db.sig",
            "heartbeat.interval.ms": "1000",
            "schema.history.internal.kafka.topic": "hist",
        });
        assert.deepEqual(written, [
            { topic: "p.db.a", role: "table" },
            { topic: "p.db.b", role: "table" },
            { topic: "p.db.sig", role: "signal" },
            { topic: "__debezium-heartbeat.p", role: "heartbeat" },
            { topic: "hist", role: "schema-history" },
            { topic: "p", role: "schema-changes" },
        ]);
    });

    it("a managed MySqlCdcSourceV2 on its defaults writes to topics named after its lcc id; heartbeats off write none", () => {
        const written = connectorWrittenTopics({ "connector.class": "MySqlCdcSourceV2", "topic.prefix": "p", "table.include.list": "db.a", "heartbeat.interval.ms": "5000" }, "lcc-1");
        assert.deepEqual(written.map((t) => t.topic), ["p.db.a", "__debezium-heartbeat-lcc-1.p", "dbhistory.p.lcc-1"]);
        assert.ok(!connectorWrittenTopics({ "connector.class": "MySqlCdcSourceV2", "topic.prefix": "p", "heartbeat.interval.ms": "0" }).some((t) => t.role === "heartbeat"));
    });

    it("sinks write their DLQ only with errors.tolerance=all; managed sinks default to all and dlq-<lcc-id>", () => {
        assert.deepEqual(connectorWrittenTopics({ "connector.class": "S3_SINK" }, "lcc-9"), [{ topic: "dlq-lcc-9", role: "dead-letter" }]);
        assert.deepEqual(connectorWrittenTopics({ "connector.class": "SnowflakeSink", "errors.tolerance": "none" }), []);
        assert.deepEqual(connectorWrittenTopics({ "connector.class": "io.confluent.connect.jdbc.JdbcSinkConnector", "errors.tolerance": "all" }), []);
        assert.deepEqual(
            connectorWrittenTopics({ "connector.class": "io.confluent.connect.jdbc.JdbcSinkConnector", "errors.tolerance": "all", "errors.deadletterqueue.topic.name": "d" }),
            [{ topic: "d", role: "dead-letter" }],
        );
    });

    it("a topic the connector may create itself (KIP-158 topic creation) is not missing; a managed connector never creates", () => {
        const base = { "connector.class": "io.debezium.connector.mysql.MySqlConnector", "topic.prefix": "p", "table.include.list": "db.a", "include.schema.changes": "false" };
        assert.deepEqual(uncreatedConnectorTopics(base, new Set()).map((t) => t.topic), ["p.db.a"]);
        assert.deepEqual(uncreatedConnectorTopics({ ...base, "topic.creation.default.replication.factor": "1", "topic.creation.default.partitions": "1" }, new Set()), []);
        const managed = { "connector.class": "MySqlCdcSourceV2", "topic.prefix": "p", "table.include.list": "db.a", "topic.creation.default.replication.factor": "3", "topic.creation.default.partitions": "1" };
        assert.deepEqual(uncreatedConnectorTopics(managed, new Set(), "lcc-2").map((t) => t.topic), ["p.db.a", "dbhistory.p.lcc-2"]);
    });
});

describe("connector topics: the signal table's topic is a catalog topic", () => {
    it("each domain's signal topic is <topic.prefix>.<db>.lifesci_cdc_signal, single-partition, retained a day", () => {
        const topics = allTopics("lifesci");
        for (const domain of DOMAINS) {
            const name = signalTopicName("lifesci", domain);
            assert.equal(name, `lifesci.${domain.name}.${domain.database}.${SIGNAL_TABLE}`);
            const spec = topics.find((t) => t.name === name);
            assert.ok(spec, `${name} is not a catalog topic`);
            assert.deepEqual([spec.retention, spec.partitions, spec.domain], ["signal", 1, domain.name]);
            assert.equal(retentionMsOf(spec.retention, { retentionHours: 168, auditRetentionDays: 3650 }), SIGNAL_RETENTION_MS);
        }
        assert.equal(SIGNAL_RETENTION_MS, 86_400_000);
    });

    it("no sink or ksqlDB app reads a signal topic", () => {
        const signals = new Set(DOMAINS.map((d) => signalTopicName("lifesci", d)));
        const read = [
            ...rawLakeTopics("lifesci"),
            ...auditArchiveTopics("lifesci"),
            ...WAREHOUSE_TABLES.map((t) => warehouseTopic("lifesci", t)),
            ...KSQL_APPS.flatMap((app) => ksqlAppInputTopics("lifesci", app)),
        ];
        assert.deepEqual(read.filter((t) => signals.has(t)), []);
    });
});

describe("connector topics under mocks: cloud (dev, prod) and local", function () {
    this.timeout(120_000);
    const runs: Record<string, StackRun> = {};
    before(async () => {
        for (const stack of ["dev", "prod", "local"]) runs[stack] = await runStack(stack);
    });

    for (const stack of ["dev", "prod"]) {
        it(`${stack}: every topic each connector writes is a KafkaTopic of the stack that the connector waits for`, () => {
            const run = runs[stack];
            const created = new Map(run.ofType(T.topic).map((t) => [String(t.inputs.topicName), t]));
            const connectors = run.ofType(T.connector);
            assert.ok(connectors.length >= DOMAINS.length + 2);
            for (const c of connectors) {
                const written = connectorWrittenTopics(plain(c.inputs.configNonsensitive), c.id ?? "lcc-unknown");
                assert.ok(written.length > 0, c.name);
                for (const w of written) {
                    const topic = created.get(w.topic);
                    assert.ok(topic, `${c.name} writes ${w.role} topic ${w.topic}, which the stack does not create`);
                    assert.ok(c.dependsOn.some((d) => d.endsWith(`::${topic.name}`)), `${c.name} does not wait for ${w.topic}`);
                }
            }
            for (const domain of DOMAINS) {
                const cdc = run.one(T.connector, `cdc-${domain.name}`);
                assert.ok(connectorWrittenTopics(plain(cdc.inputs.configNonsensitive)).some((w) => w.role === "signal" && w.topic === signalTopicName("lifesci", domain)));
                const signal = created.get(signalTopicName("lifesci", domain))!;
                assert.equal(signal.inputs.config["retention.ms"], String(SIGNAL_RETENTION_MS));
            }
        });

        it(`${stack}: the policy passes the stack, and fails naming the connector and topic once the signal topic is gone`, () => {
            const subjects = inventoryPolicySubjects(runs[stack]);
            assert.deepEqual(checkResources(subjects).filter((v) => v.policy === "connector-topics-created"), []);
            const gone = signalTopicName("lifesci", DOMAINS[1]);
            const without = subjects.filter((s) => !(s.type === T.topic && s.props.topicName === gone));
            const violations = checkResources(without).filter((v) => v.policy === "connector-topics-created");
            assert.equal(violations.length, 1, JSON.stringify(violations));
            assert.equal(violations[0].level, "mandatory");
            assert.match(violations[0].message, new RegExp(`cdc-${DOMAINS[1].name}.*signal topic "${gone.replace(/\./g, "\\.")}"`));
        });
    }

    it("local: every topic each Connect connector writes is created by the topics-init script", () => {
        const run = runs.local;
        const script = topicCreationScript("lifesci", { partitions: 1, retentionHours: 1, auditRetentionDays: 1 } as any);
        const created = new Set([...script.matchAll(/--topic '([^']+)'/g)].map((m) => m[1]));
        const connectors = run.ofType(T.dynamic).filter((r) => r.name.startsWith("local-connector-"));
        assert.ok(connectors.length >= DOMAINS.length + 2);
        for (const c of connectors) {
            const config = plain(c.inputs.config);
            const written = connectorWrittenTopics(config);
            assert.ok(written.length > 0, c.name);
            assert.deepEqual(uncreatedConnectorTopics(config, created), [], c.name);
        }
        for (const d of DOMAINS) assert.ok(created.has(signalTopicName("lifesci", d)));
    });
});

describe("connector topics: the local stack refuses a connector whose topics are not created", () => {
    it("localConnector throws naming the connector, the topic and its role", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { localConnector } = require("../local/connectors") as typeof import("../local/connectors");
        const streaming = { createdTopics: new Set(["lifesci.sap.sap_orders.sales_orders"]) } as any;
        const built = {
            config: { "connector.class": "io.debezium.connector.mysql.MySqlConnector", "topic.prefix": "lifesci.sap", "table.include.list": "sap_orders.sales_orders", "signal.data.collection": "sap_orders.lifesci_cdc_signal", "include.schema.changes": "false" },
            sensitiveKeys: [],
        };
        assert.throws(
            () => localConnector(streaming, {}, { resourceName: "r", connectorName: "lifesci-local-sap-cdc", built, sensitive: {}, dependsOn: [] }),
            /connector lifesci-local-sap-cdc writes signal topic "lifesci\.sap\.sap_orders\.lifesci_cdc_signal", which is neither created/,
        );
    });
});
