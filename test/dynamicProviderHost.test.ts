// The dynamic providers as `pulumi up` runs them: the serialized provider (`__provider`) and the
// inputs the dev and local stacks register under the mock engine, handed to @pulumi/pulumi's own
// dynamic-provider host process over gRPC. In-process provider tests cannot see what the closure
// serializer drops (module-level Sets, Error subclasses); these can. One host for the whole file.
import { strict as assert } from "assert";
import * as net from "net";
import { KSQL_APPS } from "../components/catalog";
import { RecordedResource, StackRun, plain, runStack } from "./support/harness";
import { FakeConnectServer } from "./support/fakeConnectServer";
import { FakeKsqlServer } from "./support/fakeKsqlServer";
import { DynamicProviderHost, HostError, Props } from "./support/dynamicProviderHost";
import { MariaDb } from "./support/mariadb";
import { ADMIN_PASSWORD, ADMIN_USER, CDC_PASSWORD, CDC_USER, bootstrappedSources } from "./support/sources";

const DYNAMIC = "pulumi-nodejs:dynamic:Resource";

/** The properties the engine sends the host: recorded inputs, secrets unwrapped (the host does not accept secrets). */
function engineProps(r: RecordedResource, overrides: Props = {}): Props {
    const props: Props = {};
    for (const [k, v] of Object.entries(r.inputs)) props[k] = plain(v);
    assert.equal(typeof props.__provider, "string", `${r.name}: the stack run recorded no serialized provider`);
    return { ...props, ...overrides };
}

function urnOf(run: StackRun, r: RecordedResource): string {
    return `urn:pulumi:${run.stack}::lifesci-streaming::${r.type}::${r.name}`;
}

async function hostError(promise: Promise<unknown>): Promise<HostError> {
    try {
        await promise;
    } catch (err) {
        assert.ok(err instanceof HostError, `expected an error from the host, got ${err}`);
        return err;
    }
    assert.fail("expected the host to report an error");
}

function closedPort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

describe("dynamic providers in @pulumi/pulumi's dynamic-provider host (gRPC), with the stacks' serialized providers", function () {
    this.timeout(60_000);
    let host: DynamicProviderHost;
    let dev: StackRun;
    let local: StackRun;

    before(async () => {
        const starting = DynamicProviderHost.start();
        // One stack at a time: the mocks are process-wide.
        dev = await runStack("dev");
        local = await runStack("local");
        host = await starting;
    });
    after(() => host?.stop());

    describe("SQL bootstrap against a real MariaDB", () => {
        let server: MariaDb;
        before(async () => {
            server = await bootstrappedSources();
        });

        /** The dev stack's bootstrap aimed at the test server, with its own CDC account so other tests keep theirs. */
        const devBootstrap = (overrides: Props = {}) =>
            engineProps(dev.one(DYNAMIC, "mysql-bootstrap"), {
                // The stack's own TLS settings (verify_identity), with the test server's name and CA.
                host: server.host,
                caPem: server.caPem,
                port: server.port,
                adminUser: ADMIN_USER,
                adminPassword: ADMIN_PASSWORD,
                cdcUser: "lifesci_cdc_host",
                ...overrides,
            });

        it("check, create, no-op diff, changed diff, update, read and delete all work in the host", async () => {
            const urn = urnOf(dev, dev.one(DYNAMIC, "mysql-bootstrap"));
            const news = devBootstrap();
            const checked = await host.check(urn, {}, news);
            assert.deepEqual(checked.failures, []);
            assert.equal(checked.inputs.cdcUser, "lifesci_cdc_host");

            const created = await host.create(urn, checked.inputs);
            assert.equal(created.id, `localhost:${server.port}/lifesci_cdc_host@%`);
            assert.equal(checked.inputs.tls, "verify_identity", "the stack's bootstrap verifies the server");
            const grants = (created.outs.grants as string[]).join("\n");
            assert.match(grants, /REPLICATION SLAVE/);
            // The database-level grant names exactly sap_orders (`_` escaped; issue 22, item 12).
            assert.match(grants, /ON `sap\\_orders`\.\*/);
            assert.equal(created.outs.__provider, news.__provider, "the host keeps the provider in the state for later operations");
            assert.ok(!("cdcPassword" in created.outs), "the CDC password is not stored");

            assert.deepEqual(await host.diff(urn, created.id, created.outs, news), { changes: "none", replaces: [], deleteBeforeReplace: false });
            const moved = await host.diff(urn, created.id, created.outs, { ...news, host: "elsewhere.example" });
            assert.equal(moved.changes, "some");
            assert.deepEqual(moved.replaces, ["host"]);
            const rotated = { ...news, cdcPassword: `${news.cdcPassword}-rotated` };
            assert.equal((await host.diff(urn, created.id, created.outs, rotated)).changes, "some");

            const updated = await host.update(urn, created.id, created.outs, rotated);
            assert.notEqual(updated.cdcPasswordSha256, created.outs.cdcPasswordSha256);
            const [login] = await server.query("SELECT COUNT(*) AS n FROM mysql.user WHERE User = 'lifesci_cdc_host'");
            assert.equal(Number(login.n), 1);

            const read = await host.read(urn, created.id, updated, rotated);
            assert.equal(read.id, created.id);
            assert.equal(read.props.cdcUser, "lifesci_cdc_host");

            await host.delete(urn, created.id, updated);
            const [gone] = await server.query("SELECT COUNT(*) AS n FROM mysql.user WHERE User = 'lifesci_cdc_host'");
            assert.equal(Number(gone.n), 0, "delete drops the CDC account");
            const [databases] = await server.query("SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'sap_orders'");
            assert.equal(Number(databases.n), 1, "delete never drops a database");
        });

        it("an unreachable database reaches the engine as the operator's message, not 'undefined'", async () => {
            const port = await closedPort();
            const urn = urnOf(dev, dev.one(DYNAMIC, "mysql-bootstrap"));
            const err = await hostError(host.create(urn, devBootstrap({ port })));
            assert.match(err.details, new RegExp(`cannot reach MySQL at localhost:${port}: connection refused`));
            assert.ok(!err.details.includes(ADMIN_PASSWORD), "no password in the error");
        });

        it("a failing statement reaches the engine with the bootstrap's context and without passwords", async () => {
            const urn = urnOf(dev, dev.one(DYNAMIC, "mysql-bootstrap"));
            const props = devBootstrap();
            const broken = { version: 999, description: "broken", file: "sql/mysql/sap/V999__broken.sql", sql: "CREATE TABLE broken (" };
            const databases = (props.databases as { name: string; migrations: unknown[] }[]).map((d, i) => (i === 0 ? { ...d, migrations: [...d.migrations, broken] } : d));
            try {
                const err = await hostError(host.create(urn, { ...props, databases }));
                assert.match(
                    err.details,
                    new RegExp(`^bootstrap of localhost:${server.port} failed: sql/mysql/sap/V999__broken\\.sql: statement #1 of 1 failed on sap_orders: .*SQL syntax.*\\(statement: CREATE TABLE broken \\(\\)`),
                );
                assert.ok(!err.details.includes(ADMIN_PASSWORD));
            } finally {
                await server.query("DELETE FROM sap_orders.lifesci_schema_history WHERE version = 999");
            }
        });

        it("the serialized snapshot-signal provider writes one signal for an added table, from the host, as the CDC user", async () => {
            const resource = dev.one(DYNAMIC, "cdc-lims-snapshot-signal");
            const urn = urnOf(dev, resource);
            const news = engineProps(resource, { host: server.host, caPem: server.caPem, port: server.port, user: CDC_USER, password: CDC_PASSWORD });
            const created = await host.create(urn, (await host.check(urn, {}, news)).inputs);
            assert.deepEqual(created.outs.signalIds, [], "a new connector snapshots by itself");
            const added = { ...news, tables: [...(news.tables as string[]), "qa_host_added"] };
            assert.equal((await host.diff(urn, created.id, created.outs, added)).changes, "some");
            try {
                const updated = await host.update(urn, created.id, created.outs, added);
                const [row] = await server.query<any[]>("SELECT id, type, data FROM lims.lifesci_cdc_signal WHERE id = ?", [(updated.signalIds as string[])[0]]);
                assert.deepEqual([row.type, JSON.parse(row.data)], ["execute-snapshot", { "data-collections": ["lims.qa_host_added"], type: "incremental" }]);
            } finally {
                await server.query("DELETE FROM lims.lifesci_cdc_signal WHERE data LIKE '%qa_host_added%'");
            }
        });

        it("verification runs in the host too: a certificate from another CA is refused before any password is sent", async () => {
            const urn = urnOf(dev, dev.one(DYNAMIC, "mysql-bootstrap"));
            const err = await hostError(host.create(urn, devBootstrap({ caPem: server.wrongCaPem })));
            assert.match(err.details, new RegExp(`TLS certificate of MySQL at localhost:${server.port} is not trusted by the given CA`));
            assert.ok(!err.details.includes(ADMIN_PASSWORD));
        });
    });

    describe("ksqlDB provider against the in-process ksqlDB server", () => {
        const apps = () => [
            ...dev.ofType(DYNAMIC).filter((r) => r.name.startsWith("ksqldb-app-")),
            ...local.ofType(DYNAMIC).filter((r) => r.name.startsWith("local-ksql-")),
        ];

        it("every app of the dev and local stacks is created, diffed, updated, read and deleted by its serialized provider", async () => {
            assert.equal(apps().length, 2 * KSQL_APPS.length, "every catalog app in cloud and local");
            for (const r of apps()) {
                const run = r.name.startsWith("local-") ? local : dev;
                const credentials = plain(r.inputs.credentials);
                const server = await new FakeKsqlServer(credentials ? { credentials } : {}).start();
                try {
                    const urn = urnOf(run, r);
                    const news = engineProps(r, { endpoint: server.endpoint });
                    const created = await host.create(urn, (await host.check(urn, {}, news)).inputs);
                    assert.equal(created.id, `pksqlc-fake01/${news.app}`, r.name);
                    const statements = news.statements as { sql: string }[];
                    assert.equal(server.statements.length, statements.length, `${r.name}: every statement ran`);
                    if (credentials) assert.ok(server.log.every((l) => l.authorization?.startsWith("Basic ")), `${r.name}: basic auth`);

                    assert.equal((await host.diff(urn, created.id, created.outs, news)).changes, "none", r.name);
                    // The update removes the last statement: its query is terminated / its source dropped.
                    const changed = { ...news, statements: statements.slice(0, -1) };
                    assert.equal((await host.diff(urn, created.id, created.outs, changed)).changes, "some", r.name);
                    const before = server.statements.length;
                    const updated = await host.update(urn, created.id, created.outs, changed);
                    assert.ok(server.statements.length > before, `${r.name}: update sent the changed statement`);
                    assert.equal(updated.ksqlServiceId, "pksqlc-fake01");

                    const read = await host.read(urn, created.id, updated, changed);
                    assert.equal(read.id, created.id);

                    await host.delete(urn, created.id, updated);
                    assert.equal(server.sources.size, 0, `${r.name}: delete dropped every stream and table`);
                    assert.equal(server.queries.size, 0, `${r.name}: delete terminated every query`);
                } finally {
                    await server.stop();
                }
            }
        });

        it("the server's statement error arrives verbatim, with the statement", async () => {
            const r = dev.one(DYNAMIC, "ksqldb-app-lab_validation");
            const credentials = plain(r.inputs.credentials);
            const server = await new FakeKsqlServer({ credentials }).start();
            try {
                server.rejectStatement = (sql) => (/CREATE STREAM/i.test(sql) ? { error_code: 40001, message: "Invalid config variable in the WITH clause: FOO" } : undefined);
                const err = await hostError(host.create(urnOf(dev, r), engineProps(r, { endpoint: server.endpoint })));
                assert.match(err.details, /ksqlDB rejected app lab_validation, statement 1 of \d+/);
                assert.match(err.details, /server \(statement_error, error_code 40001\): Invalid config variable in the WITH clause: FOO/);
                assert.match(err.details, /statement: CREATE STREAM/);
                assert.ok(!err.details.includes(credentials.secret), "no secret in the error");
            } finally {
                await server.stop();
            }
        });

        it("refused credentials and refused plain-HTTP endpoints arrive as the provider's messages", async () => {
            const r = dev.one(DYNAMIC, "ksqldb-app-lab_validation");
            const credentials = plain(r.inputs.credentials);
            const server = await new FakeKsqlServer({ credentials: { key: "OTHER", secret: "other" } }).start();
            try {
                const denied = await hostError(host.create(urnOf(dev, r), engineProps(r, { endpoint: server.endpoint })));
                assert.match(denied.details, /authentication failed \(HTTP 401: Unauthorized\); check the ksqlDB API key/);
                const plainHttp = await hostError(host.create(urnOf(dev, r), engineProps(r, { endpoint: "http://ksql.example:8088" })));
                assert.equal(plainHttp.details, "ksqlDB endpoint http://ksql.example:8088: refusing to send credentials over plain HTTP; use https");
                assert.ok(!denied.details.includes(credentials.secret));
            } finally {
                await server.stop();
            }
        });
    });

    describe("Kafka Connect provider against the in-process Connect worker", () => {
        const connectors = () => local.ofType(DYNAMIC).filter((r) => r.name.startsWith("local-connector-"));
        const fastWait = { runningTimeoutMs: 2_000, pollIntervalMs: 10, maxAttempts: 3, retryDelayMs: 10, requestTimeoutMs: 2_000 };
        let server: FakeConnectServer;
        beforeEach(async () => {
            server = await new FakeConnectServer().start();
            server.startAfterPolls = 0;
        });
        afterEach(() => server.stop());

        it("every local connector is created, diffed, updated, read and deleted by its serialized provider", async () => {
            assert.equal(connectors().length, 9, "4 CDC sources and 5 sinks (s3-raw, s3-audit, snowflake-cdc, snowflake-curated, snowflake-streams)");
            for (const r of connectors()) {
                const urn = urnOf(local, r);
                const news = engineProps(r, { endpoint: server.endpoint });
                const created = await host.create(urn, (await host.check(urn, {}, news)).inputs);
                assert.equal(created.id, news.name);
                assert.equal(created.outs.connectorState, "RUNNING");
                const stored = server.connectors.get(news.name as string)!.config;
                for (const [k, v] of Object.entries(news.configSensitive as Record<string, string>)) assert.equal(stored[k], v, `${r.name}: ${k} merged in`);

                assert.equal((await host.diff(urn, created.id, created.outs, news)).changes, "none", r.name);
                const changed = { ...news, config: { ...(news.config as object), "tasks.max": "2" } };
                assert.equal((await host.diff(urn, created.id, created.outs, changed)).changes, "some", r.name);
                const renamed = await host.diff(urn, created.id, created.outs, { ...news, name: "other" });
                assert.deepEqual([renamed.replaces, renamed.deleteBeforeReplace], [["name"], true]);
                const updated = await host.update(urn, created.id, created.outs, changed);
                assert.equal(server.connectors.get(news.name as string)!.config["tasks.max"], "2");
                assert.equal(updated.connectorState, "RUNNING");
                assert.equal((await host.read(urn, created.id, updated, changed)).id, created.id);

                await host.delete(urn, created.id, updated);
                assert.ok(!server.connectors.has(news.name as string), `${r.name}: deleted`);
            }
        });

        it("a FAILED task's trace and a worker's 400 arrive verbatim, without the password", async () => {
            const r = local.one(DYNAMIC, "local-connector-cdc-sap");
            const urn = urnOf(local, r);
            const props = engineProps(r, { endpoint: server.endpoint, wait: fastWait });
            const password = (props.configSensitive as Record<string, string>)["database.password"];
            server.failTaskWith = `org.apache.kafka.connect.errors.ConnectException: Access denied for user 'lifesci_cdc' (using password: ${password})`;
            const failed = await hostError(host.create(urn, props));
            assert.match(failed.details, /^connector lifesci-local-sap-cdc FAILED on http:\/\/127\.0\.0\.1:\d+:\n {2}task 0 on connect:8083: org\.apache\.kafka\.connect\.errors\.ConnectException: Access denied/);
            assert.ok(!failed.details.includes(password), "the password is redacted");

            const invalid = await hostError(host.create(urn, { ...props, config: { ...(props.config as object), "connector.class": "" } }));
            assert.match(invalid.details, /^Kafka Connect http:\/\/127\.0\.0\.1:\d+ \(PUT \/connectors\/lifesci-local-sap-cdc\/config\): HTTP 400: Connector config \{\} contains no connector type$/);
        });

        it("an unreachable worker is reported with the endpoint after the bounded retries", async () => {
            const r = local.one(DYNAMIC, "local-connector-cdc-sap");
            const endpoint = `http://127.0.0.1:${await closedPort()}`;
            const err = await hostError(host.create(urnOf(local, r), engineProps(r, { endpoint, wait: fastWait })));
            assert.equal(err.details, `Kafka Connect ${endpoint} (PUT /connectors/lifesci-local-sap-cdc/config): gave up after 3 attempts, last connection error ECONNREFUSED`);
        });
    });
});
