import { strict as assert } from "assert";
import { execFile } from "child_process";
import * as http from "http";
import {
    DOMAINS,
    Domain,
    STREAMS_SECRET_ENV,
    StreamsRuntime,
    allTopics,
    cleanupPolicyOf,
    isIsoDuration,
    streamsAppByName,
    streamsAppEnvironment,
    streamsAppTopics,
    streamsHealthProbe,
    streamsHealthProbeShell,
    streamsApplicationId,
    streamsInternalPrefix,
    streamsOutputTopic,
    cdcTopics,
    cdcTopicPrefix,
    domainByName,
    schemaHistoryTopic,
    tableIncludeList,
    topicName,
} from "./catalog";
import { catalogDdlMismatches, domainTables, readSchemaSnapshot } from "./ddl";

describe("catalog", () => {
    it("holds the four domains of the design, each with its own database", () => {
        assert.deepEqual(
            DOMAINS.map((d) => [d.name, d.database]),
            [
                ["sap", "sap_orders"],
                ["lims", "lims"],
                ["mes", "mes"],
                ["screening", "screening"],
            ],
        );
    });

    it("names CDC topics <prefix>.<database>.<table> with a topic.prefix unique per connector", () => {
        const lims = domainByName("lims");
        assert.equal(topicName("lifesci", lims, "test_results"), "lifesci.lims.lims.test_results");
        const prefixes = DOMAINS.map((d) => cdcTopicPrefix("lifesci", d));
        assert.equal(new Set(prefixes).size, DOMAINS.length);
        assert.throws(() => topicName("lifesci", lims, "orders"), /table "orders" is not captured in domain lims/);
        assert.throws(() => domainByName("erp"), /unknown domain "erp"/);
    });

    it("lists every captured table, and only those, in the include list", () => {
        assert.equal(tableIncludeList(domainByName("sap")), "sap_orders.sales_orders,sap_orders.order_items,sap_orders.materials");
        for (const d of DOMAINS) {
            assert.equal(tableIncludeList(d).split(",").length, d.tables.length);
        }
    });

    it("declares one topic per table, a single-partition schema history topic per domain, and the audit topic", () => {
        const topics = allTopics("lifesci");
        const tableCount = DOMAINS.reduce((n, d) => n + d.tables.length, 0);
        assert.equal(topics.filter((t) => t.table !== undefined).length, tableCount);
        for (const d of DOMAINS) {
            const history = topics.find((t) => t.name === schemaHistoryTopic("lifesci", d));
            assert.ok(history, `no schema history topic for ${d.name}`);
            assert.equal(history.partitions, 1);
            assert.equal(history.retention, "schema-history");
        }
        assert.deepEqual(
            topics.filter((t) => t.retention === "audit").map((t) => t.name),
            ["lifesci.audit.cdc_changes"],
        );
        assert.equal(new Set(topics.map((t) => t.name)).size, topics.length, "topic names must be unique");
        for (const app of ["order_monitoring", "lab_validation", "manufacturing_events", "audit_trail"]) {
            assert.ok(topics.some((t) => t.producedBy === app), `app ${app} writes no catalog topic`);
        }
    });
});

describe("catalog <-> effective schema contract (sql/mysql/effective-schema.json, = the server: test/schemaCheck.integration.test.ts)", () => {
    it("finds every catalog table after its domain's migrations, with its primary key", () => {
        assert.deepEqual(catalogDdlMismatches(DOMAINS), []);
    });

    it("fails naming the table when no migration creates a catalog table", () => {
        const broken = [{ name: "lims", tables: [{ name: "instrument_logs", primaryKey: ["log_id"] }] }];
        const problems = catalogDdlMismatches(broken);
        assert.equal(problems.length, 1);
        assert.match(problems[0], /^lims\.instrument_logs \(sql\/mysql\/lims\/\): table is in the catalog but no migration creates it$/);
    });

    it("fails naming the table when the key differs or is missing", () => {
        const wrongKey = [{ name: "sap", tables: [{ name: "order_items", primaryKey: ["order_id"] }] }];
        assert.match(catalogDdlMismatches(wrongKey)[0], /sap\.order_items .*catalog key \(order_id\) differs from DDL key \(order_id, item_no\)/);

        const noKey = () => [{ name: "events", columns: [], primaryKey: [], references: [] }];
        const keyless = [{ name: "mes", tables: [{ name: "events", primaryKey: ["id"] }] }];
        assert.match(catalogDdlMismatches(keyless, noKey)[0], /mes\.events .*has no primary key/);
    });

    it("reports a domain without migrations by name", () => {
        const problems = catalogDdlMismatches([{ name: "qms", tables: [] }]);
        assert.match(problems[0], /^domain qms: sql\/mysql\/effective-schema\.json: no domain "qms"; add sql\/mysql\/qms\/V001__baseline\.sql/);
    });

    it("uses the types a pharma system needs: decimals for quantities and limits, microsecond timestamps, enums", () => {
        const lims = domainTables("lims");
        const spec = lims.find((t) => t.name === "spec_limits")!;
        const lower = spec.columns.find((c) => c.name === "lower_limit")!;
        assert.deepEqual([lower.type, lower.args, lower.nullable], ["DECIMAL", [18, 6], true]);
        const results = lims.find((t) => t.name === "test_results")!;
        const measured = results.columns.find((c) => c.name === "measured_at")!;
        assert.deepEqual([measured.type, measured.args, measured.nullable], ["DATETIME", [6], false]);
        assert.deepEqual(results.columns.find((c) => c.name === "status")!.enumValues, ["PENDING", "VALID", "INVALIDATED", "REVIEWED"]);
        const items = domainTables("sap").find((t) => t.name === "order_items")!;
        assert.deepEqual(items.columns.find((c) => c.name === "quantity")!.args, [13, 3]);
    });

    it("names the snapshot file and the command when it is missing or unreadable", () => {
        assert.throws(() => readSchemaSnapshot("/nonexistent"), /^Error: sql\/mysql\/effective-schema\.json: not found; create it with npm run schema:check -- --write$/);
    });
});

describe("catalog: topic names for any catalog (property)", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fc = require("fast-check") as typeof import("fast-check");
    const ident = fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/);
    const prefix = fc.stringMatching(/^[a-z][a-z0-9_-]{0,30}$/);
    /** Catalogs of 1-5 domains with unique names, each with 1-6 uniquely named tables. */
    const catalog = fc.uniqueArray(fc.record({ name: ident, database: ident, tables: fc.uniqueArray(ident, { minLength: 1, maxLength: 6 }) }), {
        minLength: 1,
        maxLength: 5,
        selector: (d) => d.name,
    });
    const asDomain = (d: { name: string; database: string; tables: string[] }) =>
        ({ ...d, description: "", tables: d.tables.map((t) => ({ name: t, primaryKey: ["id"], description: "" })) }) as unknown as Domain;

    it("every captured table and every schema history topic gets its own name, under the prefix", () => {
        fc.assert(
            fc.property(prefix, catalog, (base, domains) => {
                const names = domains.map(asDomain).flatMap((d) => [...cdcTopics(base, d).map((t) => t.name), schemaHistoryTopic(base, d)]);
                assert.equal(new Set(names).size, names.length, names.join(" "));
                for (const n of names) assert.ok(n.startsWith(`${base}.`) || n.startsWith(`dbhistory.${base}.`), n);
            }),
        );
    });

    it("the real catalog's topics are unique for any topic prefix", () => {
        fc.assert(
            fc.property(prefix, (base) => {
                const names = allTopics(base).map((t) => t.name);
                assert.equal(new Set(names).size, names.length);
            }),
            { numRuns: 30 },
        );
    });
});

describe("catalog: Kafka Streams apps", () => {
    const app = streamsAppByName("batch_release");
    const local: StreamsRuntime = { target: "local", basePrefix: "lifesci", bootstrapServers: "kafka:29092", securityProtocol: "PLAINTEXT", valueFormat: "json", replicationFactor: 1 };

    it("gives the batch release app exactly the contract's variables, topic names from the catalog helpers", () => {
        const { environment, secretEnv } = streamsAppEnvironment(app, local);
        assert.deepEqual(environment, {
            KAFKA_BOOTSTRAP_SERVERS: "kafka:29092",
            KAFKA_SECURITY_PROTOCOL: "PLAINTEXT",
            APPLICATION_ID: "lifesci.streams.batch-release",
            TOPIC_BATCHES: topicName("lifesci", domainByName("mes"), "batches"),
            TOPIC_MACHINE_EVENTS: topicName("lifesci", domainByName("mes"), "machine_events"),
            TOPIC_SAMPLES: topicName("lifesci", domainByName("lims"), "samples"),
            TOPIC_TEST_RESULTS: topicName("lifesci", domainByName("lims"), "test_results"),
            TOPIC_SPEC_LIMITS: topicName("lifesci", domainByName("lims"), "spec_limits"),
            TOPIC_STATUS: "lifesci.streams.batch_release_status",
            TOPIC_OVERDUE: "lifesci.streams.batch_release_overdue",
            TOPIC_DEAD_LETTER: "lifesci.dlq.streams.batch_release",
            VALUE_FORMAT: "json",
            OVERDUE_AFTER: "PT24H",
            OVERDUE_CHECK_INTERVAL: "PT1M",
            REPLICATION_FACTOR: "1",
            STATE_DIR: "/var/lib/kafka-streams",
            HEALTH_PORT: "8080",
            // The local warehouse's JDBC sink needs the Connect schema with each status value.
            STATUS_JSON_SCHEMAS: "true",
        });
        assert.deepEqual(secretEnv, []);
    });

    it("the cloud target keeps the status values flat JSON for the Snowflake sink; only the local target asks for the schema envelope", () => {
        const cloud = streamsAppEnvironment(app, { ...local, target: "cloud" });
        assert.equal(cloud.environment.STATUS_JSON_SCHEMAS, undefined);
        const { STATUS_JSON_SCHEMAS: _, ...rest } = streamsAppEnvironment(app, local).environment;
        assert.deepEqual(cloud.environment, rest, "the targets differ in nothing else");
    });

    it("asks for the API keys as secrets on SASL_SSL with Avro, and never puts them in the plain environment", () => {
        const cloud = streamsAppEnvironment(app, { ...local, target: "cloud", securityProtocol: "SASL_SSL", valueFormat: "avro", schemaRegistryUrl: "https://psrc.example", replicationFactor: 3 });
        assert.deepEqual(cloud.secretEnv, ["KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD", "SCHEMA_REGISTRY_USERNAME", "SCHEMA_REGISTRY_PASSWORD"]);
        for (const name of STREAMS_SECRET_ENV) assert.equal(cloud.environment[name], undefined, name);
        assert.equal(cloud.environment.SCHEMA_REGISTRY_URL, "https://psrc.example");
        assert.equal(cloud.environment.REPLICATION_FACTOR, "3");
    });

    it("fails naming the variable for an unusable value", () => {
        assert.throws(() => streamsAppEnvironment(app, { ...local, overdueAfter: "24h" }), /batch_release: OVERDUE_AFTER "24h" is not a positive ISO-8601 duration/);
        assert.throws(() => streamsAppEnvironment(app, { ...local, overdueCheckInterval: "PT0S" }), /OVERDUE_CHECK_INTERVAL "PT0S"/);
        assert.throws(() => streamsAppEnvironment(app, { ...local, replicationFactor: 0 }), /REPLICATION_FACTOR 0 must be a positive integer/);
        assert.throws(() => streamsAppEnvironment(app, { ...local, healthPort: 70000 }), /HEALTH_PORT 70000/);
        assert.throws(() => streamsAppEnvironment(app, { ...local, valueFormat: "avro" }), /VALUE_FORMAT avro needs SCHEMA_REGISTRY_URL/);
        assert.throws(() => streamsAppEnvironment(app, { ...local, bootstrapServers: "" }), /KAFKA_BOOTSTRAP_SERVERS is empty/);
        for (const ok of ["PT24H", "P1D", "PT30M", "PT0.5S", "P1DT2H"]) assert.ok(isIsoDuration(ok), ok);
        for (const bad of ["P", "PT", "24h", "PT-1H", "P1H", "PT0S"]) assert.ok(!isIsoDuration(bad), bad);
    });

    it("the health probe passes on 200 from /health and fails on 503, through the shell Docker runs it with", async () => {
        let status = 200;
        const paths: string[] = [];
        const server = http.createServer((req, res) => {
            paths.push(String(req.url));
            res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ state: status === 200 ? "RUNNING" : "ERROR" }));
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const port = (server.address() as { port: number }).port;
        // The probe blocks on the server: run it asynchronously so the server can answer.
        const run = (argv: string[]) => new Promise<number | null>((resolve) => execFile(argv[0], argv.slice(1), { timeout: 10_000 }, (err) => resolve(err ? (err as { code?: number }).code ?? 1 : 0)));
        try {
            assert.equal(await run(streamsHealthProbe(port)), 0);
            assert.equal(await run(["sh", "-c", streamsHealthProbeShell(port)]), 0);
            status = 503;
            assert.notEqual(await run(streamsHealthProbe(port)), 0);
            assert.notEqual(await run(["sh", "-c", streamsHealthProbeShell(port)]), 0);
            assert.deepEqual([...new Set(paths)], ["/health"]);
        } finally {
            server.close();
        }
        assert.throws(() => streamsHealthProbe(0), /HEALTH_PORT 0 is not a TCP port/);
    });

    it("fails naming the app and variable when an input is not a catalog table", () => {
        const broken = { ...app, inputs: [{ env: "TOPIC_BATCHES", table: { domain: "mes" as const, table: "lots" } }] };
        assert.throws(() => streamsAppEnvironment(broken, local), /STREAMS_APPS batch_release TOPIC_BATCHES: table "lots" is not captured in domain mes/);
        assert.throws(() => streamsOutputTopic("lifesci", app, "TOPIC_ALERTS"), /batch_release: no output TOPIC_ALERTS/);
        assert.throws(() => streamsAppByName("batch-release"), /unknown Kafka Streams app "batch-release"/);
    });

    it("creates its outputs as catalog topics (status compacted), none under its application.id prefix", () => {
        const topics = allTopics("lifesci").filter((t) => t.streamsApp === "batch_release");
        assert.deepEqual(topics.map((t) => [t.name, cleanupPolicyOf(t)]), [
            ["lifesci.streams.batch_release_status", "compact"],
            ["lifesci.streams.batch_release_overdue", "delete"],
            ["lifesci.dlq.streams.batch_release", "delete"],
        ]);
        const prefix = streamsInternalPrefix("lifesci", app);
        assert.equal(prefix, "lifesci.streams.batch-release-");
        for (const t of allTopics("lifesci")) assert.ok(!t.name.startsWith(streamsApplicationId("lifesci", app)), t.name);
        const clash = { ...app, applicationIdSuffix: "streams.batch_release" };
        assert.throws(() => streamsAppTopics("lifesci", clash), /TOPIC_STATUS: topic lifesci.streams.batch_release_status starts with the application.id/);
    });
});
