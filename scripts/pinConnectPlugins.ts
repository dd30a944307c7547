// npm run local:pin-plugins: downloads every file the Connect image installs (local/versions.ts)
// and writes their SHA-256 to local/images/connect/plugins.sha256, which the Dockerfile checks
// before installing anything. Run it on a trusted network after a version bump, compare the
// sums with the publishers' (Maven Central .sha1/.sha512, Confluent Hub) and commit the file.
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { connectPluginDownloads } from "../local/versions";
import { defineCli, parseCli, runCli } from "./cliSupport";

export const PLUGINS_SHA256 = path.join(__dirname, "..", "local", "images", "connect", "plugins.sha256");

/** The file's lines: `<sha256>  <file>` (sha256sum's format), sorted by file name. */
export function checksumFile(sums: { file: string; sha256: string }[]): string {
    return `${[...sums].sort((a, b) => a.file.localeCompare(b.file)).map((s) => `${s.sha256}  ${s.file}`).join("\n")}\n`;
}

export const CLI = defineCli({
    name: "npm run local:pin-plugins --",
    summary: `Downloads every file the local Connect image installs (local/versions.ts) and writes their SHA-256 to ${path.relative(path.join(__dirname, ".."), PLUGINS_SHA256)}, which the Dockerfile checks before installing anything. Run it on a trusted network, compare the sums with the publishers' and commit the file.`,
    options: {},
    exitCodes: { 0: "pinned", 2: "a download failed (the URL is named; nothing written)" },
});

/** Downloads each file and returns its SHA-256; a failure names the URL. Writes nothing. */
export async function pluginSums(downloads: readonly { file: string; url: string }[], get: typeof fetch = fetch): Promise<{ file: string; sha256: string }[]> {
    const sums = [];
    for (const { file, url } of downloads) {
        let body: Buffer;
        try {
            const response = await get(url);
            if (!response.ok) throw new Error(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`);
            body = Buffer.from(await response.arrayBuffer());
        } catch (err) {
            // fetch reports network failures as "fetch failed" with the reason in `cause`.
            const cause = (err as { cause?: { code?: string; message?: string } }).cause;
            throw new Error(`${url}: ${cause?.code ?? cause?.message ?? (err as Error).message} (downloading ${file}; check the network or the version in local/versions.ts)`);
        }
        sums.push({ file, sha256: createHash("sha256").update(body).digest("hex") });
    }
    return sums;
}

if (require.main === module) {
    runCli(async () => {
        parseCli(CLI);
        const sums = await pluginSums(connectPluginDownloads());
        for (const { file, sha256 } of sums) process.stdout.write(`${sha256}  ${file}\n`);
        fs.writeFileSync(PLUGINS_SHA256, checksumFile(sums));
        process.stdout.write(`wrote ${path.relative(process.cwd(), PLUGINS_SHA256)}: review and commit it\n`);
        return 0;
    });
}
