// Every command explains itself: `npm run <script> -- --help` prints the usage and exits 0 for each
// package.json script that runs a project CLI (new scripts are picked up from package.json), and
// does nothing else: no `pulumi up`, no files written.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as path from "path";
import { CliOption, CliSpec, cliHelp } from "../scripts/cliSupport";
import { REPO_ROOT, cliScripts, helpOfAll, programOf, runScript } from "./support/cliScripts";

/** Files git shows as new or ignored: what a side effect of --help would leave behind. */
const worktreeState = () =>
    execFileSync("git", ["-C", REPO_ROOT, "status", "--porcelain", "--ignored", "--untracked-files=all", "--", ".", ":!node_modules", ":!policy/node_modules"], { encoding: "utf8" })
        .split("\n")
        .filter((l) => /^(\?\?|!!) /.test(l))
        .join("\n");

describe("every CLI: --help", function () {
    this.timeout(180_000);

    it("finds the project's CLIs among the package.json scripts", () => {
        const scripts = cliScripts().map((s) => s.script);
        for (const known of ["plan", "docs", "bench", "schema:check", "preflight", "cdc-smoke", "alerts:export", "local", "local:down", "local:verify", "local:pin-plugins"]) {
            assert.ok(scripts.includes(known), `${known} in ${scripts.join(", ")}`);
        }
        assert.ok(!scripts.includes("test") && !scripts.includes("typecheck"), "tools with their own help are not ours");
        assert.ok(scripts.includes("mutation"), "npm run mutation runs the project's per-module driver (scripts/mutation/run.ts)");
        // The filter reads commands, not names: a new script that runs a project file is covered.
        assert.deepEqual(
            cliScripts({ scripts: { e2e: "ts-node --transpile-only e2e/run.ts", evidence: "node scripts/evidence.js --all", lint: "eslint ." } }).map((s) => s.script),
            ["e2e", "evidence"],
        );
    });

    it("prints the usage with its options and exits 0, changing nothing", async () => {
        const before = worktreeState();
        const help = await helpOfAll();
        for (const [script, run] of help) {
            const where = `npm run ${script} -- --help\n${run.stdout}${run.stderr}`;
            assert.equal(run.code, 0, where);
            assert.match(run.stdout, /^Usage: /, where);
            assert.match(run.stdout, /-h, --help +print this help and exit/, where);
            assert.equal(run.stderr, "", where);
        }
        // `local -- --help` never reached the prerequisite check, let alone `pulumi up`.
        assert.doesNotMatch(help.get("local")!.stdout, /Prerequisites|Missing prerequisites|Updating/);
        assert.match(help.get("bench")!.stdout, /--no-startup/);
        assert.match(help.get("plan")!.stdout, /--diff-only/);
        assert.equal(worktreeState(), before, "--help wrote nothing (alerts:export writes its rule files only when run)");
    });

    it("is the shared parser's help of the program's declaration (not text written by hand)", async () => {
        const help = await helpOfAll();
        for (const { script, command } of cliScripts()) {
            // Every CLI module exports its declaration; loading one runs nothing (require.main guard).
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const spec = (require(path.join(REPO_ROOT, programOf(command))) as { CLI?: CliSpec<Record<string, CliOption>> }).CLI;
            assert.ok(spec, `${programOf(command)} exports its CLI declaration (defineCli)`);
            assert.equal(help.get(script)!.stdout, cliHelp(spec), `npm run ${script} -- --help`);
        }
    });

    it("answers before the program loads: no Pulumi SDK or provider package (what a program run pays)", async () => {
        for (const [script, run] of await helpOfAll()) {
            assert.ok(run.packages, `npm run ${script} -- --help: the loaded packages were recorded`);
            assert.ok(run.packages.includes("commander"), `npm run ${script}: the shared parser answered (${run.packages.join(", ")})`);
            assert.deepEqual(
                run.packages.filter((p) => p.startsWith("@pulumi/")),
                [],
                `npm run ${script} -- --help loaded the program: parse the arguments before importing it (dynamic import after parseCli)`,
            );
        }
    });

    it("-h is --help", async () => {
        const script = cliScripts().find((s) => s.script === "alerts:export")!;
        const [short, long] = await Promise.all([runScript(script, ["-h"]), helpOfAll([script]).then((m) => m.get("alerts:export")!)]);
        assert.equal(short.code, 0, short.stderr);
        assert.equal(short.stdout, long.stdout);
    });
});
