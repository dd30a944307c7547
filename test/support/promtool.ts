// Runs Prometheus' promtool on generated files. A missing binary fails the calling test with the
// install hint: alert expressions are never "proven" by a skipped test.
import { spawnSync } from "child_process";

export const PROMTOOL_INSTALL_HINT =
    "promtool is not installed: install Debian's prometheus package (`apt-get install -y --no-install-recommends prometheus`), " +
    "or put promtool on PATH (PROMTOOL=/path/to/promtool also works)";

export interface PromtoolResult {
    status: number;
    output: string;
}

/** `promtool <args...>` in `cwd`; throws with the install hint when promtool cannot be run. */
export function promtool(args: string[], cwd: string): PromtoolResult {
    const binary = process.env.PROMTOOL ?? "promtool";
    const run = spawnSync(binary, args, { cwd, encoding: "utf8", timeout: 60_000 });
    if (run.error) {
        const code = (run.error as NodeJS.ErrnoException).code;
        throw new Error(code === "ENOENT" ? PROMTOOL_INSTALL_HINT : `promtool failed to start: ${run.error.message}`);
    }
    return { status: run.status ?? -1, output: `${run.stdout}${run.stderr}` };
}
