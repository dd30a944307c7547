// npm run schema:check -- [--against <git ref>] [--stack prod] [--json] [--write] [--dir <repo>]
//   [--url mysql://root@host:port --password-env VAR --tls ...]  (a scratch server instead of a throwaway MariaDB)
// For the migrations added since the ref (default: main), on a throwaway MariaDB: per CDC subject
// the schema change, whether it is compatible under the subject's mode and why, which ksqlDB
// apps and Snowflake tables read the table and whether their contracts hold, and what to do
// instead. Also checks that sql/mysql/effective-schema.json matches the server (--write renews it).
// Exit 0 when everything is compatible, 1 when something is not, 2 when the check cannot run.
import { performance } from "perf_hooks";
import { parseArgs } from "util";
import { DOMAINS } from "../components/catalog";
import { connectMySql } from "../components/source";
import { UsageError, endpointFromOptions, runCli } from "./cliSupport";
import { REPO_ROOT } from "./mockEngine";
import { SchemaCheckReport, assertGitRef, formatSchemaCheck, runSchemaCheck, snapshotProblems, stackCheckSettings } from "./checks/schemaCheck";
import { startMariaDb } from "./checks/throwawayMariaDb";

const OPTIONS = {
    against: { type: "string" },
    stack: { type: "string", default: "prod" },
    json: { type: "boolean", default: false },
    write: { type: "boolean", default: false },
    dir: { type: "string" },
    // An existing server to work on instead of a throwaway one (it creates schema_check_* databases).
    url: { type: "string" },
    "password-env": { type: "string" },
    tls: { type: "string" },
    ca: { type: "string" },
} as const;

/** The command; returns the exit code (errors become exit 2 in runCli). `write` receives the output. */
export async function main(args: string[], write: (text: string) => Promise<void> = writeStdout): Promise<number> {
    let values: ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; strict: true }>>["values"];
    try {
        values = parseArgs({ args, options: OPTIONS, strict: true }).values;
    } catch (err) {
        throw new UsageError((err as Error).message);
    }
    const repoRoot = values.dir ?? REPO_ROOT;
    const against = values.against ?? "main";
    assertGitRef(repoRoot, against);
    const settings = stackCheckSettings(repoRoot, values.stack!);
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
            const snapshot = await snapshotProblems(conn, repoRoot, { write: values.write! });
            report.errors.push(...snapshot);
            report.ok = report.ok && snapshot.length === 0;
            report.durationMs = Math.round(performance.now() - started);
            (report as SchemaCheckReport & { serverStartMs: number }).serverStartMs = Math.round(server.startupMs);
        } finally {
            await conn.end();
        }
    } finally {
        await server.stop();
    }
    const text = values.json ? JSON.stringify(report, null, 2) : `${formatSchemaCheck(report)}\n(server up in ${Math.round(server.startupMs)} ms, not counted)`;
    await write(`${text}\n`);
    return report.ok ? 0 : 1;
}

// runCli exits right after: wait until a piped stdout has taken everything.
const writeStdout = (text: string) => new Promise<void>((resolve) => process.stdout.write(text, () => resolve()));

if (require.main === module) runCli(() => main(process.argv.slice(2)));
