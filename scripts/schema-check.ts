// npm run schema:check -- [--against <git ref>] [--stack prod] [--json] [--write]
// For the migrations added since the ref (default: main), on a throwaway MariaDB: per CDC subject
// the schema change, whether it is compatible under the subject's mode and why, which ksqlDB
// apps and Snowflake tables read the table and whether their contracts hold, and what to do
// instead. Also checks that sql/mysql/effective-schema.json matches the server (--write renews it).
// Exit 0 when everything is compatible, 1 when something is not, 2 when the check cannot run.
import { performance } from "perf_hooks";
import { DOMAINS } from "../components/catalog";
import { connectMySql } from "../components/mysqlServer";
import { UsageError, parseCliOptions, runCli } from "./cliSupport";
import { REPO_ROOT } from "./mockEngine";
import { SchemaCheckReport, formatSchemaCheck, runSchemaCheck, snapshotProblems, stackCheckSettings } from "./checks/schemaCheck";
import { startMariaDb } from "./checks/throwawayMariaDb";

runCli(async () => {
    const values = parseCliOptions({
        against: { type: "string" },
        stack: { type: "string", default: "prod" },
        json: { type: "boolean", default: false },
        write: { type: "boolean", default: false },
    });
    const settings = stackCheckSettings(REPO_ROOT, values.stack!);
    const server = await startMariaDb().catch((err: Error) => {
        throw new UsageError(err.message);
    });
    let report: SchemaCheckReport;
    try {
        const conn = await connectMySql(server.rootEndpoint);
        try {
            const started = performance.now();
            report = await runSchemaCheck({
                repoRoot: REPO_ROOT,
                against: values.against ?? "main",
                conn,
                basePrefix: settings.basePrefix,
                settings: settings.typeSettings,
                modeFor: settings.modeFor,
                domains: DOMAINS,
            });
            const snapshot = await snapshotProblems(conn, REPO_ROOT, { write: values.write! });
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
    await new Promise<void>((resolve) => process.stdout.write(`${text}\n`, () => resolve()));
    return report.ok ? 0 : 1;
});
