// npm run local:pin-plugins: downloads every file the Connect image installs (local/versions.ts)
// and writes their SHA-256 to local/images/connect/plugins.sha256, which the Dockerfile checks
// before installing anything. Run it on a trusted network after a version bump, compare the
// sums with the publishers' (Maven Central .sha1/.sha512, Confluent Hub) and commit the file.
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { connectPluginDownloads } from "../local/versions";
import { runCli } from "./cliSupport";

export const PLUGINS_SHA256 = path.join(__dirname, "..", "local", "images", "connect", "plugins.sha256");

/** The file's lines: `<sha256>  <file>` (sha256sum's format), sorted by file name. */
export function checksumFile(sums: { file: string; sha256: string }[]): string {
    return `${[...sums].sort((a, b) => a.file.localeCompare(b.file)).map((s) => `${s.sha256}  ${s.file}`).join("\n")}\n`;
}

if (require.main === module) {
    runCli(async () => {
        const sums = [];
        for (const { file, url } of connectPluginDownloads()) {
            const response = await fetch(url);
            if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
            const sha256 = createHash("sha256").update(Buffer.from(await response.arrayBuffer())).digest("hex");
            process.stdout.write(`${sha256}  ${file}\n`);
            sums.push({ file, sha256 });
        }
        fs.writeFileSync(PLUGINS_SHA256, checksumFile(sums));
        process.stdout.write(`wrote ${path.relative(process.cwd(), PLUGINS_SHA256)}: review and commit it\n`);
        return 0;
    });
}
