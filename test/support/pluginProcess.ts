// Starts a Pulumi plugin process the way the engine does (`node <host script> <engine address> ...`)
// and waits for the gRPC port it prints on stdout. The dynamic-provider host and the policy
// analyzer tests both start theirs through here.
import { ChildProcess, spawn } from "child_process";

export interface PluginProcess {
    child: ChildProcess;
    port: number;
    /** What the process printed on stderr, as it arrives. */
    stderr: string[];
}

export function startPluginProcess(options: {
    /** Names the process in errors, e.g. "dynamic-provider host". */
    what: string;
    script: string;
    args: string[];
    cwd: string;
    env?: NodeJS.ProcessEnv;
    timeoutMs: number;
    /** Added to the error when no port appears in time. */
    hint?: string;
}): Promise<PluginProcess> {
    const stderr: string[] = [];
    const child = spawn(process.execPath, [options.script, ...options.args], { cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"], env: options.env ?? process.env });
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => stderr.push(chunk));
    return new Promise<PluginProcess>((resolve, reject) => {
        let out = "";
        const seconds = options.timeoutMs / 1000;
        const timer = setTimeout(() => {
            // A process that missed the deadline is stopped, not left behind (it would print its port later, to no one).
            child.kill();
            reject(new Error(`${options.what} printed no port within ${seconds} s${options.hint ? ` (${options.hint})` : ""}: ${stderr.join("")}`));
        }, options.timeoutMs);
        child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
            out += chunk;
            const m = /^(\d+)\s*$/m.exec(out);
            if (m) {
                clearTimeout(timer);
                resolve({ child, port: Number(m[1]), stderr });
            }
        });
        child.once("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`${options.what} exited with ${code}: ${stderr.join("")}`));
        });
    });
}
