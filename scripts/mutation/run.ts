// npm run mutation [-- <module>...]: Stryker on each module of stryker.config.json's `modules`
// table, one module at a time, each against only its own test files; then the score per module,
// every surviving mutant, and exit 1 when a module scores under `target`. A module's `mutate`
// entry is a file, or { file, from, to }: the lines from the one containing `from` up to (not
// including) the one containing `to`, so a decision inside a bigger file is mutated alone and the
// range follows edits around it. Arguments and --help come from the shared parser (cliSupport).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { defineCli, parseCli, runCli } from "../cliSupport";

const ROOT = path.resolve(__dirname, "..", "..");
const REPORTS = path.join(ROOT, "reports", "mutation");

type MutateEntry = string | { file: string; from: string; to?: string };
interface MutationModule {
    name: string;
    mutate: MutateEntry[];
    spec: string[];
    grep?: string;
    invert?: boolean;
}
const config = JSON.parse(fs.readFileSync(path.join(ROOT, "stryker.config.json"), "utf8")) as { modules: MutationModule[]; target: number } & Record<string, unknown>;
const { modules, target, ...base } = config;

export const CLI = defineCli({
    name: "npm run mutation --",
    summary: `Mutation testing (Stryker) of the safety decisions, one module at a time against its own tests; exits 1 when a module scores under ${target}%. Scores and survivors: reports/mutation/summary.md (summary-<modules>.md for a selection).`,
    options: {},
    arguments: [{ name: "module", variadic: true, choices: modules.map((m) => m.name), description: "modules to run (default: all)" }],
    exitCodes: { 0: `every module scores at least ${target}%`, 1: "a module scores under the target, or Stryker failed", 2: "usage error" },
});

function mutatePattern(entry: MutateEntry): string {
    if (typeof entry === "string") return entry;
    const lines = fs.readFileSync(path.join(ROOT, entry.file), "utf8").split("\n");
    const from = lines.findIndex((l) => l.includes(entry.from));
    const until = entry.to;
    const to = until === undefined ? lines.length : lines.findIndex((l, i) => i > from && l.includes(until));
    if (from < 0 || to < 0) throw new Error(`stryker.config.json: ${entry.file} has no line with ${JSON.stringify(from < 0 ? entry.from : entry.to)}`);
    return `${entry.file}:${from + 1}-${to}`;
}

interface StrykerMutant {
    status: string;
    mutatorName: string;
    replacement?: string;
    location: { start: { line: number; column: number }; end: { line: number; column: number } };
}
interface FileScore {
    file: string;
    detected: number;
    undetected: number;
    errors: number;
    score: number;
    survivors: string[];
}

/** Stryker's mutation score: detected / (detected + undetected); errors and ignored mutants do not count. */
function scores(report: { files: Record<string, { mutants: StrykerMutant[]; source: string }> }): FileScore[] {
    const out: FileScore[] = [];
    for (const [file, { mutants, source }] of Object.entries(report.files)) {
        const lines = source.split("\n");
        /** The mutated code, on one line: what the survivor replaced. */
        const original = ({ start, end }: StrykerMutant["location"]) =>
            (start.line === end.line ? lines[start.line - 1].slice(start.column - 1, end.column - 1) : `${lines[start.line - 1].slice(start.column - 1)} ...`).trim().slice(0, 120);
        const count = (...statuses: string[]) => mutants.filter((m) => statuses.includes(m.status)).length;
        const detected = count("Killed", "Timeout");
        const undetected = count("Survived", "NoCoverage");
        const survivors = mutants
            .filter((m) => m.status === "Survived" || m.status === "NoCoverage")
            .map((m) => `${file}:${m.location.start.line}:${m.location.start.column} ${m.mutatorName}: \`${original(m.location)}\` -> \`${m.replacement ?? ""}\``);
        out.push({ file, detected, undetected, errors: count("RuntimeError", "CompileError"), score: detected + undetected ? (100 * detected) / (detected + undetected) : 100, survivors });
    }
    return out;
}

type ModuleResult = { module: string; failed: string } | ({ module: string; seconds: number; failed?: undefined } & FileScore);

async function main(): Promise<number> {
    const wanted = parseCli(CLI).args;
    fs.mkdirSync(REPORTS, { recursive: true });
    const results: ModuleResult[] = [];
    for (const mod of modules.filter((m) => wanted.length === 0 || wanted.includes(m.name))) {
        const json = path.join(REPORTS, `${mod.name}.json`);
        const moduleConfig = {
            ...base,
            mutate: mod.mutate.map(mutatePattern),
            testRunner: "mocha-inprocess",
            plugins: ["./scripts/mutation/mochaRunner.mjs"],
            mochaInProcess: { spec: mod.spec, grep: mod.grep, invert: mod.invert },
            jsonReporter: { fileName: path.relative(ROOT, json) },
            thresholds: { high: target, low: target - 10, break: null },
        };
        // reports/ is never copied into Stryker's sandbox.
        const configFile = path.join(REPORTS, `${mod.name}.stryker.json`);
        fs.writeFileSync(configFile, JSON.stringify(moduleConfig, null, 4));
        console.log(`\n=== mutation: ${mod.name} (${moduleConfig.mutate.join(", ")})`);
        const started = Date.now();
        const run = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "@stryker-mutator", "core", "bin", "stryker.js"), "run", configFile], { cwd: ROOT, stdio: "inherit" });
        if (run.status !== 0 || !fs.existsSync(json)) {
            results.push({ module: mod.name, failed: `stryker exited ${run.status}` });
            continue;
        }
        for (const s of scores(JSON.parse(fs.readFileSync(json, "utf8")))) results.push({ module: mod.name, seconds: Math.round((Date.now() - started) / 1000), ...s });
    }

    const lines = [`# Mutation scores (target ${target}%)`, "", "| module | file | killed | survived | errors | score |", "|---|---|---|---|---|---|"];
    for (const r of results) {
        lines.push(r.failed !== undefined ? `| ${r.module} | | | | | FAILED: ${r.failed} |` : `| ${r.module} | ${r.file} | ${r.detected} | ${r.undetected} | ${r.errors} | ${r.score.toFixed(1)}% |`);
    }
    const survivors = results.flatMap((r) => (r.failed === undefined ? r.survivors : []));
    lines.push("", `## Survivors (${survivors.length})`, "", ...survivors.map((s) => `- ${s}`));
    const summary = lines.join("\n") + "\n";
    fs.writeFileSync(path.join(REPORTS, wanted.length ? `summary-${wanted.join("-")}.md` : "summary.md"), summary);
    console.log(`\n${summary}`);
    const under = results.filter((r) => r.failed !== undefined || r.score < target);
    if (under.length) {
        console.error(`mutation: under the ${target}% target: ${under.map((r) => `${r.module}${r.failed === undefined ? ` (${r.file})` : ""}`).join(", ")}`);
        return 1;
    }
    return 0;
}

if (require.main === module) runCli(main);
