// npm run preflight -- --url mysql://user@host:port [options]: is this MySQL server ready to feed CDC?
// Exit 0 when every required check passes, 1 when one fails, 2 when the server cannot be checked.
import { formatPreflight, runPreflight } from "./checks/preflight";
import { CliWrite, MYSQL_ENDPOINT_OPTIONS, UsageError, defineCli, endpointFromOptions, parseCli, runCli, writeStdout } from "./cliSupport";

export const CLI = defineCli({
    name: "npm run preflight --",
    summary: "Checks that a MySQL server can feed CDC: binlog settings and retention, the CDC user's grants, captured tables, verified TLS.",
    options: {
        url: { type: "string", value: "url", description: "the server as the CDC user, e.g. mysql://lifesci_cdc@db.example.com:3306 (required)" },
        ...MYSQL_ENDPOINT_OPTIONS,
        databases: { type: "string", value: "a,b", description: "databases to check (default: every catalog domain's)" },
        "min-retention-hours": { type: "string", value: "hours", default: "24", description: "binlog retention the server must keep" },
        "cdc-user": { type: "string", value: "name@host", description: "check this account's grants instead of the connected user's" },
        json: { type: "boolean", description: "print the report as JSON" },
    },
    exitCodes: { 0: "every required check passed", 1: "a check failed", 2: "usage error, or the server cannot be checked" },
});

/** The command: its exit code (errors become exit 2 in runCli); the report goes to `write`. */
export async function main(argv: readonly string[] = process.argv.slice(2), write: CliWrite = writeStdout): Promise<number> {
    const { values } = parseCli(CLI, argv);
    const minHours = Number(values["min-retention-hours"]);
    if (!Number.isFinite(minHours) || minHours < 0) throw new UsageError(`--min-retention-hours: must be a non-negative number (got "${values["min-retention-hours"]}")`);
    let cdcAccount: { name: string; host: string } | undefined;
    if (values["cdc-user"]) {
        const [name, host = "%"] = values["cdc-user"].split("@");
        cdcAccount = { name, host };
    }
    const report = await runPreflight({
        endpoint: endpointFromOptions(values),
        databases: values.databases?.split(",").map((d) => d.trim()).filter(Boolean),
        minBinlogRetentionHours: minHours,
        cdcAccount,
    });
    await write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatPreflight(report)}\n`);
    return report.ok ? 0 : 1;
}

if (require.main === module) runCli(() => main());
