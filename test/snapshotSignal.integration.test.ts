// Backfill of added tables: one incremental-snapshot signal, written once, on the real MariaDB.
import { strict as assert } from "assert";
import {
    SIGNAL_TABLE,
    SnapshotSignalInputs,
    SnapshotSignalOutputs,
    addedTablesSignal,
    signalTableDdl,
    snapshotSignalProvider,
} from "../components/source/snapshotSignal";
import { MariaDb, sharedMariaDb } from "./support/mariadb";

describe("incremental-snapshot signal for added tables (real MariaDB)", function () {
    this.timeout(60_000);
    let server: MariaDb;
    const database = "qa_signal";
    let inputs: SnapshotSignalInputs;
    const rows = () => server.query<any[]>(`SELECT id, type, data FROM ${database}.${SIGNAL_TABLE} ORDER BY id`);

    before(async () => {
        server = await sharedMariaDb();
        await server.query(`DROP DATABASE IF EXISTS ${database}`);
        await server.query(`CREATE DATABASE ${database}`);
        await server.query(signalTableDdl(database));
        await server.query(signalTableDdl(database)); // idempotent
        // The writer has exactly the CDC user's grant on the signal table (bootstrap grantSignalTable): INSERT, DELETE.
        await server.query("DROP USER IF EXISTS 'qa_signal_writer'@'%'");
        await server.query("CREATE USER 'qa_signal_writer'@'%' IDENTIFIED BY 'qa-writer-pw' REQUIRE SSL");
        await server.query(`GRANT INSERT, DELETE ON ${database}.${SIGNAL_TABLE} TO 'qa_signal_writer'@'%'`);
        inputs = { host: server.host, port: server.port, user: "qa_signal_writer", password: "qa-writer-pw", tls: "verify_identity", caPem: server.caPem, database, tables: ["samples", "test_results"] };
    });

    after(async () => {
        await server.query("DROP USER IF EXISTS 'qa_signal_writer'@'%'");
    });

    it("a new connector gets no signal (its initial snapshot covers every table)", async () => {
        const created = await snapshotSignalProvider.create(inputs);
        assert.deepEqual((created.outs as SnapshotSignalOutputs).signalIds, []);
        assert.deepEqual(await rows(), []);
    });

    it("adding a table writes one execute-snapshot signal naming exactly the added table; re-runs and unrelated updates write none", async () => {
        const olds: SnapshotSignalOutputs = { ...inputs, signalIds: [] };
        const news = { ...inputs, tables: ["samples", "spec_limits", "test_results"] };
        assert.equal((await snapshotSignalProvider.diff!("id", olds, news)).changes, true);
        const updated = (await snapshotSignalProvider.update!("id", olds, news)).outs as SnapshotSignalOutputs;
        const written = await rows();
        assert.equal(written.length, 1);
        assert.equal(written[0].type, "execute-snapshot");
        assert.deepEqual(JSON.parse(written[0].data), { "data-collections": [`${database}.spec_limits`], type: "incremental" });
        assert.deepEqual(updated.signalIds, [written[0].id]);

        // The next deploy with the same tables: no diff, so no update, so no signal.
        assert.equal((await snapshotSignalProvider.diff!("id", updated, news)).changes, false);
        // A retried update (state not saved) inserts nothing new: the id is derived from the change.
        await snapshotSignalProvider.update!("id", olds, news);
        assert.equal((await rows()).length, 1);
        // An update that removes a table signals nothing.
        await snapshotSignalProvider.update!("id", updated, { ...news, tables: ["samples", "spec_limits"] });
        assert.equal((await rows()).length, 1);
    });

    it("builds the signal only for added tables, in a stable order", () => {
        assert.equal(addedTablesSignal("lims", ["a", "b"], ["b", "a"]), undefined);
        const s = addedTablesSignal("lims", ["a"], ["d", "a", "c"])!;
        assert.deepEqual(JSON.parse(s.data), { "data-collections": ["lims.c", "lims.d"], type: "incremental" });
        assert.equal(s.id, addedTablesSignal("lims", ["a"], ["c", "d", "a"])!.id);
        assert.notEqual(s.id, addedTablesSignal("lims", [], ["c", "d", "a"])!.id);
    });
});
