// The e2e report: hop results, latency percentiles, the table, --json, and the exit code. Pure.
import { Difference } from "./differences";

export type HopStatus = "passed" | "failed" | "not-run";

export interface HopResult {
    name: string;
    status: HopStatus;
    /** passed, or not-run (a hop that cannot run here says so; it does not fail the run). */
    ok: boolean;
    /** p50 of the hop's latencies (commit -> record), or the one latency it measured. */
    latencyMs?: number;
    p99Ms?: number;
    /** How many latencies the percentiles are over. */
    samples?: number;
    detail: string;
}

export interface E2eReport {
    ok: boolean;
    hops: HopResult[];
    differences: Difference[];
    durationMs: number;
}

/** Nearest-rank percentile (p in 0..100) of a non-empty list. */
export function percentile(values: readonly number[], p: number): number {
    if (values.length === 0) throw new Error("percentile of no values");
    const sorted = [...values].sort((a, b) => a - b);
    const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
    return sorted[Math.min(rank, sorted.length) - 1];
}

/** The latency fields of a hop result from its measured latencies. */
export function latencyStats(latencies: readonly number[]): Pick<HopResult, "latencyMs" | "p99Ms" | "samples"> {
    if (latencies.length === 0) return {};
    return { latencyMs: Math.round(percentile(latencies, 50)), p99Ms: Math.round(percentile(latencies, 99)), samples: latencies.length };
}

export function passed(name: string, detail: string, latencies: readonly number[] = []): HopResult {
    return { name, status: "passed", ok: true, ...latencyStats(latencies), detail };
}

export function failed(name: string, detail: string, latencies: readonly number[] = []): HopResult {
    return { name, status: "failed", ok: false, ...latencyStats(latencies), detail };
}

export function notRun(name: string, why: string): HopResult {
    return { name, status: "not-run", ok: true, detail: `not run here: ${why}` };
}

export function buildReport(hops: HopResult[], differences: Difference[], durationMs: number): E2eReport {
    return { ok: hops.length > 0 && hops.every((h) => h.status !== "failed"), hops, differences, durationMs };
}

/** 0 every hop passed (or cannot run here and says so), 1 a hop failed. (2: the run could not start; see run.ts.) */
export function exitCode(report: E2eReport): 0 | 1 {
    return report.ok ? 0 : 1;
}

const MARK: Record<HopStatus, string> = { passed: "ok", failed: "FAIL", "not-run": "n/a" };

export function formatReport(report: E2eReport): string {
    const ms = (v?: number) => (v === undefined ? "-" : `${v}`);
    const rows = report.hops.map((h) => [MARK[h.status], h.name, ms(h.latencyMs), ms(h.p99Ms), h.samples === undefined ? "-" : String(h.samples), h.detail]);
    const header = ["", "hop", "p50 ms", "p99 ms", "n", "detail"];
    const widths = header.slice(0, 5).map((_, i) => Math.max(header[i].length, ...rows.map((r) => r[i].length)));
    const line = (r: string[]) => [...r.slice(0, 5).map((c, i) => c.padEnd(widths[i])), r[5]].join("  ").trimEnd();
    const out = [line(header), ...rows.map(line)];
    out.push("", `differences from the local Docker stack (${report.differences.length}):`);
    for (const d of report.differences) out.push(`  - ${d.what}: local ${d.local}; here ${d.e2e}. Why: ${d.reason}`);
    out.push("", `${report.ok ? "e2e passed" : "e2e FAILED"} in ${(report.durationMs / 1000).toFixed(1)} s`);
    return out.join("\n");
}
