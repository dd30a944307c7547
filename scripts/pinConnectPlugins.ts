// npm run local:pin-plugins: fetches every file the Connect image installs (local/versions.ts)
// and writes their SHA-256 to local/images/connect/plugins.sha256, which the Dockerfile checks
// before installing anything. Maven Central artifacts are resolved through Maven with strict
// checksum verification (Central's published .sha1) into the e2e cache, the same files `npm run
// e2e` runs; Confluent Hub archives are downloaded directly. `--maven-only` pins the Maven
// artifacts and keeps the file's other lines (for a network that does not reach Confluent Hub).
// Run it after a version bump, review the diff and commit the file.
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PluginDownload, connectPluginDownloads } from "../local/versions";
import { mvn } from "./maven";
import { defineCli, parseCli, runCli } from "./cliSupport";

export const PLUGINS_SHA256 = path.join(__dirname, "..", "local", "images", "connect", "plugins.sha256");

/** The file's lines: `<sha256>  <file>` (sha256sum's format), sorted by file name. */
export function checksumFile(sums: { file: string; sha256: string }[]): string {
    return `${[...sums].sort((a, b) => a.file.localeCompare(b.file)).map((s) => `${s.sha256}  ${s.file}`).join("\n")}\n`;
}

export const CLI = defineCli({
    name: "npm run local:pin-plugins --",
    summary: `Downloads every file the local Connect image installs (local/versions.ts) and writes their SHA-256 to ${path.relative(path.join(__dirname, ".."), PLUGINS_SHA256)}, which the Dockerfile checks before installing anything. Run it on a trusted network, compare the sums with the publishers' and commit the file.`,
    options: {
        "maven-only": { type: "boolean", description: "pin only the Maven Central artifacts (through Maven); keep the other lines of the file" },
    },
    exitCodes: { 0: "pinned", 2: "a download failed (the URL or artifact is named; nothing written)" },
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

const REPO_ROOT = path.join(__dirname, "..");
/** The e2e run's Maven cache: the artifacts pinned here are the ones the e2e run executes. */
const MAVEN_REPO = path.join(REPO_ROOT, "e2e", ".cache", "m2");

/** SHA-256 of each Maven Central artifact, resolved by Maven with --strict-checksums (Central's .sha1 must match). */
export function mavenPluginSums(downloads: readonly PluginDownload[], pom = path.join(REPO_ROOT, "e2e", "pom.xml"), localRepo = MAVEN_REPO): { file: string; sha256: string }[] {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "lifesci-pin-"));
    try {
        return downloads.map(({ file, maven }) => {
            if (!maven) throw new Error(`${file} is not a Maven artifact`);
            mvn(pom, ["--strict-checksums", "dependency:copy", `-Dartifact=${maven}`, `-DoutputDirectory=${out}`], localRepo);
            const copied = path.join(out, file);
            if (!fs.existsSync(copied)) throw new Error(`Maven resolved ${maven} but wrote no ${file}`);
            return { file, sha256: createHash("sha256").update(fs.readFileSync(copied)).digest("hex") };
        });
    } finally {
        fs.rmSync(out, { recursive: true, force: true });
    }
}

/** The pin file with `sums` replacing (or adding) the lines of their files; other lines kept. */
export function mergeChecksums(existing: string, sums: { file: string; sha256: string }[]): string {
    const kept = existing
        .split("\n")
        .map((line) => /^([0-9a-f]{64}) {2}(\S+)$/.exec(line))
        .filter((m): m is RegExpExecArray => m !== null && !sums.some((s) => s.file === m[2]))
        .map((m) => ({ file: m[2], sha256: m[1] }));
    return checksumFile([...kept, ...sums]);
}

if (require.main === module) {
    runCli(async () => {
        const { values } = parseCli(CLI);
        const downloads = connectPluginDownloads();
        const sums = [...mavenPluginSums(downloads.filter((d) => d.maven)), ...(values["maven-only"] ? [] : await pluginSums(downloads.filter((d) => !d.maven)))];
        for (const { file, sha256 } of sums) process.stdout.write(`${sha256}  ${file}\n`);
        const existing = fs.existsSync(PLUGINS_SHA256) ? fs.readFileSync(PLUGINS_SHA256, "utf8") : "";
        fs.writeFileSync(PLUGINS_SHA256, values["maven-only"] ? mergeChecksums(existing, sums) : checksumFile(sums));
        process.stdout.write(`wrote ${path.relative(process.cwd(), PLUGINS_SHA256)}: review and commit it\n`);
        return 0;
    });
}
