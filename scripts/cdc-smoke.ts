// npm run cdc-smoke -- --url mysql://admin@host:port --password-env VAR --cdc-password-env VAR2 [options]
// Writes one row per domain (insert, update, delete) as --url's user and reads the binlog as the
// CDC user. Run it against dev or local sources only. Exit 0 when every image is complete.
import { formatSmoke, runCdcSmoke } from "./checks/cdcSmoke";
import { selectDomains } from "./checks/preflight";
import { CliWrite, MYSQL_ENDPOINT_OPTIONS, UsageError, defineCli, endpointFromOptions, parseCli, runCli, writeStdout } from "./cliSupport";

export const CLI = defineCli({
    name: "npm run cdc-smoke --",
    summary:
        "Inserts, updates and deletes one row per domain as the --url user and reads the binlog as the CDC user: every change must arrive with complete before/after images. Dev or local sources only.",
    options: {
        url: { type: "string", value: "url", description: "the server as a user that may write, e.g. mysql://admin@db.example.com:3306 (required)" },
        ...MYSQL_ENDPOINT_OPTIONS,
        "cdc-user": { type: "string", value: "name", default: "lifesci_cdc", description: "the CDC user that reads the binlog" },
        "cdc-password-env": { type: "string", value: "var", description: "environment variable holding the CDC user's password (required)" },
        databases: { type: "string", value: "a,b", description: "databases to write to (default: every catalog domain's)" },
        json: { type: "boolean", description: "print the report as JSON" },
    },
    exitCodes: { 0: "every change arrived complete", 1: "a change was missing or incomplete", 2: "usage error, or the server cannot be reached" },
});

/** The command: its exit code (errors become exit 2 in runCli); the report goes to `write`. */
export async function main(argv: readonly string[] = process.argv.slice(2), write: CliWrite = writeStdout): Promise<number> {
    const { values } = parseCli(CLI, argv);
    if (!values["cdc-password-env"]) throw new UsageError("--cdc-password-env is required: the CDC user's password, read from that environment variable");
    const writer = endpointFromOptions(values);
    const reader = endpointFromOptions({
        ...values,
        url: `mysql://${encodeURIComponent(values["cdc-user"])}@${writer.host}:${writer.port}`,
        "password-env": values["cdc-password-env"],
    });
    const report = await runCdcSmoke({
        writer,
        reader,
        domains: selectDomains(values.databases?.split(",").map((d) => d.trim()).filter(Boolean)),
    });
    await write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatSmoke(report)}\n`);
    return report.ok ? 0 : 1;
}

if (require.main === module) runCli(() => main());
