// The e2e harness's pure parts, in npm test (the run itself is `npm run e2e`): percentiles and the
// report, the topics-init parser, the connector rewrites and their guard, the workload plan and the
// envelope check.
import { strict as assert } from "assert";
import { harnessConnectorConfig, harnessStreamsEnvironment, HarnessEndpoints } from "./differences";
import { statusRowDifferences } from "./batchReleaseHop";
import { localStreamsEnvironment } from "../local/streams";
import { streamsAppByName } from "../components/catalog";
import { envelopeProblems } from "./hops";
import { parseTopicScript, unsecret } from "./localStack";
import { buildReport, exitCode, failed, formatReport, notRun, passed, percentile } from "./report";
import { SeenRecord } from "./topicWatcher";
import { CHANGE_DRIVERS, planChanges } from "./workload";
import { topicCreationScript } from "../local/settings";
import { CONFLUENT_PLATFORM_VERSION, CONNECT_PLUGINS } from "../local/versions";
import { mergeChecksums } from "../scripts/pinConnectPlugins";
import * as fs from "fs";
import * as path from "path";

const env: HarnessEndpoints = { connectUrl: "http://127.0.0.1:1", kafkaBootstrap: "127.0.0.1:2", mysqlHost: "127.0.0.1", mysqlPort: 3, postgresJdbcUrl: "jdbc:postgresql://127.0.0.1:4/warehouse" };

describe("e2e harness helpers", () => {
    it("percentile is nearest-rank: p50 and p99 of 1..100 are 50 and 99; of one value, that value", () => {
        const values = Array.from({ length: 100 }, (_, i) => 100 - i);
        assert.equal(percentile(values, 50), 50);
        assert.equal(percentile(values, 99), 99);
        assert.equal(percentile([7], 99), 7);
        assert.throws(() => percentile([], 50), /no values/);
    });

    it("the report fails on a failed hop only; a hop that cannot run here is shown, not hidden, and does not fail the run", () => {
        const ok = buildReport([passed("a", "fine", [10, 20, 30]), notRun("ksqlDB", "no registry has it")], [], 1000);
        assert.equal(exitCode(ok), 0);
        assert.deepEqual([ok.hops[0].latencyMs, ok.hops[0].p99Ms, ok.hops[0].samples], [20, 30, 3]);
        assert.match(formatReport(ok), /n\/a\s+ksqlDB.*not run here: no registry has it/);
        const bad = buildReport([passed("a", "fine"), failed("cdc hop", "no record")], [], 1000);
        assert.equal(exitCode(bad), 1);
        assert.match(formatReport(bad), /FAIL\s+cdc hop/);
        assert.equal(exitCode(buildReport([], [], 0)), 1, "a run that checked nothing fails");
    });

    it("parses every topic of the local stack's topics-init script with partitions and configs", () => {
        const script = topicCreationScript("lifesci", { partitions: 3, retentionHours: 24, auditRetentionDays: 10 } as never);
        const topics = parseTopicScript(script);
        assert.equal(topics.length, script.split("\n").filter((l) => l.startsWith("kafka-topics")).length);
        const history = topics.find((t) => t.name === "dbhistory.lifesci.sap")!;
        assert.deepEqual(history, { name: "dbhistory.lifesci.sap", partitions: 1, configs: { "retention.ms": history.configs["retention.ms"], "cleanup.policy": "delete", "retention.bytes": "-1" } });
        assert.equal(topics.find((t) => t.name === "lifesci.sap.sap_orders.sales_orders")!.partitions, 3);
        assert.throws(() => parseTopicScript("set -eu\nkafka-topics --create --topic 'x'"), /cannot read topic and partitions/);
        assert.throws(() => parseTopicScript("set -eu"), /creates no topic/);
    });

    it("rewrites exactly the listed connector keys and refuses a value still aimed at a container", () => {
        const local = {
            "database.hostname": "mysql",
            "database.port": "3306",
            "table.include.list": "sap_orders.sales_orders",
            "key.converter": "io.confluent.connect.avro.AvroConverter",
            "key.converter.schema.registry.url": "http://schema-registry:8081",
            "schema.history.internal.kafka.bootstrap.servers": "kafka:29092",
        };
        const { config, rewritten } = harnessConnectorConfig("c", local, env);
        assert.deepEqual(config, {
            "database.hostname": "127.0.0.1",
            "database.port": "3",
            "table.include.list": "sap_orders.sales_orders",
            "key.converter": "org.apache.kafka.connect.json.JsonConverter",
            "key.converter.schemas.enable": "true",
            "schema.history.internal.kafka.bootstrap.servers": "127.0.0.1:2",
        });
        assert.equal(rewritten.length, 5);
        assert.throws(() => harnessConnectorConfig("c", { ...local, "store.url": "http://minio:9000" }, env), /connector c: store\.url=http:\/\/minio:9000 addresses the Docker network/);
    });

    it("keeps the local JDBC URL's parameters when it moves the warehouse to the harness's PostgreSQL", () => {
        const { config } = harnessConnectorConfig("c", { "connection.url": "jdbc:postgresql://postgres:5432/warehouse?stringtype=unspecified" }, env);
        assert.equal(config["connection.url"], "jdbc:postgresql://127.0.0.1:4/warehouse?stringtype=unspecified");
        assert.equal(harnessConnectorConfig("c", { "connection.url": "jdbc:postgresql://postgres:5432/warehouse" }, env).config["connection.url"], env.postgresJdbcUrl);
    });

    it("runs a Streams app with the local container's environment, changing only the listed variables", () => {
        const local = localStreamsEnvironment(streamsAppByName("batch_release"), "lifesci", { bootstrapServers: "kafka:29092", schemaRegistryUrl: "http://schema-registry:8081" }, { overdueAfter: "PT24H", overdueCheckInterval: "PT1M" } as never);
        const e2e = harnessStreamsEnvironment("batch_release", local, { kafkaBootstrap: "127.0.0.1:2", stateDir: "/tmp/run/state", healthPort: 5 });
        const changed = Object.keys({ ...local, ...e2e }).filter((k) => local[k] !== e2e[k]).sort();
        assert.deepEqual(changed, ["HEALTH_PORT", "KAFKA_BOOTSTRAP_SERVERS", "OVERDUE_CHECK_INTERVAL", "SCHEMA_REGISTRY_URL", "STATE_DIR", "VALUE_FORMAT"]);
        assert.deepEqual([e2e.KAFKA_BOOTSTRAP_SERVERS, e2e.VALUE_FORMAT, e2e.SCHEMA_REGISTRY_URL, e2e.HEALTH_PORT], ["127.0.0.1:2", "json", undefined, "5"]);
        // What the local target decides travels unchanged: the status values with their Connect schema.
        assert.equal(e2e.STATUS_JSON_SCHEMAS, "true");
        assert.throws(() => harnessStreamsEnvironment("x", { ...local, METRICS_URL: "http://prometheus:9090" }, { kafkaBootstrap: "b", stateDir: "s", healthPort: 1 }), /Kafka Streams app x: METRICS_URL=http:\/\/prometheus:9090 addresses the Docker network/);
    });

    it("a status row equals its record: text as text, counts as numbers, timestamps as the same UTC instant", () => {
        const record = { batch_number: "B1", required_tests: 2, decided_at: "2026-12-03T12:35:01.920Z", completed_at: null };
        assert.deepEqual(statusRowDifferences({ batch_number: "B1", required_tests: "2", decided_at: "2026-12-03 12:35:01.92", completed_at: null }, record), []);
        assert.deepEqual(statusRowDifferences({ batch_number: "B1", required_tests: "2", decided_at: "2026-12-03 13:35:01.92", completed_at: "2026-12-03 00:00:00" }, record), [
            'decided_at: record "2026-12-03T12:35:01.920Z" vs row "2026-12-03 13:35:01.92"',
            'completed_at: record null vs row "2026-12-03 00:00:00"',
        ]);
        assert.deepEqual(statusRowDifferences({ batch_number: "B1" }, { batch_number: "B1", status: "READY" }), ["no column status"]);
    });

    it("e2e/pom.xml runs the plugin versions the local Connect image installs, on the Kafka release of its Confluent Platform", () => {
        const pom = fs.readFileSync(path.join(__dirname, "pom.xml"), "utf8");
        const prop = (name: string) => new RegExp(`<${name.replace(/\./g, "\\.")}>([^<]+)</`).exec(pom)?.[1];
        assert.equal(prop("debezium.mysql.version"), CONNECT_PLUGINS.DEBEZIUM_MYSQL_VERSION);
        assert.equal(prop("debezium.jdbc.version"), CONNECT_PLUGINS.DEBEZIUM_JDBC_VERSION);
        // Confluent Platform 7.7.x ships Apache Kafka 3.7.x.
        assert.match(CONFLUENT_PLATFORM_VERSION, /^7\.7\./);
        assert.match(prop("kafka.version") ?? "", /^3\.7\.\d+$/);
    });

    it("pinning Maven artifacts replaces their lines and keeps the others (Confluent Hub archives pinned elsewhere)", () => {
        const a = "a".repeat(64);
        const b = "b".repeat(64);
        const c = "c".repeat(64);
        const existing = `${a}  hub.zip\n${b}  old.tar.gz\n`;
        assert.equal(mergeChecksums(existing, [{ file: "old.tar.gz", sha256: c }, { file: "new.jar", sha256: a }]), `${a}  hub.zip\n${a}  new.jar\n${c}  old.tar.gz\n`);
        assert.equal(mergeChecksums("", [{ file: "x.jar", sha256: b }]), `${b}  x.jar\n`);
    });

    it("unwraps recorded secrets at any depth", () => {
        const sig = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };
        assert.deepEqual(unsecret({ a: { ...sig, value: { "database.password": { ...sig, value: "pw" } } }, b: [1] }), { a: { "database.password": "pw" }, b: [1] });
    });

    it("plans inserts, then updates, then deletes of the first rows, interleaved across tables (>= 100 changes)", () => {
        const changes = planChanges(CHANGE_DRIVERS, 15, 8);
        assert.equal(changes.length, CHANGE_DRIVERS.length * (15 + 15 + 8));
        assert.ok(changes.length >= 100);
        const firstUpdate = changes.findIndex((c) => c.op === "u");
        assert.ok(changes.slice(0, firstUpdate).every((c) => c.op === "c"));
        assert.deepEqual(changes.slice(0, CHANGE_DRIVERS.length).map((c) => c.driver.table), CHANGE_DRIVERS.map((d) => d.table));
        assert.throws(() => planChanges(CHANGE_DRIVERS, 1, 2), /2 deletes of 1 inserted/);
    });

    describe("envelope check", () => {
        const record = (op: string, before: object | null, after: object | null, key: object = { order_id: 5 }): SeenRecord => ({
            topic: "t",
            partition: 0,
            offset: "0",
            key: { schema: {}, payload: key },
            value: { schema: {}, payload: { op, before, after, source: { file: "binlog.000001", pos: 42 } } },
            arrivedAt: 0,
        });
        const change = (op: "c" | "u" | "d") => ({ op, id: 5, key: "order_id", updated: { column: "status", value: "RELEASED" } });

        it("accepts Debezium's insert, update and delete envelopes", () => {
            assert.deepEqual(envelopeProblems(record("c", null, { order_id: 5 }), change("c")), []);
            assert.deepEqual(envelopeProblems(record("u", { status: "CREATED" }, { status: "RELEASED" }), change("u")), []);
            assert.deepEqual(envelopeProblems(record("d", { status: "RELEASED" }, null), change("d")), []);
        });

        it("names a wrong key, op, missing images and a missing binlog position", () => {
            assert.match(envelopeProblems(record("c", null, {}, { order_id: 6 }), change("c")).join(), /key .* is not \{order_id: 5\}/);
            assert.match(envelopeProblems(record("u", null, {}), change("c")).join(), /op u, expected c/);
            assert.match(envelopeProblems(record("u", { status: "CREATED" }, { status: "CREATED" }), change("u")).join(), /status != RELEASED/);
            assert.match(envelopeProblems(record("d", null, null), change("d")).join(), /delete without before/);
            const noPos = record("c", null, {});
            delete noPos.value.payload.source.pos;
            assert.match(envelopeProblems(noPos, change("c")).join(), /source\.file\/pos missing/);
        });
    });
});
