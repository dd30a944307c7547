// npm test: the type check and the test suite at once (two cores: tsc on one, mocha mostly on the
// other); fails when either fails. Plain JavaScript so it starts without a transpiler.
const { spawn } = require("child_process");

const run = (label, command, args) =>
    new Promise((resolve) => {
        const child = spawn(command, args, { stdio: "inherit", shell: process.platform === "win32" });
        child.on("close", (code, signal) => resolve({ label, code: code ?? (signal ? 1 : 0) }));
    });

Promise.all([run("typecheck", "npm", ["run", "-s", "typecheck"]), run("test:unit", "npm", ["run", "-s", "test:unit"])]).then((results) => {
    const failed = results.filter((r) => r.code !== 0);
    for (const r of failed) console.error(`npm test: ${r.label} failed (exit ${r.code})`);
    process.exit(failed.length ? 1 : 0);
});
