// The local stack's state passphrase (issue 22, item 14): never a constant in the repository.
// PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) from the environment wins; otherwise
// a random passphrase is generated once into `.pulumi/local-passphrase` (git-ignored with the rest
// of `.pulumi/`, readable by its owner only) and the Automation API is pointed at that file with
// PULUMI_CONFIG_PASSPHRASE_FILE, so the value is never copied into another process's environment.
//   https://www.pulumi.com/docs/iac/concepts/secrets/#passphrase
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";

/** Where the generated passphrase lives, relative to the project root (under the git-ignored `.pulumi/`). */
export const LOCAL_PASSPHRASE_FILE = path.join(".pulumi", "local-passphrase");

/** The env vars the local workspace gets for its secrets provider. */
export function localPassphraseEnv(root: string, env: Record<string, string | undefined> = process.env): Record<string, string> {
    if (env.PULUMI_CONFIG_PASSPHRASE) return { PULUMI_CONFIG_PASSPHRASE: env.PULUMI_CONFIG_PASSPHRASE };
    if (env.PULUMI_CONFIG_PASSPHRASE_FILE) return { PULUMI_CONFIG_PASSPHRASE_FILE: env.PULUMI_CONFIG_PASSPHRASE_FILE };
    const file = path.join(root, LOCAL_PASSPHRASE_FILE);
    if (!fs.existsSync(file)) {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        // wx: never overwrite a passphrase another run wrote meanwhile (it protects existing state).
        try {
            fs.writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600, flag: "wx" });
        } catch (err: any) {
            if (err.code !== "EEXIST") throw err;
        }
    }
    if (fs.readFileSync(file, "utf8").trim().length < 16) throw new Error(`${file}: the local state passphrase is empty or too short; delete the file only together with .pulumi/local-state`);
    return { PULUMI_CONFIG_PASSPHRASE_FILE: file };
}
