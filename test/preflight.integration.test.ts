// CDC preflight and CDC smoke against a real MariaDB server, as functions and as commands.
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as path from "path";
import { domainByName } from "../components/catalog";
import { runCdcSmoke } from "../scripts/checks/cdcSmoke";
import { applyBootstrap, connectMySql, MySqlEndpoint } from "../components/source";
import { CheckResult, PreflightReport, retentionFromVariables, runPreflight } from "../scripts/checks/preflight";
import { main as preflightMain } from "../scripts/preflight";
import { CliOutcome, runInProcess } from "../scripts/cliSupport";
import { HelpRun, outputOf } from "./support/cliScripts";
import { MariaDb } from "./support/mariadb";
import { CDC_PASSWORD, adminEndpoint, bootstrapSpec, bootstrappedSources, cdcEndpoint, restoreBaseline } from "./support/sources";

let server: MariaDb;

const preflight = (endpoint: MySqlEndpoint = cdcEndpoint(server), minBinlogRetentionHours = 24) =>
    runPreflight({ endpoint, minBinlogRetentionHours });

const failed = (report: PreflightReport): CheckResult[] => report.checks.filter((c) => c.status === "fail");

/**
 * Runs a command-line entry point the way `npm run <script> -- ...` does. Asynchronous, so a test
 * with several invocations starts them together (each pays ts-node's start-up).
 */
function cli(script: string, args: string[], env: Record<string, string> = {}): Promise<HelpRun> {
    return outputOf(
        spawn(process.execPath, [require.resolve("ts-node/dist/bin.js"), path.join(__dirname, "..", "scripts", script), ...args], {
            env: { ...process.env, ...env },
            timeout: 60_000,
        }),
    );
}

/**
 * `npm run preflight -- <args>` in this process: the same main, parser and error lines as the
 * command (runCli and runInProcess share failureOutcome). Tests about the checks and their messages
 * use it; the tests about the process (exit code and streams of a real run) use `cli`.
 */
const preflightCommand = (args: string[]): Promise<CliOutcome> => runInProcess((write) => preflightMain(args, write));

describe("CDC preflight (real MariaDB)", function () {
    this.timeout(60_000);

    before(async () => {
        server = await bootstrappedSources();
    });

    it("passes on a bootstrapped server, as the CDC user", async () => {
        const start = performance.now();
        const report = await preflight();
        const elapsed = performance.now() - start;
        console.log(`      preflight took ${elapsed.toFixed(0)} ms`);
        assert.deepEqual(failed(report), []);
        assert.ok(report.ok);
        assert.deepEqual(
            report.checks.map((c) => c.id),
            ["log_bin", "binlog_format", "binlog_row_image", "server_id", "gtid_mode", "binlog_retention", "cdc_grants", "tables", "tls"],
        );
        assert.match(report.checks.find((c) => c.id === "tls")!.observed, /this session uses /);
    });

    async function withGlobal(name: string, value: string | number, fn: () => Promise<void>): Promise<void> {
        const [{ v: previous }] = await server.query<any[]>(`SELECT @@GLOBAL.${name} AS v`);
        await server.query(`SET GLOBAL ${name} = ?`, [value]);
        try {
            await fn();
        } finally {
            await server.query(`SET GLOBAL ${name} = ?`, [previous]);
        }
    }

    it("fails exactly binlog_format on a STATEMENT binlog", () =>
        withGlobal("binlog_format", "STATEMENT", async () => {
            const report = await preflight();
            assert.deepEqual(failed(report).map((c) => c.id), ["binlog_format"]);
            assert.equal(failed(report)[0].observed, "binlog_format=STATEMENT");
            assert.match(failed(report)[0].fix, /binlog_format='ROW'/);
            assert.equal(report.ok, false);
        }));

    it("fails exactly binlog_row_image on MINIMAL row images", () =>
        withGlobal("binlog_row_image", "MINIMAL", async () => {
            assert.deepEqual(failed(await preflight()).map((c) => c.id), ["binlog_row_image"]);
        }));

    it("fails exactly binlog_retention when binlogs expire before the outage window", () =>
        withGlobal("binlog_expire_logs_seconds", 3600, async () => {
            const report = await preflight(cdcEndpoint(server), 24);
            assert.deepEqual(failed(report).map((c) => c.id), ["binlog_retention"]);
            assert.match(failed(report)[0].observed, /^1 h/);
        }));

    it("fails exactly tables, naming the table, when a captured table has no primary key", async () => {
        await server.query("DROP TABLE mes.machine_events");
        await server.query("CREATE TABLE mes.machine_events (event_id BIGINT UNSIGNED NOT NULL, message VARCHAR(255))");
        try {
            const report = await preflight();
            assert.deepEqual(failed(report).map((c) => c.id), ["tables"]);
            assert.equal(failed(report)[0].observed, "mes.machine_events has no primary key");
        } finally {
            await server.query("DROP TABLE mes.machine_events");
            await restoreBaseline(server, "mes");
            await applyBootstrap(bootstrapSpec(server));
        }
    });

    it("fails exactly cdc_grants, naming the privilege, when REPLICATION SLAVE is missing", async () => {
        await server.query("REVOKE REPLICATION SLAVE ON *.* FROM 'lifesci_cdc'@'%'");
        try {
            const report = await preflight();
            assert.deepEqual(failed(report).map((c) => c.id), ["cdc_grants"]);
            assert.equal(failed(report)[0].observed, "missing REPLICATION SLAVE ON *.*");
        } finally {
            await applyBootstrap(bootstrapSpec(server));
        }
        assert.ok((await preflight()).ok, "the bootstrap restores the grant");
    });

    it("checks another account's grants when asked (admin connection, --cdc-user)", async () => {
        const report = await runPreflight({ endpoint: adminEndpoint(server), minBinlogRetentionHours: 24, cdcAccount: { name: "lifesci_cdc", host: "%" } });
        assert.ok(report.ok);
        assert.match(report.checks.find((c) => c.id === "cdc_grants")!.title, /'lifesci_cdc'@'%'/);
    });

    it("reads binlog retention from the server variables", () => {
        assert.equal(retentionFromVariables({ binlog_expire_logs_seconds: "0", expire_logs_days: "0.000000" }), Infinity);
        assert.equal(retentionFromVariables({ binlog_expire_logs_seconds: "86400" }), 24);
        assert.equal(retentionFromVariables({ binlog_expire_logs_seconds: "0", expire_logs_days: "7" }), 168);
    });
});

describe("npm run preflight (real MariaDB)", function () {
    this.timeout(120_000);
    const env = { CDC_PW: CDC_PASSWORD };
    let url: string;
    let ca: string[];
    // The in-process runs read --password-env from this process's environment.
    const PASSWORD_VARS = { LIFESCI_TEST_CDC_PW: CDC_PASSWORD, LIFESCI_TEST_WRONG_PW: "not-the-password" };

    before(async () => {
        server = await bootstrappedSources();
        url = `mysql://lifesci_cdc@${server.host}:${server.port}`;
        ca = ["--ca", path.join(server.dir, "ca.pem")];
        Object.assign(process.env, PASSWORD_VARS);
    });
    after(() => {
        for (const name of Object.keys(PASSWORD_VARS)) delete process.env[name];
    });

    it("prints a table and exits 0 on a ready server; --json gives the same checks", async () => {
        const [human, json] = await Promise.all([
            cli("preflight.ts", ["--url", url, "--password-env", "CDC_PW", ...ca], env),
            preflightCommand(["--url", url, "--password-env", "LIFESCI_TEST_CDC_PW", ...ca, "--json", "--databases", "lims,mes"]),
        ]);
        assert.equal(human.code, 0, human.stderr);
        assert.match(human.stdout, /PASS\s+binlog_format\s+binlog_format=ROW/);
        assert.match(human.stdout, /result: ready for CDC/);
        assert.equal(json.code, 0, json.stderr);
        const report = JSON.parse(json.stdout) as PreflightReport;
        assert.ok(report.ok);
        const limsAndMes = ["lims", "mes"].reduce((n, name) => n + domainByName(name).tables.length, 0);
        assert.equal(report.checks.find((c) => c.id === "tables")!.observed, `${limsAndMes} table(s) ok`);
    });

    it("exits 1 and prints the failing check with its fix on a misconfigured server", async () => {
        await server.query("SET GLOBAL binlog_row_image = 'MINIMAL'");
        try {
            const result = await preflightCommand(["--url", url, "--password-env", "LIFESCI_TEST_CDC_PW", ...ca]);
            assert.equal(result.code, 1);
            assert.match(result.stdout, /FAIL\s+binlog_row_image\s+binlog_row_image=MINIMAL\n\s+expected FULL; fix: SET GLOBAL binlog_row_image='FULL'/);
            assert.match(result.stdout, /NOT ready for CDC \(1 check\(s\) failed\)/);
        } finally {
            await server.query("SET GLOBAL binlog_row_image = 'FULL'");
        }
    });

    const oneLine = (result: CliOutcome, pattern: RegExp) => {
        assert.equal(result.code, 2);
        assert.equal(result.stdout, "");
        assert.match(result.stderr, pattern);
        assert.equal(result.stderr.trim().split("\n").length, 1, `expected one line, got:\n${result.stderr}`);
        assert.ok(!/\n\s+at /.test(result.stderr), "no stack trace");
    };

    it("unreachable host, bad credentials, unknown database: one clear line each, exit 2", async () => {
        const [unreachable, denied, unknownDb, unknownInUrl] = await Promise.all([
            preflightCommand(["--url", "mysql://lifesci_cdc@localhost:1", "--password-env", "LIFESCI_TEST_CDC_PW", ...ca]),
            preflightCommand(["--url", url, "--password-env", "LIFESCI_TEST_WRONG_PW", ...ca]),
            preflightCommand(["--url", url, "--password-env", "LIFESCI_TEST_CDC_PW", ...ca, "--databases", "erp"]),
            preflightCommand(["--url", `${url}/nosuchdb`, "--password-env", "LIFESCI_TEST_CDC_PW", ...ca]),
        ]);
        oneLine(unreachable, /^error: cannot reach MySQL at localhost:1/);
        oneLine(denied, /^error: access denied for user "lifesci_cdc"/);
        assert.ok(!denied.stderr.includes(PASSWORD_VARS.LIFESCI_TEST_WRONG_PW));
        oneLine(unknownDb, /^error: unknown database "erp": the catalog captures sap_orders, lims, mes, screening/);
        oneLine(unknownInUrl, /^error: (unknown database "nosuchdb"|access denied)/);
    });

    it("an IP address under verify_identity: suggests the names on the (CA-verified) certificate, or verify_ca", async () => {
        await assert.rejects(connectMySql({ ...cdcEndpoint(server), host: "127.0.0.1" }), (err: Error) => {
            assert.equal(
                err.message,
                `cannot verify that the TLS certificate names 127.0.0.1: verify_identity needs the server's DNS name (as on its certificate), not an IP address; the certificate names localhost: connect to localhost:${server.port} (if that name reaches this server), or use --tls verify_ca to check the CA only`,
            );
            return true;
        });
        // A wrong password is the problem to report first, not the names.
        await assert.rejects(connectMySql({ ...cdcEndpoint(server, "wrong"), host: "127.0.0.1" }), /^MySqlAccessError: access denied for user "lifesci_cdc"/);
    });

    it("--tls disabled against a REQUIRE SSL account says TLS is required (told apart from a wrong password)", async () => {
        const plaintext = { ...cdcEndpoint(server), tls: "disabled" as const };
        await assert.rejects(connectMySql(plaintext), /^MySqlAccessError: user "lifesci_cdc" at localhost:\d+ requires TLS \(REQUIRE SSL\): the server refuses it over plaintext \(--tls disabled\)/);
        await assert.rejects(connectMySql({ ...plaintext, password: "wrong" }), /^MySqlAccessError: access denied for user "lifesci_cdc" at localhost:\d+: Access denied/);
        // Without a CA no second login is tried; the message still names the likely cause.
        await assert.rejects(connectMySql({ ...plaintext, caPem: undefined }), /access denied for user "lifesci_cdc".*REQUIRES SSL.*drop --tls disabled/);
    });

    it("--cdc-user naming an account that does not exist says so", async () => {
        const report = await runPreflight({ endpoint: adminEndpoint(server), minBinlogRetentionHours: 24, cdcAccount: { name: "ghost", host: "%" } });
        const grants = report.checks.find((c) => c.id === "cdc_grants")!;
        assert.equal(grants.status, "fail");
        assert.equal(grants.observed, "user 'ghost'@'%' does not exist on this server");
        assert.match(grants.fix, /--cdc-user name@host/);
    });

    it("verifies the server: refuses a certificate the CA did not sign, or that names another host, or no CA at all", async () => {
        const wrongCa = ["--ca", path.join(server.dir, "wrong-ca.pem")];
        // The certificate names "localhost"; 127.0.0.1 is the same server under a name it does not carry.
        const byIp = `mysql://lifesci_cdc@127.0.0.1:${server.port}`;
        const [untrusted, byAddress, chainOnly, noCa, missingCa] = await Promise.all([
            preflightCommand(["--url", url, "--password-env", "LIFESCI_TEST_CDC_PW", ...wrongCa]),
            preflightCommand(["--url", byIp, "--password-env", "LIFESCI_TEST_CDC_PW", ...ca]),
            preflightCommand(["--url", byIp, "--password-env", "LIFESCI_TEST_CDC_PW", ...ca, "--tls", "verify_ca"]),
            preflightCommand(["--url", url, "--password-env", "LIFESCI_TEST_CDC_PW"]),
            preflightCommand(["--url", url, "--password-env", "LIFESCI_TEST_CDC_PW", "--ca", path.join(server.dir, "nope.pem")]),
        ]);
        oneLine(untrusted, /^error: TLS certificate of MySQL at localhost:\d+ is not trusted by the given CA/);
        oneLine(byAddress, /^error: cannot verify that the TLS certificate names 127\.0\.0\.1: verify_identity needs the server's DNS name .*; the certificate names localhost: connect to localhost:\d+ .*--tls verify_ca/);
        assert.equal(chainOnly.code, 0, "verify_ca checks the chain only");
        oneLine(noCa, /^error: cannot verify the TLS certificate of localhost: no CA\. Pass --ca <PEM file>/);
        oneLine(missingCa, /^error: --ca: cannot read .*nope\.pem \(ENOENT\)/);
    });

    it("--tls insecure is explicit and warns on stderr", async () => {
        const result = await cli("preflight.ts", ["--url", url, "--password-env", "CDC_PW", "--tls", "insecure"], env);
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stderr, /^warning: TLS to localhost is encrypted but NOT verified \(--tls insecure\)/);
    });

    it("refuses a password in the URL and names missing options", async () => {
        const [inUrl, noUrl, noEnv] = await Promise.all([
            preflightCommand(["--url", `mysql://lifesci_cdc:secret@127.0.0.1:${server.port}`]),
            preflightCommand([]),
            preflightCommand(["--url", url, "--password-env", "NOPE_NOT_SET"]),
        ]);
        oneLine(inUrl, /--url: do not put the password in the URL/);
        oneLine(noUrl, /--url is required/);
        oneLine(noEnv, /--password-env: environment variable NOPE_NOT_SET is not set/);
    });
});

describe("CDC smoke (real MariaDB)", function () {
    this.timeout(60_000);

    before(async () => {
        server = await bootstrappedSources();
    });

    it("sees insert, update and delete with full before/after images in every domain, as the CDC user", async () => {
        const report = await runCdcSmoke({ writer: adminEndpoint(server), reader: cdcEndpoint(server) });
        for (const d of report.domains) {
            assert.deepEqual(d.problems, [], d.domain);
            assert.deepEqual(d.changes.map((c) => c.op), ["insert", "update", "delete"]);
        }
        assert.deepEqual(report.domains.map((d) => d.table), ["sales_orders", "samples", "batches", "screening_runs"]);
        assert.ok(report.ok);
        const latencies = report.domains.flatMap((d) => d.changes.map((c) => c.latencyMs)).sort((a, b) => a - b);
        console.log(`      commit -> binlog event: median ${latencies[Math.floor(latencies.length / 2)].toFixed(1)} ms, max ${latencies[latencies.length - 1].toFixed(1)} ms`);
    });

    it("reports the missing columns when row images are MINIMAL", async () => {
        await server.query("SET GLOBAL binlog_row_image = 'MINIMAL'");
        try {
            const report = await runCdcSmoke({ writer: adminEndpoint(server), reader: cdcEndpoint(server), domains: undefined });
            assert.equal(report.ok, false);
            const lims = report.domains.find((d) => d.domain === "lims")!;
            assert.ok(lims.problems.some((p) => /^update: before image lacks sample_code, plant/.test(p)), lims.problems.join("\n"));
            assert.ok(lims.problems.some((p) => /^delete: before image lacks sample_code/.test(p)), lims.problems.join("\n"));
        } finally {
            await server.query("SET GLOBAL binlog_row_image = 'FULL'");
        }
    });

    it("runs as a command: npm run cdc-smoke", async () => {
        const result = await cli(
            "cdc-smoke.ts",
            ["--url", `mysql://lifesci_admin@${server.host}:${server.port}`, "--password-env", "ADMIN_PW", "--cdc-password-env", "CDC_PW", "--databases", "lims", "--ca", path.join(server.dir, "ca.pem")],
            { ADMIN_PW: adminEndpoint(server).password!, CDC_PW: CDC_PASSWORD },
        );
        assert.equal(result.code, 0, result.stderr + result.stdout);
        assert.match(result.stdout, /^PASS\s+lims\s+samples\s+insert [\d.]+ ms, update [\d.]+ ms, delete [\d.]+ ms$/m);
    });
});
