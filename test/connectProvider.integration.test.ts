// The Kafka Connect REST provider against an in-process worker (test/fakeConnectServer.ts).
import { strict as assert } from "assert";
import { ConnectWaitPolicy, ConnectorInputs, ConnectorOutputs, connectorProvider } from "../local/connectProvider";
import { FakeConnectServer } from "./support/fakeConnectServer";

const provider = connectorProvider as Required<typeof connectorProvider>;
const FAST: ConnectWaitPolicy = { runningTimeoutMs: 400, pollIntervalMs: 10, maxAttempts: 4, retryDelayMs: 5, requestTimeoutMs: 500 };
const PASSWORD = `pw-${Math.random().toString(36).slice(2)}`;

function inputs(server: FakeConnectServer, config: Record<string, string> = {}): ConnectorInputs {
    return {
        endpoint: server.endpoint,
        name: "lifesci-local-sap-cdc",
        config: { "connector.class": "io.debezium.connector.mysql.MySqlConnector", "topic.prefix": "lifesci.sap", ...config },
        configSensitive: { "database.password": PASSWORD },
        wait: FAST,
    };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
    try {
        await promise;
    } catch (err) {
        assert.ok(!(err as Error).message.includes(PASSWORD), `password leaked: ${(err as Error).message}`);
        return err as Error;
    }
    assert.fail("expected the operation to fail");
}

describe("Kafka Connect provider: against a REST worker", () => {
    let server: FakeConnectServer;
    beforeEach(async () => {
        server = await new FakeConnectServer().start();
    });
    afterEach(() => server.stop());

    it("create PUTs the config with the sensitive keys merged in, then polls status until all tasks are RUNNING", async () => {
        server.startAfterPolls = 3;
        const { id, outs } = await provider.create(inputs(server));
        assert.equal(id, "lifesci-local-sap-cdc");
        const put = server.log[0];
        assert.equal(put.method, "PUT");
        assert.equal(put.path, "/connectors/lifesci-local-sap-cdc/config");
        assert.equal(put.body["database.password"], PASSWORD);
        assert.equal(put.body.name, "lifesci-local-sap-cdc");
        const polls = server.log.filter((r) => r.path.endsWith("/status"));
        assert.equal(polls.length, 4, "three UNASSIGNED answers, then RUNNING");
        assert.equal((outs as ConnectorOutputs).connectorState, "RUNNING");
        assert.deepEqual((outs as ConnectorOutputs).taskStates, ["RUNNING"]);
    });

    it("update PUTs the new config to the same connector and waits again; diff sees config changes and replaces on rename", async () => {
        const first = await provider.create(inputs(server));
        const changed = inputs(server, { "snapshot.mode": "when_needed" });
        const diff = await provider.diff(first.id, first.outs, changed);
        assert.equal(diff.changes, true);
        assert.deepEqual(diff.replaces, []);
        assert.equal((await provider.diff(first.id, first.outs, inputs(server))).changes, false);
        assert.deepEqual((await provider.diff(first.id, first.outs, { ...inputs(server), name: "other" })).replaces, ["name"]);
        assert.equal((await provider.diff(first.id, first.outs, { ...inputs(server), configSensitive: { "database.password": "rotated" } })).changes, true);
        const before = server.log.length;
        await provider.update(first.id, first.outs, changed);
        assert.deepEqual(
            server.log.slice(before).filter((r) => r.method === "PUT").map((r) => r.path),
            ["/connectors/lifesci-local-sap-cdc/stop", "/connectors/lifesci-local-sap-cdc/config", "/connectors/lifesci-local-sap-cdc/resume"],
        );
        assert.equal(server.connectors.get("lifesci-local-sap-cdc")!.config["snapshot.mode"], "when_needed");
    });

    it("update returns only once the tasks run the new config, not while the old tasks still report RUNNING", async () => {
        // Found by npm run e2e: the snapshot signal written right after a connector update reached the
        // old task (old table.include.list), which dropped it, so the added table was never backfilled.
        const first = await provider.create(inputs(server, { "table.include.list": "sap_orders.sales_orders" }));
        server.restartAfterPolls = 5;
        const added = inputs(server, { "table.include.list": "sap_orders.sales_orders,sap_orders.added" });
        await provider.update(first.id, first.outs, added);
        assert.equal(server.runningConfig("lifesci-local-sap-cdc")?.["table.include.list"], "sap_orders.sales_orders,sap_orders.added");
    });

    it("an update that cannot stop the connector in time fails naming the state it saw", async () => {
        const first = await provider.create(inputs(server));
        server.rebalanceNext = 0;
        const original = server.connectors.get("lifesci-local-sap-cdc")!;
        // A worker that accepts /stop but never stops (e.g. a stuck task).
        const stopping = inputs(server, { "snapshot.mode": "when_needed" });
        server.neverStop = true;
        const err = await rejection(provider.update(first.id, first.outs, stopping));
        assert.match(err.message, /connector lifesci-local-sap-cdc not STOPPED within 400 ms .*last: RUNNING/);
        assert.equal(original.config["snapshot.mode"], undefined, "the config was not changed under running tasks");
    });

    it("a FAILED task fails the operation with its trace", async () => {
        server.failTaskWith = "org.apache.kafka.connect.errors.ConnectException: Access denied for user 'lifesci_cdc'@'172.18.0.5'";
        const err = await rejection(provider.create(inputs(server)));
        assert.match(err.message, /connector lifesci-local-sap-cdc FAILED/);
        assert.match(err.message, /task 0 on connect:8083: org\.apache\.kafka\.connect\.errors\.ConnectException: Access denied/);
    });

    it("a trace that echoes the password is redacted", async () => {
        server.failTaskWith = `cannot log in with password ${PASSWORD}`;
        const err = await rejection(provider.create(inputs(server)));
        assert.match(err.message, /\[redacted\]/);
    });

    it("409 (rebalance in progress) is retried until the worker answers", async () => {
        server.rebalanceNext = 2;
        await provider.create(inputs(server));
        assert.deepEqual(server.log.slice(0, 3).map((r) => r.method), ["PUT", "PUT", "PUT"]);
        assert.ok(server.connectors.has("lifesci-local-sap-cdc"));
    });

    it("409 that never ends gives up after the bound, naming the request", async () => {
        server.rebalanceNext = 100;
        const err = await rejection(provider.create(inputs(server)));
        assert.match(err.message, /PUT \/connectors\/lifesci-local-sap-cdc\/config\): gave up after 4 attempts, last HTTP 409/);
        assert.equal(server.log.length, 4);
    });

    it("a connector that never starts fails at the bound with its last state", async () => {
        server.neverStart = true;
        const started = Date.now();
        const err = await rejection(provider.create(inputs(server)));
        assert.match(err.message, /not RUNNING within 400 ms .*\(last: connector UNASSIGNED, tasks \[UNASSIGNED\]\)/);
        assert.ok(Date.now() - started < 2_000, "bounded");
    });

    it("a config the worker rejects (4xx) fails at once with the worker's message", async () => {
        const bad = { ...inputs(server), config: { "topic.prefix": "x" } };
        const err = await rejection(provider.create(bad));
        assert.match(err.message, /HTTP 400: Connector config \{\} contains no connector type/);
        assert.equal(server.log.length, 1, "not retried");
    });

    it("delete removes the connector, and deleting one that is gone succeeds", async () => {
        const { id, outs } = await provider.create(inputs(server));
        await provider.delete(id, outs);
        assert.equal(server.connectors.size, 0);
        assert.equal(server.log.at(-1)!.method, "DELETE");
        await provider.delete(id, outs);
    });

    it("an unreachable worker fails after the bounded retries", async () => {
        const unreachable = inputs(server);
        await server.stop();
        const err = await rejection(provider.create(unreachable));
        assert.match(err.message, /gave up after 4 attempts, last connection error ECONNREFUSED/);
    });
});
