// npm test: the type check and the test suite at once (two cores: tsc on one, mocha mostly on the
// other); fails when either fails. Plain JavaScript so it starts without a transpiler.
// TEST_REPORT=<file> also writes mocha's JSON report there (spec output stays on the console); the
// evidence pack reads it (npm run evidence -- --test-report <file>).
const { spawn } = require("child_process");
const fs = require("fs");

const run = (label, command, args) =>
    new Promise((resolve) => {
        const child = spawn(command, args, { stdio: "inherit", shell: process.platform === "win32" });
        child.on("close", (code, signal) => resolve({ label, code: code ?? (signal ? 1 : 0) }));
    });

const mochaArgs = process.env.TEST_REPORT ? ["--", "--reporter", "./scripts/testReporter.js"] : [];
Promise.all([run("typecheck", "npm", ["run", "-s", "typecheck"]), run("test:unit", "npm", ["run", "-s", "test:unit", ...mochaArgs])]).then((results) => {
    const failed = results.filter((r) => r.code !== 0);
    // The report covers mocha only; record the type check's result in it too (a failing tsc fails npm test).
    const report = process.env.TEST_REPORT;
    if (report && fs.existsSync(report)) {
        const json = JSON.parse(fs.readFileSync(report, "utf8"));
        json.npmTest = Object.fromEntries(results.map((r) => [`${r.label}ExitCode`, r.code]));
        fs.writeFileSync(report, JSON.stringify(json, null, 2));
    }
    for (const r of failed) console.error(`npm test: ${r.label} failed (exit ${r.code})`);
    process.exit(failed.length ? 1 : 0);
});
