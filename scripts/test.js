// npm test: the type check and the fast test tier at once (two cores: tsc on one, mocha mostly on
// the other); fails when either fails. Plain JavaScript so it starts without a transpiler.
// The tiers go by file name (test/testTiers.test.ts): `*.integration.test.ts` runs in
// `npm run test:integration`, everything else here; `npm run test:all` runs both.
// TEST_REPORT=<file> also writes mocha's JSON report there (spec output stays on the console); the
// evidence pack reads it (npm run evidence -- --test-report <file>).
// TEST_TIERS=all runs both tiers in this one mocha process, so that report covers the whole suite
// (the deploy workflow's evidence step sets it); TEST_TIERS=fast (the default) runs `test:unit`.
const { spawn } = require("child_process");
const fs = require("fs");
const { allTierSpecs } = require("./testTiers");

const run = (label, command, args) =>
    new Promise((resolve) => {
        const child = spawn(command, args, { stdio: "inherit", shell: process.platform === "win32" });
        child.on("close", (code, signal) => resolve({ label, code: code ?? (signal ? 1 : 0) }));
    });

const tiers = process.env.TEST_TIERS || "fast";
if (tiers !== "fast" && tiers !== "all") {
    console.error(`npm test: TEST_TIERS must be "fast" or "all", not "${tiers}"`);
    process.exit(2);
}
const reporter = process.env.TEST_REPORT ? ["--reporter", "./scripts/testReporter.js"] : [];
const scripts = JSON.parse(fs.readFileSync(`${__dirname}/../package.json`, "utf8")).scripts;
const mocha =
    tiers === "all"
        ? run("test:unit", "npx", ["mocha", ...allTierSpecs(scripts), ...reporter])
        : run("test:unit", "npm", ["run", "-s", "test:unit", ...(reporter.length ? ["--", ...reporter] : [])]);
Promise.all([run("typecheck", "npm", ["run", "-s", "typecheck"]), mocha]).then((results) => {
    const failed = results.filter((r) => r.code !== 0);
    // The report covers mocha only; record the type check's result in it too (a failing tsc fails npm test).
    const report = process.env.TEST_REPORT;
    if (report && fs.existsSync(report)) {
        const json = JSON.parse(fs.readFileSync(report, "utf8"));
        json.npmTest = { ...Object.fromEntries(results.map((r) => [`${r.label}ExitCode`, r.code])), tiers };
        fs.writeFileSync(report, JSON.stringify(json, null, 2));
    }
    for (const r of failed) console.error(`npm test: ${r.label} failed (exit ${r.code})`);
    process.exit(failed.length ? 1 : 0);
});
