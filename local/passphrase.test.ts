// Issue 22, item 14: the local state passphrase comes from the environment or a generated,
// git-ignored, owner-only file; no constant passphrase is left in the repository.
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LOCAL_PASSPHRASE_FILE, localPassphraseEnv } from "./passphrase";

const ROOT = path.join(__dirname, "..");

describe("local state passphrase", () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifesci-passphrase-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("the environment wins (a passphrase, or a file of the operator's)", () => {
        assert.deepEqual(localPassphraseEnv(dir, { PULUMI_CONFIG_PASSPHRASE: "from-env" }), { PULUMI_CONFIG_PASSPHRASE: "from-env" });
        assert.deepEqual(localPassphraseEnv(dir, { PULUMI_CONFIG_PASSPHRASE_FILE: "/secure/pp" }), { PULUMI_CONFIG_PASSPHRASE_FILE: "/secure/pp" });
        assert.ok(!fs.existsSync(path.join(dir, LOCAL_PASSPHRASE_FILE)), "nothing generated when the environment provides one");
    });

    it("otherwise one random passphrase is generated into .pulumi/, owner-only, and reused", () => {
        const first = localPassphraseEnv(dir, {});
        const file = path.join(dir, LOCAL_PASSPHRASE_FILE);
        assert.deepEqual(first, { PULUMI_CONFIG_PASSPHRASE_FILE: file });
        const value = fs.readFileSync(file, "utf8");
        assert.ok(value.length >= 40, "32 random bytes");
        assert.equal(fs.statSync(file).mode & 0o777, 0o600);
        assert.deepEqual(localPassphraseEnv(dir, {}), first);
        assert.equal(fs.readFileSync(file, "utf8"), value, "never regenerated: it protects existing state");
        const other = fs.mkdtempSync(path.join(os.tmpdir(), "lifesci-passphrase-"));
        try {
            localPassphraseEnv(other, {});
            assert.notEqual(fs.readFileSync(path.join(other, LOCAL_PASSPHRASE_FILE), "utf8"), value, "random per checkout");
        } finally {
            fs.rmSync(other, { recursive: true, force: true });
        }
    });

    it("the generated file is git-ignored, and no constant passphrase is left in scripts/local.ts", () => {
        execFileSync("git", ["-C", ROOT, "check-ignore", "-q", LOCAL_PASSPHRASE_FILE]); // throws when not ignored
        const script = fs.readFileSync(path.join(ROOT, "scripts", "local.ts"), "utf8");
        assert.ok(!/PULUMI_CONFIG_PASSPHRASE\s*\?\?\s*["']/.test(script) && !script.includes("lifesci-local-only"), "a constant fallback passphrase");
        assert.match(script, /localPassphraseEnv\(ROOT\)/);
    });
});

// Issue 22, item 14 (local images): a tag that can move is pulled by digest.
import { IMAGES, IMAGE_DIGESTS, MOVABLE_TAG_IMAGES, imageReference } from "./versions";

describe("local images pinned by digest where the tag can move", () => {
    it("every movable-tag image has a sha256 digest and is pulled as <tag>@<digest>", () => {
        for (const key of MOVABLE_TAG_IMAGES) {
            assert.match(IMAGE_DIGESTS[key] ?? "", /^sha256:[0-9a-f]{64}$/, `${key} has no digest`);
            assert.equal(imageReference(key), `${IMAGES[key]}@${IMAGE_DIGESTS[key]}`);
        }
        // The official library images are the ones rebuilt under the same tag: they must be in the list.
        assert.ok((MOVABLE_TAG_IMAGES as readonly string[]).includes("mysql") && (MOVABLE_TAG_IMAGES as readonly string[]).includes("postgres"));
        assert.equal(imageReference("minio"), IMAGES.minio, "release tags stay plain");
    });
});
