// npm run e2e [-- --json] [--keep]
// The real data path on this machine: Kafka, Kafka Connect + Debezium, MariaDB and PostgreSQL as
// child processes, the local stack's connectors created through the project's Connect provider in
// Pulumi's dynamic-provider host, and every hop checked with its latency.
// Exit 0 when every hop passed (hops that cannot run here say so), 1 when a hop failed, 2 when the
// data path could not be started (missing binary, Maven failure, a server that did not start).
import { defineCli, parseCli, runCli } from "../scripts/cliSupport";
import type { E2eContext } from "./harness";
import type { Hop } from "./hops";
import { HopResult, buildReport, exitCode, failed, formatReport, notRun, passed } from "./report";

// The harness, the hops and the connector rules load the program (and the Pulumi SDK): the command
// imports them after its arguments parse, so --help answers first.
async function allDifferences() {
    const { STATIC_DIFFERENCES, CONNECTOR_RULES } = await import("./differences");
    return [...STATIC_DIFFERENCES, ...Object.values(CONNECTOR_RULES).map((r) => ({ ...r.difference, e2e: r.e2e }))];
}

export async function runHops(ctx: E2eContext, hops: readonly Hop[], log: (m: string) => void): Promise<HopResult[]> {
    const results: HopResult[] = [];
    for (const hop of hops) {
        const broken = (hop.after ?? []).filter((name) => results.find((r) => r.name === name)?.status === "failed");
        if (broken.length) {
            results.push(failed(hop.name, `not checked: depends on the failed hop(s) ${broken.join(", ")}`));
            continue;
        }
        const started = Date.now();
        log(`hop: ${hop.name}`);
        try {
            const out = await hop.run(ctx);
            const latencies = out.latencies ?? (out.latencyMs !== undefined ? [out.latencyMs] : []);
            results.push(out.notRun ? notRun(hop.name, out.detail) : out.ok ? passed(hop.name, out.detail, latencies) : failed(hop.name, out.detail, latencies));
        } catch (err) {
            results.push(failed(hop.name, `error: ${((err as Error).message ?? String(err)).split("\n").slice(0, 8).join(" | ")}`));
        }
        log(`  ${results[results.length - 1].status} (${Date.now() - started} ms)`);
    }
    return results;
}

export const CLI = defineCli({
    name: "npm run e2e --",
    summary:
        "Runs the real data path on this machine (Kafka, Kafka Connect + Debezium, MariaDB, PostgreSQL as child processes on loopback, jars from Maven Central cached in e2e/.cache) with the local stack's connectors, and checks every hop with its latency.",
    options: {
        json: { type: "boolean", description: "print the report as JSON: {ok, hops: [{name, ok, latencyMs, detail}], differences}" },
        keep: { type: "boolean", description: "keep the processes' logs and data directory (kept anyway when a hop fails)" },
    },
    exitCodes: { 0: "every hop passed (hops that cannot run here say so)", 1: "a hop failed", 2: "usage error, or the data path could not be started" },
});

if (require.main === module) {
    runCli(async () => {
        const { values } = parseCli(CLI);
        const { EnvironmentError, ProgramError, startHarness, stopHarness } = await import("./harness");
        const { HOPS, HOP_NAMES } = await import("./hops");
        const started = Date.now();
        const log = (m: string) => process.stderr.write(`e2e: ${m}\n`);
        let ctx: E2eContext | undefined;
        let hops: HopResult[];
        try {
            ctx = await startHarness(log);
            hops = await runHops(ctx, HOPS, log);
        } catch (err) {
            await stopHarness(ctx, true);
            if (err instanceof ProgramError) {
                hops = [
                    failed(HOP_NAMES.evaluate, err.message),
                    ...HOPS.map((h) => failed(h.name, `not checked: depends on the failed hop(s) ${HOP_NAMES.evaluate}`)),
                ];
                const report = buildReport(hops, await allDifferences(), Date.now() - started);
                process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
                return exitCode(report);
            }
            if (err instanceof EnvironmentError) {
                process.stderr.write(`error: the data path could not be started: ${err.message}\n`);
                return 2;
            }
            throw err;
        }
        await stopHarness(ctx, values.keep || hops.some((h) => h.status === "failed"));
        const report = buildReport([passed(HOP_NAMES.evaluate, "the local stack evaluated under the mock engine; its resources are what the run deploys"), ...hops], await allDifferences(), Date.now() - started);
        process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
        return exitCode(report);
    });
}
