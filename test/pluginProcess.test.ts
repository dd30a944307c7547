// The helper that starts Pulumi plugin processes: a process that prints no port in time is
// stopped, not orphaned (an e2e run on a busy machine left a dynamic-provider host behind).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startPluginProcess } from "./support/pluginProcess";

describe("plugin processes: start-up", () => {
    it("answers with the printed port", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifesci-plugin-"));
        const script = path.join(dir, "ok.js");
        fs.writeFileSync(script, "console.log('12345'); setTimeout(() => {}, 60000);");
        const started = await startPluginProcess({ what: "test plugin", script, args: [], cwd: dir, timeoutMs: 10_000 });
        try {
            assert.equal(started.port, 12345);
        } finally {
            started.child.kill();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("a process that prints no port within the bound fails naming it, and is stopped", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifesci-plugin-"));
        const script = path.join(dir, "silent.js");
        const pidFile = path.join(dir, "pid");
        fs.writeFileSync(script, `require("fs").writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setTimeout(() => {}, 60000);`);
        try {
            await assert.rejects(startPluginProcess({ what: "silent plugin", script, args: [], cwd: dir, timeoutMs: 500 }), /silent plugin printed no port within 0\.5 s/);
            const pid = Number(fs.readFileSync(pidFile, "utf8"));
            let alive = true;
            for (let i = 0; i < 40 && alive; i++) {
                try {
                    process.kill(pid, 0);
                    await new Promise((r) => setTimeout(r, 50));
                } catch {
                    alive = false;
                }
            }
            assert.equal(alive, false, "the process was left running");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
