// The ksqlDB REST provider against an in-process server (test/fakeKsqlServer.ts).
import { strict as assert } from "assert";
import { DOMAINS, KSQL_APPS } from "../components/catalog";

/** The audit trail runs one INSERT query per captured table of the catalog. */
const CAPTURED_TABLES = DOMAINS.reduce((n, d) => n + d.tables.length, 0);
import { KSQL_STREAMS_PROPERTIES, KsqlAppInputs, KsqlAppOutputs, ksqlAppProvider, KsqlRetryPolicy, KsqlStatementSpec, ksqlStatementSpecs, loadKsqlApp } from "../components/ksql";
import { FakeKsqlServer } from "./support/fakeKsqlServer";

const CREDENTIALS = { key: "KSQLKEY123", secret: "s3cr3t-ksql-api-secret" };
const BASIC = Buffer.from(`${CREDENTIALS.key}:${CREDENTIALS.secret}`).toString("base64");
/** Short delays so retries do not slow the suite. */
const FAST_RETRY: KsqlRetryPolicy = { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20, requestTimeoutMs: 300 };

const provider = ksqlAppProvider as Required<typeof ksqlAppProvider>;
const vars = { topicPrefix: "lifesci", orderStuckSlaMinutes: 60 };
const appStatements = (name: string): KsqlStatementSpec[] =>
    ksqlStatementSpecs(loadKsqlApp(KSQL_APPS.find((a) => a.name === name)!, vars), vars.topicPrefix, { partitions: 6, retentionHours: 168, auditRetentionDays: 365 });

function inputs(server: FakeKsqlServer, app: string, statements = appStatements(app)): KsqlAppInputs {
    return { endpoint: server.endpoint, credentials: CREDENTIALS, app, statements, streamsProperties: KSQL_STREAMS_PROPERTIES, retry: FAST_RETRY };
}

/** Asserts an error carries none of the credentials. */
function assertNoSecret(text: string): void {
    assert.ok(!text.includes(CREDENTIALS.secret), `secret leaked: ${text}`);
    assert.ok(!text.includes(BASIC), `basic auth header leaked: ${text}`);
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
    try {
        await promise;
    } catch (err) {
        assertNoSecret((err as Error).message);
        return err as Error;
    }
    assert.fail("expected the operation to fail");
}

const verbs = (server: FakeKsqlServer, from = 0) =>
    server.statements.slice(from).map((s) => s.replace(/\s+/g, " ").match(/^(CREATE OR REPLACE \w+ \w+|CREATE \w+ IF NOT EXISTS \w+|INSERT INTO \w+|TERMINATE \w+|DROP \w+ IF EXISTS \w+)/i)?.[0] ?? s.slice(0, 40));

describe("ksqlDB provider: against a REST server", () => {
    let server: FakeKsqlServer;
    beforeEach(async () => {
        server = await new FakeKsqlServer({ credentials: CREDENTIALS }).start();
    });
    afterEach(() => server.stop());

    it("create runs the app's statements in order with basic auth and streamsProperties, and reports the server", async () => {
        const { id, outs } = await provider.create(inputs(server, "lab_validation"));
        assert.deepEqual(verbs(server), [
            "CREATE STREAM IF NOT EXISTS lab_spec_limits_cdc",
            "CREATE STREAM IF NOT EXISTS lab_test_results_cdc",
            "CREATE TABLE IF NOT EXISTS lab_spec_limits",
            "CREATE STREAM IF NOT EXISTS lab_results_oos",
        ]);
        assert.deepEqual([...server.sources.keys()], ["LAB_SPEC_LIMITS_CDC", "LAB_TEST_RESULTS_CDC", "LAB_SPEC_LIMITS", "LAB_RESULTS_OOS"]);
        assert.equal(server.queries.size, 2);
        assert.ok(server.log.every((r) => r.authorization === `Basic ${BASIC}`));
        assert.equal(server.log[0].path, "/info");
        const ksqlRequests = server.log.filter((r) => r.ksql?.startsWith("CREATE"));
        assert.ok(ksqlRequests.every((r) => r.streamsProperties?.["ksql.streams.auto.offset.reset"] === "earliest"));
        assert.equal(id, "pksqlc-fake01/lab_validation");
        assert.equal(outs.serverVersion, "7.6.1");
    });

    it("create is idempotent: a second run starts no INSERT query twice", async () => {
        await provider.create(inputs(server, "audit_trail"));
        const queries = server.queries.size;
        assert.equal(queries, CAPTURED_TABLES, "one INSERT per captured table");
        await provider.create(inputs(server, "audit_trail"));
        assert.equal(server.queries.size, queries);
    });

    it("diff: whitespace and comments are no change; statement, property or endpoint changes are", async () => {
        const news = inputs(server, "lab_validation");
        const { outs } = await provider.create(news);
        const reformatted = news.statements.map((s) => ({ ...s, sql: `-- reviewed\n  ${s.sql.replace(/ /g, "\n    ")}` }));
        assert.equal((await provider.diff("id", outs, { ...news, statements: reformatted })).changes, false);
        assert.equal((await provider.diff("id", outs, { ...news, retry: { ...FAST_RETRY, maxAttempts: 9 } })).changes, false);

        const edited = news.statements.map((s, i) => (i === 3 ? { ...s, sql: s.sql.replace("r.after->analyst AS analyst,", "") } : s));
        const changed = await provider.diff("id", outs, { ...news, statements: edited });
        assert.deepEqual([changed.changes, changed.replaces], [true, []]);
        assert.equal((await provider.diff("id", outs, { ...news, streamsProperties: {} })).changes, true);
        const moved = await provider.diff("id", outs, { ...news, endpoint: "https://pksqlc-other.eu-central-1.aws.confluent.cloud:443" });
        assert.deepEqual([moved.changes, moved.replaces], [true, ["endpoint"]]);
    });

    it("update uses CREATE OR REPLACE where the server accepts the upgrade: no query is terminated", async () => {
        const olds = (await provider.create(inputs(server, "lab_validation"))).outs as KsqlAppOutputs;
        const before = server.statements.length;
        const news = inputs(server, "lab_validation");
        news.statements[3] = { ...news.statements[3], sql: news.statements[3].sql.replace("r.after->analyst AS analyst,", "") };
        await provider.update("id", olds, news);
        assert.deepEqual(verbs(server, before), ["CREATE OR REPLACE STREAM lab_results_oos"]);
        assert.ok(!server.sources.get("LAB_RESULTS_OOS")!.sql.includes("analyst"));
    });

    it("update rebuilds a change ksqlDB refuses to upgrade: terminates dependents first, drops in reverse, recreates in order", async () => {
        const olds = (await provider.create(inputs(server, "lab_validation"))).outs as KsqlAppOutputs;
        const [oosQuery, specQuery] = ["LAB_RESULTS_OOS", "LAB_SPEC_LIMITS"].map(
            (name) => [...server.queries.values()].find((q) => q.sinks.includes(name))!.id,
        );
        server.refuseUpgrade.add("LAB_SPEC_LIMITS");
        const before = server.statements.length;
        const news = inputs(server, "lab_validation");
        news.statements[2] = { ...news.statements[2], sql: news.statements[2].sql.replace("GROUP BY", "AND after->unit IS NOT NULL GROUP BY") };
        await provider.update("id", olds, news);
        assert.deepEqual(verbs(server, before), [
            "CREATE OR REPLACE TABLE lab_spec_limits",
            `TERMINATE ${oosQuery}`,
            `TERMINATE ${specQuery}`,
            "DROP STREAM IF EXISTS LAB_RESULTS_OOS",
            "DROP TABLE IF EXISTS LAB_SPEC_LIMITS",
            "CREATE TABLE IF NOT EXISTS lab_spec_limits",
            "CREATE STREAM IF NOT EXISTS lab_results_oos",
        ]);
        assert.ok(server.sources.get("LAB_SPEC_LIMITS")!.sql.includes("after->unit IS NOT NULL"));
        assert.equal(server.queries.size, 2);
    });

    it("update surfaces any other CREATE OR REPLACE error and drops nothing", async () => {
        const olds = (await provider.create(inputs(server, "lab_validation"))).outs as KsqlAppOutputs;
        server.rejectStatement = (sql) => (/^CREATE OR REPLACE/.test(sql) ? { error_code: 40001, message: "line 1:80: mismatched input 'FORM'" } : undefined);
        const before = server.statements.length;
        const news = inputs(server, "lab_validation");
        news.statements[2] = { ...news.statements[2], sql: news.statements[2].sql.replace("FROM", "FORM") };
        const err = await rejection(provider.update("id", olds, news));
        assert.match(err.message, /mismatched input 'FORM'/);
        assert.deepEqual(verbs(server, before), ["CREATE OR REPLACE TABLE lab_spec_limits"]);
        assert.equal(server.sources.size, 4);
    });

    it("update removes a dropped statement and adds a new one", async () => {
        const olds = (await provider.create(inputs(server, "manufacturing_events"))).outs as KsqlAppOutputs;
        const before = server.statements.length;
        const news = inputs(server, "manufacturing_events");
        const extra: KsqlStatementSpec = {
            name: "MACHINE_WARNINGS",
            kind: "query",
            objectType: "STREAM",
            reads: ["MES_MACHINE_EVENTS_CDC"],
            sql: "CREATE STREAM IF NOT EXISTS machine_warnings AS SELECT * FROM mes_machine_events_cdc WHERE after->severity = 'WARNING' EMIT CHANGES;",
        };
        news.statements = [news.statements[0], news.statements[1], extra];
        await provider.update("id", olds, news);
        const countsQuery = verbs(server, before)[0];
        assert.match(countsQuery, /^TERMINATE CTAS_MACHINE_EVENT_COUNTS_5M_/);
        assert.deepEqual(verbs(server, before).slice(1), ["DROP TABLE IF EXISTS MACHINE_EVENT_COUNTS_5M", "CREATE STREAM IF NOT EXISTS machine_warnings"]);
    });

    it("delete terminates every query, then drops streams/tables in reverse order, and never deletes a topic", async () => {
        const { outs } = await provider.create(inputs(server, "lab_validation"));
        const queryIds = [...server.queries.keys()];
        const before = server.statements.length;
        await provider.delete("id", outs);
        assert.deepEqual(verbs(server, before), [
            `TERMINATE ${queryIds[1]}`,
            `TERMINATE ${queryIds[0]}`,
            "DROP STREAM IF EXISTS LAB_RESULTS_OOS",
            "DROP TABLE IF EXISTS LAB_SPEC_LIMITS",
            "DROP STREAM IF EXISTS LAB_TEST_RESULTS_CDC",
            "DROP STREAM IF EXISTS LAB_SPEC_LIMITS_CDC",
        ]);
        assert.equal(server.sources.size, 0);
        assert.equal(server.queries.size, 0);
        assert.ok(!server.statements.some((s) => /DELETE TOPIC/i.test(s)), "catalog topics must survive");
    });

    it("delete of the audit trail terminates its INSERT queries before dropping the streams they use", async () => {
        const { outs } = await provider.create(inputs(server, "audit_trail"));
        const before = server.statements.length;
        await provider.delete("id", outs);
        const steps = verbs(server, before);
        const lastTerminate = steps.map((s) => s.startsWith("TERMINATE")).lastIndexOf(true);
        assert.equal(steps.filter((s) => s.startsWith("TERMINATE INSERTQUERY_")).length, CAPTURED_TABLES);
        assert.ok(steps.slice(0, lastTerminate + 1).every((s) => s.startsWith("TERMINATE")));
        assert.equal(steps[steps.length - 1], "DROP STREAM IF EXISTS AUDIT_CDC_CHANGES");
        assert.equal(server.sources.size, 0);
    });

    it("a statement error is surfaced verbatim with the failing statement", async () => {
        server.rejectStatement = (sql) =>
            /lab_spec_limits\b/.test(sql) && /^CREATE TABLE/.test(sql)
                ? { error_code: 40001, message: "Function 'LATEST_BY_OFFSET' does not accept parameters (DECIMAL(18, 6))." }
                : undefined;
        const err = await rejection(provider.create(inputs(server, "lab_validation")));
        assert.match(err.message, /app lab_validation, statement 3 of 4 \(query LAB_SPEC_LIMITS\)/);
        assert.match(err.message, /server \(statement_error, error_code 40001\): Function 'LATEST_BY_OFFSET' does not accept parameters \(DECIMAL\(18, 6\)\)\./);
        assert.match(err.message, /statement: CREATE TABLE IF NOT EXISTS lab_spec_limits WITH \(KAFKA_TOPIC='lifesci\.ksql\.lab_spec_limits'/);
        assert.equal(server.sources.size, 2, "statements after the failing one are not run");
    });

    it("retries 503 (and a reset connection) with backoff, then succeeds", async () => {
        server.fail503 = 2;
        await provider.create(inputs(server, "manufacturing_events"));
        assert.equal(server.log.filter((r) => r.path === "/info").length, 3, "GET /info answered on the third attempt");
        server.resetNext = 1;
        await provider.create(inputs(server, "manufacturing_events"));
        assert.equal(server.sources.size, 3);
    });

    it("gives up on an endless 503 after the configured attempts with a clear error", async () => {
        server.fail503 = 1_000;
        const started = Date.now();
        const err = await rejection(provider.create(inputs(server, "manufacturing_events")));
        assert.match(err.message, /ksqlDB http:\/\/127\.0\.0\.1:\d+ \(GET \/info\): gave up after 3 attempts, last HTTP 503: Service Unavailable/);
        assert.equal(server.log.length, 3);
        assert.ok(Date.now() - started < 2_000);
    });

    it("an auth failure (401) fails at once, naming the key problem but not the key", async () => {
        const wrong = { ...inputs(server, "lab_validation"), credentials: { key: CREDENTIALS.key, secret: "wrong-secret-value" } };
        const err = await rejection(provider.create(wrong));
        assert.match(err.message, /authentication failed \(HTTP 401: Unauthorized\); check the ksqlDB API key/);
        assert.ok(!err.message.includes("wrong-secret-value"));
        assert.equal(server.log.length, 1, "401 is not retried");
    });

    it("a server that does not answer fails after the request timeout, without retrying the statement", async () => {
        server.hang = true;
        const err = await rejection(provider.create(inputs(server, "lab_validation")));
        assert.match(err.message, /\(GET \/info\): no answer within 300 ms/);
        assert.equal(server.log.length, 1);
    });

    it("refuses to send credentials over plain HTTP except to a loopback (local) server", async () => {
        const remote = { ...inputs(server, "lab_validation"), endpoint: "http://ksqldb.example.com:8088" };
        const err = await rejection(provider.create(remote));
        assert.match(err.message, /refusing to send credentials over plain HTTP; use https/);
        assert.equal(server.log.length, 0);
    });
});

describe("ksqlDB provider: local server without auth", () => {
    it("deploys over plain HTTP without an Authorization header", async () => {
        const server = await new FakeKsqlServer().start();
        try {
            const { outs } = await provider.create({ ...inputs(server, "order_monitoring"), credentials: undefined });
            assert.ok(server.log.every((r) => r.authorization === undefined));
            assert.equal(server.sources.size, 3);
            assert.equal(JSON.stringify(outs).includes("secret"), false);
        } finally {
            await server.stop();
        }
    });
});
