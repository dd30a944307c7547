// npm run mutation [-- <module>...]: Stryker on each module of stryker.config.json's `modules`
// table, one module at a time, each against only its own test files; then the score per module,
// every surviving mutant, and exit 1 when a module scores under `target`. Plain JavaScript so it
// starts without a transpiler. A module's `mutate` entry is a file, or { file, from, to }: the
// lines from the one containing `from` up to (not including) the one containing `to`, so a
// decision inside a bigger file is mutated alone and the range follows edits around it.
"use strict";
const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");

const ROOT = path.resolve(__dirname, "..", "..");
const REPORTS = path.join(ROOT, "reports", "mutation");
const config = JSON.parse(fs.readFileSync(path.join(ROOT, "stryker.config.json"), "utf8"));
const { modules, target, ...base } = config;

function mutatePattern(entry) {
    if (typeof entry === "string") return entry;
    const lines = fs.readFileSync(path.join(ROOT, entry.file), "utf8").split("\n");
    const from = lines.findIndex((l) => l.includes(entry.from));
    const to = entry.to === undefined ? lines.length : lines.findIndex((l, i) => i > from && l.includes(entry.to));
    if (from < 0 || to < 0) throw new Error(`stryker.config.json: ${entry.file} has no line with ${JSON.stringify(from < 0 ? entry.from : entry.to)}`);
    return `${entry.file}:${from + 1}-${to}`;
}

/** Stryker's mutation score: detected / (detected + undetected); errors and ignored mutants do not count. */
function scores(report) {
    const out = [];
    for (const [file, { mutants, source }] of Object.entries(report.files)) {
        const lines = source.split("\n");
        /** The mutated code, on one line: what the survivor replaced. */
        const original = ({ start, end }) =>
            (start.line === end.line ? lines[start.line - 1].slice(start.column - 1, end.column - 1) : `${lines[start.line - 1].slice(start.column - 1)} ...`).trim().slice(0, 120);
        const count = (...statuses) => mutants.filter((m) => statuses.includes(m.status)).length;
        const detected = count("Killed", "Timeout");
        const undetected = count("Survived", "NoCoverage");
        const survivors = mutants
            .filter((m) => m.status === "Survived" || m.status === "NoCoverage")
            .map((m) => `${file}:${m.location.start.line}:${m.location.start.column} ${m.mutatorName}: \`${original(m.location)}\` -> \`${m.replacement ?? ""}\``);
        out.push({ file, detected, undetected, errors: count("RuntimeError", "CompileError"), score: detected + undetected ? (100 * detected) / (detected + undetected) : 100, survivors });
    }
    return out;
}

const args = process.argv.slice(2);
if (args.includes("-h") || args.includes("--help")) {
    console.log(
        [
            "Usage: mutation [options] [module...]",
            "",
            `Mutation testing (Stryker) of the safety decisions, one module at a time against its own tests; exits 1 when a module scores under ${target}%.`,
            "Scores and survivors: reports/mutation/summary.md (summary-<modules>.md for a selection).",
            "",
            "Arguments:",
            `  module      modules to run (default: all): ${modules.map((m) => m.name).join(", ")}`,
            "",
            "Options:",
            "  -h, --help  print this help and exit",
        ].join("\n"),
    );
    process.exit(0);
}
const wanted = args;
const options = wanted.filter((w) => w.startsWith("-"));
if (options.length) {
    console.error(`unknown option(s) ${options.join(", ")}; see --help`);
    process.exit(2);
}
const unknown = wanted.filter((w) => !modules.some((m) => m.name === w));
if (unknown.length) {
    console.error(`unknown module(s) ${unknown.join(", ")}; modules are ${modules.map((m) => m.name).join(", ")}`);
    process.exit(2);
}
fs.mkdirSync(REPORTS, { recursive: true });
const results = [];
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
    lines.push(r.failed ? `| ${r.module} | | | | | FAILED: ${r.failed} |` : `| ${r.module} | ${r.file} | ${r.detected} | ${r.undetected} | ${r.errors} | ${r.score.toFixed(1)}% |`);
}
const survivors = results.flatMap((r) => r.survivors ?? []);
lines.push("", `## Survivors (${survivors.length})`, "", ...survivors.map((s) => `- ${s}`));
const summary = lines.join("\n") + "\n";
fs.writeFileSync(path.join(REPORTS, wanted.length ? `summary-${wanted.join("-")}.md` : "summary.md"), summary);
console.log(`\n${summary}`);
const under = results.filter((r) => r.failed || r.score < target);
if (under.length) {
    console.error(`mutation: under the ${target}% target: ${under.map((r) => `${r.module}${r.file ? ` (${r.file})` : ""}`).join(", ")}`);
    process.exit(1);
}
