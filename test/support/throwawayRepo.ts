// A throwaway git repository holding this checkout's program (tracked and new, not ignored, files of
// the given paths) at one commit "base": the plan --against and evidence tests add a second
// revision on top and read the program at both.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROGRAM_PATHS, REPO_ROOT } from "../../scripts/mockEngine";

export interface ThrowawayRepo {
    dir: string;
    /** git in the repository as a fixed test user; stdout trimmed. */
    git: (...args: string[]) => string;
}

export function throwawayProgramRepo(prefix: string, extraPaths: string[] = [], { linkNodeModules = false } = {}): ThrowawayRepo {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
    const files = execFileSync("git", ["-C", REPO_ROOT, "ls-files", "--cached", "--others", "--exclude-standard", "Pulumi.*.yaml", ...extraPaths, ...PROGRAM_PATHS], { encoding: "utf8" })
        .split("\n")
        .filter(Boolean);
    for (const f of files) {
        fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
        fs.copyFileSync(path.join(REPO_ROOT, f), path.join(dir, f));
    }
    fs.writeFileSync(path.join(dir, ".gitignore"), "node_modules\n");
    if (linkNodeModules) fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    const git = (...args: string[]) => execFileSync("git", ["-C", dir, "-c", "user.name=test", "-c", "user.email=test@example.com", ...args], { encoding: "utf8", stdio: "pipe" }).trim();
    git("init", "-q", "-b", "main");
    git("add", ".");
    git("commit", "-q", "-m", "base");
    return { dir, git };
}
