// schema:check on the real MariaDB: the evolution drill (a compatible and an incompatible
// migration), edited migrations, exit codes, and the committed effective schema.
import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type * as mysql from "mysql2/promise";
import { KSQL_APPS, domainByName } from "../components/catalog";
import { connectMySql } from "../components/source";
import { CONNECTOR_DEFAULT_TYPE_SETTINGS } from "../components/streaming/cdcAvro";
import { REPO_ROOT } from "../scripts/mockEngine";
import { SchemaCheckReport, formatSchemaCheck, runSchemaCheck, snapshotProblems } from "../scripts/checks/schemaCheck";
import { main } from "../scripts/schema-check";
import { applyBootstrap } from "../components/source";
import { runCdcSmoke } from "../scripts/checks/cdcSmoke";
import { MariaDb, sharedMariaDb } from "./support/mariadb";
import { adminEndpoint, bootstrapSpec, bootstrappedSources, cdcEndpoint } from "./support/sources";

/**
 * The drill's two migrations (also in the README's "Changing a table", where lims has only its
 * baseline). The test numbers them after the last migration of the repository's lims folder, so
 * a migration the user added there (the README's recipes) does not collide with the drill.
 */
const LIMS_LAST_VERSION = Math.max(
    ...fs.readdirSync(path.join(REPO_ROOT, "sql/mysql/lims")).flatMap((f) => (/^V(\d+)__/.exec(f) ? [Number(/^V(\d+)__/.exec(f)![1])] : [])),
);
const drillName = (offset: number, description: string) => `V${String(LIMS_LAST_VERSION + offset).padStart(3, "0")}__${description}.sql`;
export const DRILL_COMPATIBLE = [drillName(1, "add_sample_storage_condition"), "-- Where the retained sample is stored; unknown for older samples.\nALTER TABLE samples ADD COLUMN storage_condition VARCHAR(16) NULL;\n"] as const;
export const DRILL_INCOMPATIBLE = [
    drillName(2, "require_retention_date"),
    "ALTER TABLE samples ADD COLUMN retention_until DATE NOT NULL;\nALTER TABLE samples MODIFY COLUMN batch_number VARCHAR(8) NOT NULL;\n",
] as const;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

function scratchRepo(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifesci-schema-check-"));
    for (const entry of ["sql", "Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml"]) {
        fs.cpSync(path.join(REPO_ROOT, entry), path.join(dir, entry), { recursive: true });
    }
    const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=drill", "-c", "user.email=drill@example.invalid", ...args], { cwd: dir, stdio: "pipe" });
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-q", "-m", "base");
    return dir;
}

describe("schema:check (real MariaDB)", function () {
    this.timeout(120_000);
    let server: MariaDb;
    let conn: mysql.Connection;
    let repo: string;
    const lims = domainByName("lims");
    const check = (against = "main") =>
        runSchemaCheck({
            repoRoot: repo,
            against,
            conn,
            basePrefix: "lifesci",
            settings: CONNECTOR_DEFAULT_TYPE_SETTINGS,
            modeFor: () => "BACKWARD_TRANSITIVE",
            domains: [lims],
            scratchPrefix: "drill",
        });
    const write = ([name, sql]: readonly [string, string]) => fs.writeFileSync(path.join(repo, "sql/mysql/lims", name), sql);

    before(async () => {
        server = await sharedMariaDb();
        conn = await connectMySql(server.rootEndpoint);
        repo = scratchRepo();
    });
    after(async () => {
        await conn?.end();
        if (repo) fs.rmSync(repo, { recursive: true, force: true });
    });

    it("drill, compatible: a NULL column is accepted, and Snowflake's schema evolution adds it", async () => {
        write(DRILL_COMPATIBLE);
        const report = await check();
        console.log(`      schema:check (lims, ${DRILL_COMPATIBLE[0].slice(0, 4)}) took ${report.durationMs} ms`);
        assert.equal(report.ok, true, formatSchemaCheck(report));
        assert.deepEqual(report.newMigrations, [`sql/mysql/lims/${DRILL_COMPATIBLE[0]}`]);
        const value = report.subjects.find((s) => s.subject === "lifesci.lims.lims.samples-value")!;
        assert.deepEqual(value.changes, [{ column: "storage_condition", kind: "added", to: "VARCHAR(16) NULL" }]);
        assert.equal(value.compatible, true);
        // Every app that reads lims.samples (the audit trail at least), and its contract holds.
        const readers = KSQL_APPS.filter((a) => a.inputs.some((i) => i.domain === "lims" && i.table === "samples")).map((a) => ["ksqldb", a.name, true]);
        assert.ok(readers.some(([, name]) => name === "audit_trail"));
        assert.deepEqual(
            value.readers.filter((r) => r.kind === "ksqldb").map((r) => [r.kind, r.name, r.holds]),
            readers,
        );
        assert.equal(report.subjects.some((s) => s.subject.endsWith("-key")), false, "the key did not change");
    });

    it("drill, compatible: after the bootstrap applies it, cdc-smoke sees the new column in the binlog row images", async () => {
        const sources = await bootstrappedSources();
        const spec = bootstrapSpec(sources);
        const [name, sql] = DRILL_COMPATIBLE;
        const v2 = { version: LIMS_LAST_VERSION + 1, description: "add_sample_storage_condition", file: `sql/mysql/lims/${name}`, sql };
        const withDrill = { ...spec, databases: spec.databases.map((d) => (d.name === "lims" ? { ...d, migrations: [...d.migrations, v2] } : d)) };
        try {
            const applied = await applyBootstrap(withDrill);
            assert.ok(applied.actions.includes(`migrate lims: apply sql/mysql/lims/${name}`), applied.actions.join("\n"));
            // The smoke writes to a domain's first table: the drill's table, wherever the catalog lists it.
            const samplesOnly = { ...lims, tables: lims.tables.filter((t) => t.name === "samples") };
            const report = await runCdcSmoke({ writer: adminEndpoint(sources), reader: cdcEndpoint(sources), domains: [samplesOnly] });
            const [smoke] = report.domains;
            assert.equal(smoke.table, "samples");
            assert.ok(smoke.imageColumns.includes("storage_condition"), smoke.imageColumns.join(", "));
            assert.deepEqual(smoke.problems, [], "every image carries every column, the new one included");
        } finally {
            await sources.query("ALTER TABLE lims.samples DROP COLUMN IF EXISTS storage_condition");
            await sources.query("DELETE FROM lims.lifesci_schema_history WHERE version = ?", [v2.version]);
        }
    });

    it("drill, incompatible: NOT NULL without default and a narrowed type are rejected, naming each field and what to do", async () => {
        write(DRILL_INCOMPATIBLE);
        const report = await check();
        console.log(`      schema:check (lims, two drill migrations) took ${report.durationMs} ms`);
        assert.equal(report.ok, false);
        const v3 = report.subjects.find((s) => s.subject === "lifesci.lims.lims.samples-value" && s.migration.endsWith(DRILL_INCOMPATIBLE[0]))!;
        assert.equal(v3.compatible, false);
        const byField = Object.fromEntries(v3.problems.map((p) => [p.field, p]));
        assert.match(byField.retention_until.rule, /field "retention_until" is new and has no default/);
        assert.match(byField.retention_until.advice, /add the column as NULL/);
        assert.match(byField.batch_number.rule, /column "batch_number" narrowed from VARCHAR\(10\) to VARCHAR\(8\)/);
        const text = formatSchemaCheck(report);
        assert.match(text, new RegExp(escape(`FAIL lifesci.lims.lims.samples-value  [BACKWARD_TRANSITIVE]  (sql/mysql/lims/${DRILL_INCOMPATIBLE[0]})`)));
        assert.match(text, new RegExp(escape(`OK   lifesci.lims.lims.samples-value  [BACKWARD_TRANSITIVE]  (sql/mysql/lims/${DRILL_COMPATIBLE[0]})`)));
        fs.rmSync(path.join(repo, "sql/mysql/lims", DRILL_INCOMPATIBLE[0]));
    });

    it("refuses a migration edited after the ref, naming the file", async () => {
        const file = path.join(repo, "sql/mysql/lims/V001__baseline.sql");
        const original = fs.readFileSync(file, "utf8");
        fs.writeFileSync(file, original.replace("sample_code   VARCHAR(20)", "sample_code   VARCHAR(24)"));
        try {
            const report = await check();
            assert.equal(report.ok, false);
            assert.deepEqual(report.errors, ["sql/mysql/lims/V001__baseline.sql: edited since main; applied migrations are immutable: restore it and add the change as a new migration"]);
        } finally {
            fs.writeFileSync(file, original);
        }
    });

    it("the CLI exits 0 when compatible, 1 with --json naming the field when not, and fails (exit 2) when it cannot run", async () => {
        const ca = path.join(repo, "test-ca.pem");
        fs.writeFileSync(ca, server.caPem);
        const url = ["--dir", repo, "--url", `mysql://root@${server.host}:${server.port}`, "--ca", ca];
        let out = "";
        // README "Changing a table" step 2: the compatible drill migration is written, the snapshot
        // not renewed yet. The verdict is about the change; the stale snapshot is its own line and exit code.
        assert.equal(await main(url, async (t) => void (out += t)), 3, out);
        assert.match(out, /^compatible \(\d+ ms\)\nsnapshot stale: run npm run schema:check -- --write and commit sql\/mysql\/effective-schema\.json\n {2}sql\/mysql\/effective-schema\.json: lims\.samples differs from the server/m);
        assert.doesNotMatch(out, /NOT compatible/);
        let json = "";
        assert.equal(await main([...url, "--json"], async (t) => void (json += t)), 3);
        const stale = JSON.parse(json) as SchemaCheckReport;
        assert.deepEqual([stale.ok, stale.snapshot?.status, stale.errors], [true, "stale", []]);
        // Step 3 renews it; then the same check is clean.
        out = "";
        assert.equal(await main([...url, "--write"], async (t) => void (out += t)), 0, out);
        assert.match(out, /compatible \(\d+ ms\)\nsnapshot renewed/);
        out = "";
        assert.equal(await main(url, async (t) => void (out += t)), 0, out);
        assert.doesNotMatch(out, /snapshot/);
        assert.doesNotMatch(out, /server up in/, "a --url server was already up: no start-up time to report");
        await assert.rejects(main([...url, "--against", "no-such-ref"]), /^Error: --against: git ref "no-such-ref" not found/);
        await assert.rejects(main([...url, "--stak", "prod"]), /unknown option '--stak' \(Did you mean --stack\?\)/);

        write(DRILL_INCOMPATIBLE);
        // One real process, for the exit code and the JSON on stdout.
        const bad = spawnSync(process.execPath, [require.resolve("ts-node/dist/bin"), "--transpile-only", path.join(REPO_ROOT, "scripts/schema-check.ts"), ...url, "--json"], {
            encoding: "utf8",
            cwd: REPO_ROOT,
        });
        assert.equal(bad.status, 1, bad.stderr);
        const report = JSON.parse(bad.stdout) as SchemaCheckReport;
        assert.ok(report.subjects.some((s) => !s.compatible && s.problems.some((p) => p.field === "retention_until")));
    });

    it("sql/mysql/effective-schema.json is what the server reports after the migrations", async () => {
        assert.deepEqual(await snapshotProblems(conn, REPO_ROOT, { write: false }), []);
    });
});
