// The README's recipes performed word for word on a copy of the repository, as a newcomer would:
// "Adding a captured table" (migration, schema:check, schema:check --write, catalog entry) and
// "Adding a ksqlDB app" (SQL file, KSQL_APPS entry); then `npm run docs` and the tests those
// changes touch run in the copy and must pass. Tests that hard-coded today's catalog or wrote
// fixtures into the real migration folders fail here first.
import { strict as assert } from "assert";
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { KSQL_APPS, domainByName } from "../components/catalog";
import { main as schemaCheck } from "../scripts/schema-check";
import { REPO_ROOT } from "./support/harness";
import { sharedMariaDb } from "./support/mariadb";

/**
 * The test files the two recipes touch (they failed on such a copy before): the catalog/DDL
 * contract, the CDC include list, the ksqlDB contracts, output classes, statement counts and
 * provider, the schema:check drill and the SQL bootstrap on MariaDB. Not the whole suite: that
 * would double `npm test`.
 */
export const AFFECTED_TESTS = [
    "components/catalog.test.ts",
    "components/source/cdcConnectors.test.ts",
    "components/ksql/appContracts.test.ts",
    "components/ksql/outputClasses.test.ts",
    "test/ksqldb.test.ts",
    "test/ksqlProvider.integration.test.ts",
    "test/ksqlReplay.integration.test.ts",
    "test/schemaCheck.integration.test.ts",
    "test/mysqlBootstrap.integration.test.ts",
];

/** The first of `base`, `base_2`, ... that `taken` does not hold: the recipe must add something new, even to a repository that already followed it. */
function unused(base: string, taken: (name: string) => boolean): string {
    let name = base;
    for (let n = 2; taken(name); n++) name = `${base}_${n}`;
    return name;
}
const LIMS_SQL = fs.readdirSync(path.join(REPO_ROOT, "sql/mysql/lims")).map((f) => fs.readFileSync(path.join(REPO_ROOT, "sql/mysql/lims", f), "utf8")).join("\n");
const TABLE = {
    domain: "lims",
    name: unused("instrument_calibrations", (t) => domainByName("lims").tables.some((x) => x.name === t) || LIMS_SQL.includes(t)),
    primaryKey: "calibration_id",
};
const appName = unused("sample_intake", (a) => KSQL_APPS.some((x) => x.name === a) || fs.existsSync(path.join(REPO_ROOT, "sql/ksqldb", `${a}.sql`)));
const APP = { name: appName, output: `ksql.${appName}_by_status`, table: `${appName}_by_status` };

/** Every file of this checkout that git would commit (tracked or new), plus node_modules linked. */
function copyRepository(): string {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "lifesci-recipe-")));
    const files = execFileSync("git", ["-C", REPO_ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard"], { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 })
        .split("\0")
        // Regular files only: a node_modules symlink (a checkout that links its modules) is listed
        // as an untracked file, and is linked below anyway.
        .filter((f) => f && !f.startsWith("node_modules") && fs.existsSync(path.join(REPO_ROOT, f)) && fs.lstatSync(path.join(REPO_ROOT, f)).isFile());
    for (const f of files) {
        fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
        fs.copyFileSync(path.join(REPO_ROOT, f), path.join(dir, f));
    }
    for (const modules of ["node_modules", "policy/node_modules"]) {
        if (fs.existsSync(path.join(REPO_ROOT, modules))) fs.symlinkSync(path.join(REPO_ROOT, modules), path.join(dir, modules), "dir");
    }
    // schema:check compares with `main`: the copy's main is today's repository.
    const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=newcomer", "-c", "user.email=newcomer@example.invalid", ...args], { cwd: dir, stdio: "pipe" });
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-q", "-m", "today's repository");
    return dir;
}

/** Runs a command in the copy; resolves with its exit code and output. */
function run(command: string, args: string[], cwd: string): { child: ChildProcess; done: Promise<{ code: number | null; output: string }> } {
    const child = spawn(command, args, { cwd, env: { ...process.env, FORCE_COLOR: "0" } });
    let output = "";
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    return { child, done: new Promise((resolve) => child.on("close", (code) => resolve({ code, output }))) };
}

/** Inserts `text` after the first line matching `anchor` (a recipe's "add it to ..."). */
function insertAfter(file: string, anchor: RegExp, text: string): void {
    const source = fs.readFileSync(file, "utf8");
    const match = anchor.exec(source);
    assert.ok(match, `${file}: no line matches ${anchor}`);
    const at = source.indexOf("\n", match.index + match[0].length - 1) + 1;
    fs.writeFileSync(file, source.slice(0, at) + text + source.slice(at));
}

describe("README recipes on a copy of the repository", function () {
    this.timeout(300_000);
    let copy: string;
    const children: ChildProcess[] = [];

    before(() => {
        copy = copyRepository();
    });
    after(() => {
        for (const child of children) if (child.exitCode === null) child.kill();
        if (copy) fs.rmSync(copy, { recursive: true, force: true });
    });

    it('"Adding a captured table": a migration, schema:check (stale snapshot, then --write) and the catalog entry', async () => {
        // 1. A migration that creates it, numbered after the domain's last one.
        const folder = path.join(copy, "sql/mysql", TABLE.domain);
        const last = Math.max(...fs.readdirSync(folder).flatMap((f) => (/^V(\d+)__/.test(f) ? [Number(/^V(\d+)__/.exec(f)![1])] : [])));
        const migration = `V${String(last + 1).padStart(3, "0")}__create_${TABLE.name}.sql`;
        fs.writeFileSync(
            path.join(folder, migration),
            [
                "-- Calibration records of the lab's instruments.",
                `CREATE TABLE IF NOT EXISTS ${TABLE.name} (`,
                `  ${TABLE.primaryKey} BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,`,
                "  instrument_id  VARCHAR(32) NOT NULL,",
                "  calibrated_at  DATETIME(6) NOT NULL,",
                "  passed         TINYINT(1)  NOT NULL,",
                `  PRIMARY KEY (${TABLE.primaryKey})`,
                ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;",
                "",
            ].join("\n"),
        );
        // ... and `npm run schema:check` (on the tests' MariaDB through --url), then with --write.
        const server = await sharedMariaDb();
        const ca = path.join(copy, ".scratch-ca.pem");
        fs.writeFileSync(ca, server.caPem);
        const args = ["--dir", copy, "--url", `mysql://root@${server.host}:${server.port}`, "--ca", ca];
        let out = "";
        assert.equal(await schemaCheck(args, async (t) => void (out += t)), 3, out);
        assert.match(out, new RegExp(`sql/mysql/${TABLE.domain}/${migration}`));
        assert.match(out, /^compatible \(\d+ ms\)\nsnapshot stale: run npm run schema:check -- --write/m);
        out = "";
        assert.equal(await schemaCheck([...args, "--write"], async (t) => void (out += t)), 0, out);
        assert.ok(fs.readFileSync(path.join(copy, "sql/mysql/effective-schema.json"), "utf8").includes(`"${TABLE.name}"`));

        // 2. `{ name, primaryKey, description }` in the domain's tables.
        insertAfter(
            path.join(copy, "components/catalog.ts"),
            new RegExp(`name: "${TABLE.domain}",\\n\\s+database: "[a-z_]+",\\n[^\\n]*\\n\\s+tables: \\[`),
            `            { name: "${TABLE.name}", primaryKey: ["${TABLE.primaryKey}"], description: "Instrument calibration records" },\n`,
        );
    });

    it('"Adding a ksqlDB app": its SQL file and one KSQL_APPS entry', () => {
        fs.writeFileSync(
            path.join(copy, "sql/ksqldb", `${APP.name}.sql`),
            [
                `-- Sample changes per plant and status (catalog app ${APP.name}).`,
                `-- Reads LIMS samples; writes <prefix>.${APP.output}.`,
                "-- Placeholders: ${topicPrefix}.",
                "",
                "-- 1. Sample changes, with the columns the app reads.",
                `CREATE STREAM IF NOT EXISTS ${APP.name}_samples_cdc (`,
                "  after STRUCT<sample_id BIGINT, plant STRING, status STRING>,",
                "  op STRING",
                ") WITH (KAFKA_TOPIC='${topicPrefix}.lims.lims.samples', VALUE_FORMAT='AVRO');",
                "",
                "-- 2. Sample changes per plant and status (a table: recomputing it converges).",
                `CREATE TABLE IF NOT EXISTS ${APP.table}`,
                `  WITH (KAFKA_TOPIC='\${topicPrefix}.${APP.output}', KEY_FORMAT='AVRO', VALUE_FORMAT='AVRO') AS`,
                "  SELECT after->plant AS plant,",
                "         after->status AS status,",
                "         COUNT(*) AS change_count",
                `  FROM ${APP.name}_samples_cdc`,
                "  WHERE op IN ('c', 'u', 'r')",
                "  GROUP BY after->plant, after->status",
                "  EMIT CHANGES;",
                "",
            ].join("\n"),
        );
        insertAfter(
            path.join(copy, "components/catalog.ts"),
            /^export const KSQL_APPS = declareKsqlApps\(\[$/m,
            [
                "    {",
                `        name: "${APP.name}",`,
                `        file: "${APP.name}.sql",`,
                '        description: "Sample changes per plant and status",',
                '        inputs: [{ domain: "lims", table: "samples" }],',
                `        outputs: [{ suffix: "${APP.output}", retention: "standard", description: "Sample changes per plant and status" }],`,
                "    },",
                "",
            ].join("\n"),
        );
    });

    it("then `npm run docs` and the affected tests pass in the copy", async () => {
        const started = performance.now();
        // Independent of each other: run side by side.
        const docs = run("npm", ["run", "-s", "docs"], copy);
        const tests = run(process.execPath, [path.join(copy, "node_modules/mocha/bin/mocha.js"), "--reporter", "dot", ...AFFECTED_TESTS], copy);
        children.push(docs.child, tests.child);
        const [docsResult, testResult] = await Promise.all([docs.done, tests.done]);
        assert.equal(docsResult.code, 0, docsResult.output);
        const architecture = fs.readFileSync(path.join(copy, "docs/architecture.md"), "utf8");
        assert.ok(architecture.includes(TABLE.name), "the generated architecture shows the new table");
        assert.ok(architecture.includes(APP.name), "the generated architecture shows the new app");
        assert.equal(testResult.code, 0, testResult.output.slice(-6000));
        const summary = /(\d+) passing/.exec(testResult.output);
        assert.ok(summary && Number(summary[1]) > 50, testResult.output.slice(-2000));
        console.log(`      in the copy: npm run docs and ${AFFECTED_TESTS.length} affected test files (${summary[1]} passing) in ${Math.round(performance.now() - started)} ms`);
    });
});
