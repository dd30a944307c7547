// The Connect image's supply chain: it downloads exactly the pinned plugin files, and its
// verification step (run here in bash on stand-in files) refuses a file that is unpinned or differs.
import { strict as assert } from "assert";
import { createHash } from "crypto";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checksumFile } from "../scripts/pinConnectPlugins";
import { CONNECT_PLUGINS, connectPluginDownloads } from "./versions";

const DIR = path.join(__dirname, "images", "connect");
const dockerfile = fs.readFileSync(path.join(DIR, "Dockerfile"), "utf8");
/** The Dockerfile with its ARG defaults substituted, as `docker build` sees it with local/versions.ts's args. */
const resolved = Object.entries(CONNECT_PLUGINS).reduce((text, [arg, value]) => text.split(`\${${arg}}`).join(value), dockerfile);

/** The shell of the verification step: from the per-file guard to the checksum check. */
function verificationStep(): string {
    const start = resolved.indexOf("for f in *.zip");
    const end = resolved.indexOf("sha256sum --check --strict plugins.sha256");
    assert.ok(start > 0 && end > start, "the Dockerfile has a per-file guard followed by sha256sum --check");
    return resolved.slice(start, end + "sha256sum --check --strict plugins.sha256".length).replace(/\\\n/g, "\n");
}

function runVerification(files: Record<string, string>, pinned: string): { code: number | null; stderr: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifesci-plugins-"));
    try {
        for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
        fs.writeFileSync(path.join(dir, "plugins.sha256"), pinned);
        const result = spawnSync("bash", ["-c", `set -eu; ${verificationStep().replace(/\n\s*/g, " ").replace(/^\s*&&\s*/, "")}`], { cwd: dir, encoding: "utf8" });
        return { code: result.status, stderr: result.stderr };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

describe("local Connect image: plugin downloads are pinned by SHA-256", () => {
    it("downloads exactly the files of local/versions.ts, each with curl to a file (never piped into tar)", () => {
        const fetched = [...resolved.matchAll(/curl -fsSLO "([^"]+)"/g)].map((m) => m[1]);
        assert.deepEqual(fetched, connectPluginDownloads().map((d) => d.url));
        assert.doesNotMatch(resolved, /curl[^\n]*\|\s*tar/, "no download is extracted before it is checked");
        assert.doesNotMatch(resolved, /confluent-hub install[^\n]*"?confluentinc\/[\w-]+:/, "no install straight from Confluent Hub");
    });

    it("checks every file before installing any", () => {
        const check = resolved.indexOf("sha256sum --check --strict plugins.sha256");
        for (const install of ["confluent-hub install", "tar -xzf", "mv \"jmx_prometheus_javaagent"]) {
            assert.ok(resolved.indexOf(install) > check, `${install} runs after the checksum check`);
        }
        assert.match(dockerfile, /COPY plugins\.sha256 \/tmp\/plugins\/plugins\.sha256/);
    });

    it("the verification step passes pinned files and refuses an unpinned or altered one", () => {
        const files = Object.fromEntries(connectPluginDownloads().map((d) => [d.file, `content of ${d.file}`]));
        const pinned = checksumFile(Object.entries(files).map(([file, content]) => ({ file, sha256: sha(content) })));
        assert.equal(runVerification(files, pinned).code, 0);

        const unpinned = runVerification(files, pinned.split("\n").slice(1).join("\n"));
        assert.notEqual(unpinned.code, 0);
        assert.match(unpinned.stderr, /no pinned SHA-256 for .*: run npm run local:pin-plugins/);

        const [first] = Object.keys(files);
        const altered = runVerification({ ...files, [first]: "tampered" }, pinned);
        assert.notEqual(altered.code, 0);
        assert.match(altered.stderr + "", /WARNING|FAILED|did NOT match/i);

        assert.notEqual(runVerification(files, "").code, 0, "nothing pinned: the build stops");
    });

    it("every Maven Central artifact is pinned (npm run local:pin-plugins -- --maven-only resolves them through Maven); Confluent Hub archives may wait for a network that reaches the Hub", () => {
        const pinned = fs.readFileSync(path.join(DIR, "plugins.sha256"), "utf8");
        for (const d of connectPluginDownloads().filter((x) => x.maven)) assert.match(pinned, new RegExp(`^[0-9a-f]{64}  ${d.file.replace(/\./g, "\\.")}$`, "m"), `${d.file} (${d.maven}) is not pinned`);
    });

    it("plugins.sha256 lists only files the image downloads, in sha256sum's format", () => {
        const known = new Set(connectPluginDownloads().map((d) => d.file));
        for (const line of fs.readFileSync(path.join(DIR, "plugins.sha256"), "utf8").split("\n").filter(Boolean)) {
            const m = /^([0-9a-f]{64}) {2}(\S+)$/.exec(line);
            assert.ok(m, `malformed line: ${line}`);
            assert.ok(known.has(m[2]), `${m[2]} is not downloaded by the image`);
        }
    });
});
