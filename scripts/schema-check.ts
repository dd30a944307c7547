// npm run schema:check -- [options]: for the migrations added since a ref (default: main), on a
// throwaway MariaDB (or a scratch server given by --url): per CDC subject the schema change, whether
// it is compatible under the subject's mode and why, which ksqlDB apps and Snowflake tables read the
// table and whether their contracts hold, and what to do instead. Also checks that
// sql/mysql/effective-schema.json matches the server (--write renews it).
// Exit 0 when everything is compatible and the snapshot current, 1 when something is not compatible,
// 3 when the changes are compatible but the snapshot is stale (renew it with --write), 2 when the
// check cannot run. A stale snapshot is its own verdict: it says nothing about the change.
import { performance } from "perf_hooks";
import { DOMAINS } from "../components/catalog";
import { connectMySql } from "../components/source/pure";
import { MYSQL_ENDPOINT_OPTIONS, UsageError, defineCli, endpointFromOptions, parseCli, runCli, writeStdout } from "./cliSupport";
import { REPO_ROOT } from "./mockEngine";
// The check itself (config, ksqlDB contracts, Avro predictions) loads after the arguments parse: --help does not pay for it.
import type { SchemaCheckReport } from "./checks/schemaCheck";
import { startMariaDb } from "./checks/throwawayMariaDb";

export const CLI = defineCli({
    name: "npm run schema:check --",
    summary:
        "What the migrations added since a git ref do to each CDC subject (compatible or not, and why), to the ksqlDB apps and Snowflake tables that read the table, and whether sql/mysql/effective-schema.json matches the server. Runs on a throwaway MariaDB unless --url names a scratch server.",
    options: {
        against: { type: "string", value: "git-ref", default: "main", description: "compare with the migrations at this ref" },
        stack: { type: "string", value: "name", default: "prod", description: "stack whose Schema Registry compatibility modes and type settings apply" },
        json: { type: "boolean", description: "print the report as JSON" },
        write: { type: "boolean", description: "renew sql/mysql/effective-schema.json from the server" },
        dir: { type: "string", value: "repo", description: "repository to check (default: this one)" },
        url: { type: "string", value: "url", description: "a scratch server to use instead of a throwaway MariaDB (it creates schema_check_* databases), e.g. mysql://root@127.0.0.1:3306" },
        ...MYSQL_ENDPOINT_OPTIONS,
    },
    exitCodes: {
        0: "every change is compatible and the snapshot is current",
        1: "a change is NOT compatible",
        2: "usage error, or the check cannot run",
        3: "every change is compatible, but sql/mysql/effective-schema.json is stale: run it again with --write and commit the file",
    },
});

/** The command; returns the exit code (errors become exit 2 in runCli). `write` receives the output. */
export async function main(args: string[], write: (text: string) => Promise<void> = writeStdout): Promise<number> {
    const { values } = parseCli(CLI, args);
    const { assertGitRef, formatSchemaCheck, schemaCheckExitCode, runSchemaCheck, snapshotProblems, stackCheckSettings } = await import("./checks/schemaCheck");
    const repoRoot = values.dir ?? REPO_ROOT;
    const against = values.against;
    assertGitRef(repoRoot, against);
    const settings = stackCheckSettings(repoRoot, values.stack);
    const server = values.url
        ? { rootEndpoint: endpointFromOptions(values), startupMs: 0, stop: async () => undefined }
        : await startMariaDb().catch((err: Error) => {
              throw new UsageError(err.message);
          });
    let report: SchemaCheckReport;
    try {
        const conn = await connectMySql(server.rootEndpoint);
        try {
            const started = performance.now();
            report = await runSchemaCheck({
                repoRoot,
                against,
                conn,
                basePrefix: settings.basePrefix,
                settings: settings.typeSettings,
                modeFor: settings.modeFor,
                domains: DOMAINS,
            });
            const stale = await snapshotProblems(conn, repoRoot, { write: values.write });
            report.snapshot = { status: values.write ? "renewed" : stale.length > 0 ? "stale" : "current", problems: stale };
            report.durationMs = Math.round(performance.now() - started);
            (report as SchemaCheckReport & { serverStartMs: number }).serverStartMs = Math.round(server.startupMs);
        } finally {
            await conn.end();
        }
    } finally {
        await server.stop();
    }
    // Only a throwaway server has a start-up worth reporting; a --url server was already up.
    const startup = values.url ? "" : `\n(server up in ${Math.round(server.startupMs)} ms, not counted)`;
    const text = values.json ? JSON.stringify(report, null, 2) : `${formatSchemaCheck(report)}${startup}`;
    await write(`${text}\n`);
    return schemaCheckExitCode(report);
}

if (require.main === module) runCli(() => main(process.argv.slice(2)));
