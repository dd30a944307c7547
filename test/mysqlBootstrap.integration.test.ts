// The SQL bootstrap against a real MariaDB server.
import { strict as assert } from "assert";
import { DOMAINS } from "../components/catalog";
import { applyBootstrap, BootstrapOutputs, connectMySql, desiredCdcGrants, diffBootstrap, mysqlBootstrapProvider, parseGrants, redact, removeCdcUser } from "../components/source";
import { MariaDb, startMariaDb } from "./support/mariadb";
import { ADMIN_PASSWORD, CDC_PASSWORD, CDC_USER, adminEndpoint, bootstrapSpec, bootstrappedSources, cdcEndpoint } from "./support/sources";

let server: MariaDb;

/**
 * The account's privileges as the server's own tables report them (scope `*` = global), read
 * without the program's SHOW GRANTS parser, so a broken parser cannot agree with itself.
 */
async function grantsOf(user = CDC_USER): Promise<Record<string, string[]>> {
    const grantee = `'${user}'@'%'`;
    const global = await server.query<any[]>("SELECT PRIVILEGE_TYPE AS p FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ?", [grantee]);
    const schema = await server.query<any[]>("SELECT TABLE_SCHEMA AS db, PRIVILEGE_TYPE AS p FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ?", [grantee]);
    const out: Record<string, string[]> = {};
    for (const r of global) if (r.p !== "USAGE") (out["*"] ??= []).push(r.p);
    for (const r of schema) (out[r.db] ??= []).push(r.p);
    for (const k of Object.keys(out)) out[k].sort();
    return out;
}

async function schemaSnapshot(): Promise<string> {
    const parts: string[] = [];
    for (const d of DOMAINS) {
        for (const t of d.tables) {
            const [row] = await server.query<any[]>(`SHOW CREATE TABLE \`${d.database}\`.\`${t.name}\``);
            parts.push(String(row["Create Table"]));
        }
    }
    return parts.join("\n");
}

describe("SHOW GRANTS parsing (lines as MySQL 8 and MariaDB print them)", () => {
    it("reads global and database scopes, maps MariaDB's BINLOG MONITOR, skips table- and column-level grants", () => {
        const grants = parseGrants([
            "GRANT RELOAD, SHOW DATABASES, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO `lifesci_cdc`@`%` IDENTIFIED BY PASSWORD '*D640F3DC' REQUIRE SSL",
            "GRANT SELECT, LOCK TABLES ON `lims`.* TO `lifesci_cdc`@`%`",
            "GRANT USAGE ON *.* TO `lifesci_cdc`@`%`",
            "GRANT SELECT ON mes.* TO 'lifesci_cdc'@'%'",
            "GRANT INSERT ON `lims`.`samples` TO `lifesci_cdc`@`%`",
            "GRANT SELECT (sample_id), UPDATE ON `screening`.* TO `lifesci_cdc`@`%`",
            "GRANT ALL ON `sap_orders`.* TO `lifesci_cdc`@`%`",
            "REVOKE SELECT ON *.* FROM x",
        ]);
        const plainGrants = Object.fromEntries([...grants].map(([k, v]) => [k, [...v].sort()]));
        assert.deepEqual(plainGrants, {
            "*": ["RELOAD", "REPLICATION CLIENT", "REPLICATION SLAVE", "SHOW DATABASES", "USAGE"],
            lims: ["LOCK TABLES", "SELECT"],
            mes: ["SELECT"],
            screening: ["UPDATE"],
            sap_orders: ["ALL PRIVILEGES"],
        });
    });
});

describe("SQL bootstrap (real MariaDB)", function () {
    this.timeout(60_000);

    before(async () => {
        server = await bootstrappedSources();
        console.log(`      mariadbd ready ${server.startupMs.toFixed(0)} ms after start (pid ${server.pid})`);
    });

    it("creates every captured database and table from sql/mysql/, with seed data", async () => {
        for (const d of DOMAINS) {
            const rows = await server.query<any[]>("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?", [d.database]);
            const names = rows.map((r) => r.TABLE_NAME).filter((n) => !["lifesci_schema_history", "lifesci_cdc_signal"].includes(n)).sort();
            assert.deepEqual(names, d.tables.map((t) => t.name).sort(), d.database);
        }
        const [orders] = await server.query<any[]>("SELECT COUNT(*) AS n FROM sap_orders.sales_orders");
        assert.ok(Number(orders.n) >= 2);
    });

    it("gives the CDC user exactly the CDC privileges on the captured databases", async () => {
        // Written out (MariaDB names REPLICATION CLIENT "BINLOG MONITOR"), not derived from the code under test.
        const expected: Record<string, string[]> = { "*": ["BINLOG MONITOR", "RELOAD", "REPLICATION SLAVE", "SHOW DATABASES"] };
        for (const db of ["sap_orders", "lims", "mes", "screening"]) expected[db] = ["LOCK TABLES", "SELECT"];
        assert.deepEqual(await grantsOf(), expected);
        assert.deepEqual(DOMAINS.map((d) => d.database).sort(), ["lims", "mes", "sap_orders", "screening"]);
        const [account] = await server.query<any[]>("SELECT ssl_type FROM mysql.user WHERE User = ?", [CDC_USER]);
        assert.equal(account.ssl_type, "ANY", "the CDC account may only connect over TLS");
    });

    it("runs each domain's migrations with a history, creates the signal table and lets the CDC user write its watermarks", async () => {
        for (const d of bootstrapSpec(server).databases) {
            const history = await server.query<any[]>(`SELECT version, file, status FROM \`${d.name}\`.lifesci_schema_history ORDER BY version`);
            // Every migration in sql/mysql/<domain>/, in order, the baseline first.
            assert.deepEqual(history.map((h) => [h.version, h.file, h.status]), d.migrations.map((m) => [m.version, m.file, "applied"]));
            assert.match(history[0].file, /\/V001__baseline\.sql$/);
            const [signal] = await server.query<any[]>("SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'lifesci_cdc_signal'", [d.name]);
            assert.equal(Number(signal.n), 1, d.name);
        }
        const grants = (await server.query<any[]>("SHOW GRANTS FOR ?@'%'", [CDC_USER])).map((r) => String(Object.values(r)[0]));
        assert.ok(grants.some((g) => /^GRANT INSERT, DELETE ON `lims`\.`lifesci_cdc_signal` TO/.test(g)), grants.join("\n"));
    });

    it("applies a new migration on the next run, and refuses an applied one that was edited, naming the file", async () => {
        const spec = bootstrapSpec(server);
        const lims = spec.databases.find((d) => d.name === "lims")!;
        // Numbered after the repository's own migrations, so a user's V002 does not collide with it.
        const version = Math.max(...lims.migrations.map((m) => m.version)) + 1;
        const file = `sql/mysql/lims/V${String(version).padStart(3, "0")}__qa_note.sql`;
        const added = { version, description: "qa_note", file, sql: "ALTER TABLE samples ADD COLUMN qa_note VARCHAR(40) NULL;" };
        const fileRe = file.replace(/[./]/g, "\\$&");
        const tag = `V${String(version).padStart(3, "0")}`;
        const withNew = { ...spec, databases: spec.databases.map((d) => (d === lims ? { ...d, migrations: [...d.migrations, added] } : d)) };
        try {
            const created = await mysqlBootstrapProvider.create(withNew);
            assert.ok((created.outs as BootstrapOutputs).migrations.some((m) => new RegExp(`^lims ${tag} [0-9a-f]{64} ${fileRe}$`).test(m)));
            const edited = { ...withNew, databases: withNew.databases.map((d) => (d.name === "lims" ? { ...d, migrations: [...lims.migrations, { ...added, sql: "ALTER TABLE samples ADD COLUMN qa_note VARCHAR(80) NULL;" }] } : d)) };
            // At preview, from the state alone:
            const checked = await mysqlBootstrapProvider.check!(created.outs, edited);
            assert.deepEqual(checked.failures, [{ property: "databases", reason: `${file}: edited after it was applied to lims; applied migrations are immutable: restore it and add the change as a new migration` }]);
            // And by the server, should the state be lost:
            await assert.rejects(applyBootstrap(edited), new RegExp(`${fileRe}: edited after it was applied to lims`));
        } finally {
            await server.query("ALTER TABLE lims.samples DROP COLUMN IF EXISTS qa_note");
            await server.query("DELETE FROM lims.lifesci_schema_history WHERE version = ?", [version]);
        }
    });

    it("is idempotent: a second run changes nothing", async () => {
        const before = await schemaSnapshot();
        const grantsBefore = await grantsOf();
        const result = await applyBootstrap(bootstrapSpec(server));
        assert.deepEqual(result.actions, []);
        assert.equal(await schemaSnapshot(), before);
        assert.deepEqual(await grantsOf(), grantsBefore);
        assert.ok(Object.keys(grantsBefore).length > 1);
        assert.equal(result.server.flavor, "mariadb");
        assert.equal(result.server.isRds, false);
    });

    it("rotates the password without dropping the user, and revokes privileges it did not grant", async () => {
        await server.query("GRANT INSERT, DELETE ON lims.* TO ?@'%'", [CDC_USER]);
        const rotated = `${CDC_PASSWORD}-rotated`;
        const result = await applyBootstrap(bootstrapSpec(server, { cdcPassword: rotated }));
        assert.deepEqual(result.actions, [`rotate password of ${CDC_USER}@%`, "revoke INSERT, DELETE on `lims`.*"]);
        await (await connectMySql(cdcEndpoint(server, rotated))).end();
        await assert.rejects(connectMySql(cdcEndpoint(server)), /access denied for user "lifesci_cdc"/);
        // Back to the shared password for the other tests.
        await applyBootstrap(bootstrapSpec(server));
        await (await connectMySql(cdcEndpoint(server))).end();
    });

    it("revokes every kind of grant it did not make: table, column, routine, role, extra privilege, grant and admin option", async () => {
        const account = [CDC_USER];
        await server.query("CREATE PROCEDURE IF NOT EXISTS mes.lifesci_test_proc() SELECT 1");
        // The role is the admin account's (as on RDS, where the master user creates roles): it may revoke it.
        const admin = await connectMySql(adminEndpoint(server));
        await admin.query("CREATE ROLE IF NOT EXISTS lifesci_test_role");
        try {
            // Each kind granted first, as a DBA (or an attacker with GRANT) might.
            await server.query("GRANT PROCESS ON *.* TO ?@'%' WITH GRANT OPTION", account);
            await server.query("GRANT DELETE ON lims.* TO ?@'%'", account);
            await server.query("GRANT SELECT ON lims.* TO ?@'%' WITH GRANT OPTION", account);
            await server.query("GRANT INSERT ON lims.samples TO ?@'%'", account);
            await server.query("GRANT UPDATE (plant) ON lims.samples TO ?@'%'", account);
            await server.query("GRANT EXECUTE ON PROCEDURE mes.lifesci_test_proc TO ?@'%'", account);
            await admin.query("GRANT lifesci_test_role TO ?@'%' WITH ADMIN OPTION", account);

            const result = await applyBootstrap(bootstrapSpec(server));
            assert.ok(result.actions.length >= 7, result.actions.join("\n"));

            // Judged by the server's own privilege tables, not by the parser the sync uses.
            const grantee = `'${CDC_USER}'@'%'`;
            const rows = async (sql: string) => (await server.query<any[]>(sql, [grantee])).map((r) => Object.values(r).join(" "));
            const normalize = (p: string) => (p === "BINLOG MONITOR" ? "REPLICATION CLIENT" : p);
            const global = await server.query<any[]>("SELECT PRIVILEGE_TYPE, IS_GRANTABLE FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ?", [grantee]);
            assert.deepEqual(global.map((r) => normalize(r.PRIVILEGE_TYPE)).sort(), ["RELOAD", "REPLICATION CLIENT", "REPLICATION SLAVE", "SHOW DATABASES"]);
            const schema = await server.query<any[]>("SELECT TABLE_SCHEMA, PRIVILEGE_TYPE, IS_GRANTABLE FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ? AND TABLE_SCHEMA = 'lims'", [grantee]);
            assert.deepEqual(schema.map((r) => r.PRIVILEGE_TYPE).sort(), ["LOCK TABLES", "SELECT"]);
            assert.deepEqual([...global, ...schema].filter((r) => r.IS_GRANTABLE !== "NO"), [], "no grant option anywhere");
            // The only table grants: the incremental-snapshot watermarks in each signal table.
            assert.deepEqual(
                (await rows("SELECT TABLE_SCHEMA, TABLE_NAME, PRIVILEGE_TYPE FROM information_schema.TABLE_PRIVILEGES WHERE GRANTEE = ?")).sort(),
                DOMAINS.flatMap((d) => [`${d.database} lifesci_cdc_signal DELETE`, `${d.database} lifesci_cdc_signal INSERT`]).sort(),
                "no table grants but the signal tables'",
            );
            assert.deepEqual(await rows("SELECT TABLE_NAME, COLUMN_NAME, PRIVILEGE_TYPE FROM information_schema.COLUMN_PRIVILEGES WHERE GRANTEE = ?"), [], "no column grants");
            assert.deepEqual(await server.query<any[]>("SELECT Routine_name FROM mysql.procs_priv WHERE User = ?", account), [], "no routine grants");
            assert.deepEqual(await server.query<any[]>("SELECT Role, Admin_option FROM mysql.roles_mapping WHERE User = ?", account), [], "no roles");
            assert.deepEqual((await applyBootstrap(bootstrapSpec(server))).actions, [], "and the next run has nothing left to do");
        } finally {
            await server.query("DROP PROCEDURE IF EXISTS mes.lifesci_test_proc");
            await admin.query("DROP ROLE IF EXISTS lifesci_test_role");
            await admin.end();
        }
    });

    it("drops grants, never data, for a database removed from the list", async () => {
        const spec = bootstrapSpec(server);
        const result = await applyBootstrap({ ...spec, databases: spec.databases.filter((d) => d.name !== "screening") });
        assert.deepEqual(result.actions, ["revoke SELECT, LOCK TABLES on `screening`.*", "revoke INSERT, DELETE on `screening`.`lifesci_cdc_signal`"]);
        assert.ok(!("screening" in (await grantsOf())));
        const [runs] = await server.query<any[]>("SELECT COUNT(*) AS n FROM screening.screening_runs");
        assert.ok(Number(runs.n) >= 1, "data stays");
        assert.deepEqual((await applyBootstrap(spec)).actions, ["grant SELECT, LOCK TABLES on `screening`.*", "grant INSERT, DELETE on `screening`.lifesci_cdc_signal"]);
    });

    it("sets binlog retention only on RDS, detected by its configuration procedure", async () => {
        // Stand-ins for the procedures RDS ships in the mysql schema.
        await server.query("CREATE TABLE IF NOT EXISTS mysql.fake_rds_configuration (name VARCHAR(64) PRIMARY KEY, value VARCHAR(64))");
        await server.query("INSERT IGNORE INTO mysql.fake_rds_configuration VALUES ('binlog retention hours', NULL)");
        await server.query(
            "CREATE PROCEDURE mysql.rds_set_configuration(IN name VARCHAR(64), IN value INT) UPDATE mysql.fake_rds_configuration c SET c.value = value WHERE c.name = name",
        );
        await server.query("CREATE PROCEDURE mysql.rds_show_configuration() SELECT name, value FROM mysql.fake_rds_configuration");
        try {
            const first = await applyBootstrap(bootstrapSpec(server, { binlogRetentionHours: 168 }));
            assert.equal(first.server.isRds, true);
            assert.deepEqual(first.actions, ["set RDS binlog retention hours NULL -> 168"]);
            const [row] = await server.query<any[]>("SELECT value FROM mysql.fake_rds_configuration");
            assert.equal(row.value, "168");
            assert.deepEqual((await applyBootstrap(bootstrapSpec(server, { binlogRetentionHours: 168 }))).actions, []);
        } finally {
            await server.query("DROP PROCEDURE IF EXISTS mysql.rds_set_configuration");
            await server.query("DROP PROCEDURE IF EXISTS mysql.rds_show_configuration");
            await server.query("DROP TABLE IF EXISTS mysql.fake_rds_configuration");
        }
    });

    it("fails with one clear line, without the password, on bad admin credentials", async () => {
        const wrong = `${ADMIN_PASSWORD}-wrong`;
        await assert.rejects(applyBootstrap(bootstrapSpec(server, { adminPassword: wrong })), (err: Error) => {
            assert.match(err.message, /^access denied for user "lifesci_admin" at localhost:\d+/);
            assert.ok(!err.message.includes(wrong) && !err.message.includes("\n"));
            return true;
        });
    });

    it("names the database and statement when DDL is invalid", async () => {
        const spec = bootstrapSpec(server);
        const migration = { version: 1, description: "broken", file: "sql/mysql/qa/V001__broken.sql", sql: "CREATE TABLE IF NOT EXISTS qa_broken (id INT PRIMARY KEY, v DECIMAL(5,2,1));" };
        const broken = { ...spec, databases: [{ name: "qa_broken_ddl", migrations: [migration] }] };
        await assert.rejects(applyBootstrap(broken), /bootstrap of localhost:\d+ failed: sql\/mysql\/qa\/V001__broken\.sql: statement #1 of 1 failed on qa_broken_ddl: .*CREATE TABLE IF NOT EXISTS qa_broken/s);
    });

    it("refuses a server whose certificate the CA did not sign or that names another host, before sending the password", async () => {
        await assert.rejects(applyBootstrap(bootstrapSpec(server, { caPem: server.wrongCaPem })), (err: Error) => {
            assert.match(err.message, /^TLS certificate of MySQL at localhost:\d+ is not trusted by the given CA/);
            assert.ok(!err.message.includes(ADMIN_PASSWORD));
            return true;
        });
        await assert.rejects(applyBootstrap(bootstrapSpec(server, { host: "127.0.0.1" })), /verify_identity needs the server's DNS name/);
        await assert.rejects(applyBootstrap(bootstrapSpec(server, { caPem: undefined })), /cannot verify the TLS certificate of localhost: no CA/);
        const impostor = await startMariaDb([], "db.other.example"); // a trusted CA, but a certificate for another name
        try {
            await assert.rejects(
                applyBootstrap(bootstrapSpec(server, { port: impostor.port, caPem: impostor.caPem })),
                /TLS certificate of MySQL at localhost:\d+ does not name host "localhost"/,
            );
        } finally {
            await impostor.stop();
        }
        // The right CA and the name on the certificate: verified, and nothing left to do.
        assert.deepEqual((await applyBootstrap(bootstrapSpec(server))).actions, []);
    });

    it("redacts secrets from any message", () => {
        assert.equal(redact("near 'IDENTIFIED BY s3cr3t' at line 1", ["s3cr3t", undefined]), "near 'IDENTIFIED BY ***' at line 1");
    });
});

describe("SQL bootstrap dynamic provider (real MariaDB)", function () {
    this.timeout(60_000);
    const PROVIDER_USER = "lifesci_cdc_provider";

    before(async () => {
        server = await bootstrappedSources();
    });

    it("create -> no-op diff -> update -> delete, with no password in the outputs", async () => {
        const spec = bootstrapSpec(server, { cdcUser: PROVIDER_USER });
        const created = await mysqlBootstrapProvider.create(spec);
        const outs = created.outs as BootstrapOutputs;
        assert.equal(created.id, `localhost:${server.port}/${PROVIDER_USER}@%`);
        assert.ok(!JSON.stringify(outs).includes(spec.cdcPassword), "the CDC password must not be in the outputs");
        assert.ok(!("cdcPassword" in outs));
        assert.deepEqual(outs.databases, DOMAINS.map((d) => d.database));
        assert.equal(outs.serverFlavor, "mariadb");
        assert.ok(outs.grants.every((g) => !/IDENTIFIED BY PASSWORD '\*[0-9A-F]{40}'/.test(g)), "no password hash in the outputs");

        assert.deepEqual(await mysqlBootstrapProvider.diff!(created.id, outs, spec), { changes: false, replaces: [], deleteBeforeReplace: false });
        const rotated = { ...spec, cdcPassword: `${spec.cdcPassword}-2` };
        assert.equal((await mysqlBootstrapProvider.diff!(created.id, outs, rotated)).changes, true);
        assert.deepEqual((await mysqlBootstrapProvider.diff!(created.id, outs, { ...spec, port: 1 })).replaces, ["port"]);

        const updated = await mysqlBootstrapProvider.update!(created.id, outs, rotated);
        assert.ok(!JSON.stringify(updated.outs).includes(rotated.cdcPassword));
        await (await connectMySql({ ...cdcEndpoint(server, rotated.cdcPassword), user: PROVIDER_USER })).end();

        await mysqlBootstrapProvider.delete!(created.id, updated.outs as BootstrapOutputs);
        const [count] = await server.query<any[]>("SELECT COUNT(*) AS n FROM mysql.user WHERE User = ?", [PROVIDER_USER]);
        assert.equal(Number(count.n), 0, "the user is dropped");
        const [schemas] = await server.query<any[]>("SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN ('sap_orders','lims','mes','screening')");
        assert.equal(Number(schemas.n), 4, "databases survive delete");
        // Deleting again (e.g. after a manual drop) is not an error.
        assert.deepEqual(await removeCdcUser({ ...spec }), []);
    });

    it("diff is pure: schema, retention and TLS changes are updates, identity changes replace", () => {
        const spec = bootstrapSpec(server);
        const olds = {
            host: spec.host, port: spec.port, adminUser: spec.adminUser, adminPassword: spec.adminPassword, tls: spec.tls,
            cdcUser: spec.cdcUser, cdcHost: "%", requireTls: true, databases: [], binlogRetentionHours: 24,
            schemaSha256: "stale", cdcPasswordSha256: "stale", serverFlavor: "mariadb", serverVersion: "x", isRds: false, grants: [], migrations: [],
        } as BootstrapOutputs;
        assert.equal(diffBootstrap(olds, spec).changes, true);
        assert.deepEqual(diffBootstrap(olds, { ...spec, cdcUser: "other" }).replaces, ["cdcUser"]);
    });
});
