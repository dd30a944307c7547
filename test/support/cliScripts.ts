// The package.json scripts that run one of the project's command-line programs, and their --help
// output, run the way npm runs them (shared by the help test and the README test; one run each).
import { ChildProcessWithoutNullStreams, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const REPO_ROOT = path.join(__dirname, "..", "..");

/**
 * Scripts that are not ours to explain: `test` runs the whole suite (it takes no options, and
 * running it from a test would recurse); tsc, mocha and stryker have their own --help.
 */
const NOT_A_PROJECT_CLI = new Set(["test"]);

export interface CliScript {
    script: string;
    command: string;
}

/** Every `npm run` script whose command runs a project file with node or ts-node. */
export function cliScripts(pkg: { scripts: Record<string, string> } = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"))): CliScript[] {
    return Object.entries(pkg.scripts)
        .filter(([script, command]) => !NOT_A_PROJECT_CLI.has(script) && /^(?:ts-node|node)(?:\s+-[\w-]+(?:=\S+)?)*\s+\.?\/?[\w./-]+\.(?:ts|js)\b/.test(command))
        .map(([script, command]) => ({ script, command }));
}

export interface HelpRun {
    code: number | null;
    stdout: string;
    stderr: string;
    /** The npm packages the command loaded (test/support/loadedPackages.js), for runs of `run`. */
    packages?: string[];
}

const runs = new Map<string, Promise<HelpRun>>();

/** A spawned command's exit code and its whole output, once it closes. */
export function outputOf(child: ChildProcessWithoutNullStreams): Promise<HelpRun> {
    return new Promise((resolve, reject) => {
        let stdout = "";
        let stderr = "";
        child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
        child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
}

let packagesDir: string | undefined;
let runCount = 0;

/**
 * `npm run <script> -- --help`, without npm's own start-up: the script's command through sh with
 * node_modules/.bin on PATH; the packages it loaded are recorded (a preload writes them at exit).
 */
async function run(command: string, args: string): Promise<HelpRun> {
    if (!packagesDir) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifesci-cli-packages-"));
        process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
        packagesDir = dir;
    }
    const packagesFile = path.join(packagesDir, `${++runCount}.json`);
    const preload = `--require ${JSON.stringify(path.join(__dirname, "loadedPackages.js"))}`;
    const result = await outputOf(
        spawn("sh", ["-c", `${command} ${args}`], {
            cwd: REPO_ROOT,
            env: {
                ...process.env,
                PATH: `${path.join(REPO_ROOT, "node_modules", ".bin")}${path.delimiter}${process.env.PATH}`,
                NODE_OPTIONS: [process.env.NODE_OPTIONS, preload].filter(Boolean).join(" "),
                LIFESCI_LOADED_PACKAGES_FILE: packagesFile,
            },
            timeout: 60_000,
        }),
    );
    if (fs.existsSync(packagesFile)) {
        result.packages = JSON.parse(fs.readFileSync(packagesFile, "utf8")) as string[];
        fs.rmSync(packagesFile);
    }
    return result;
}

/**
 * The program a script runs: scripts that run the same file with different preset arguments
 * (`local.ts up|down|verify`) share one parser, which reads --help before acting on any argument.
 */
export const programOf = (command: string) => /\S+\.(?:ts|js)\b/.exec(command)?.[0] ?? command;

/** --help of every CLI script, once per program, at most `parallel` at a time (each pays ts-node's start-up); cached per process. */
export async function helpOfAll(scripts: CliScript[] = cliScripts(), parallel = 3): Promise<Map<string, HelpRun>> {
    const queue = [...scripts];
    const worker = async () => {
        for (let s = queue.shift(); s; s = queue.shift()) {
            if (!runs.has(programOf(s.command))) runs.set(programOf(s.command), run(s.command, "--help"));
            await runs.get(programOf(s.command));
        }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
    return new Map(await Promise.all(scripts.map(async (s) => [s.script, await runs.get(programOf(s.command))!] as const)));
}

/** One CLI run with the given arguments (for error paths). */
export const runScript = (script: CliScript, args: string[]): Promise<HelpRun> => run(script.command, args.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" "));
