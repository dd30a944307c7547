// The offline plan: inventory with masked secrets, the pure diff, and `--against` end to end on
// a throwaway git repository with two revisions of the program.
import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SECRET_MASK, Inventory, InventoryEntry, diffInventories, inventoryOf, renderDiff, renderInventory } from "../scripts/inventory";
import { PROGRAM_PATHS, REPO_ROOT, runStack } from "./support/harness";

const entry = (type: string, name: string, inputs: Record<string, unknown>, protect = false): InventoryEntry => ({
    key: `${type}::${name}`,
    type,
    name,
    custom: true,
    protect,
    inputs,
});

describe("plan: diff of two inventories", () => {
    const before: Inventory = {
        stack: "prod",
        resources: [
            entry("aws:rds/instance:Instance", "mysql-db", { backupRetentionPeriod: 7, tags: { tier: "prod" }, password: SECRET_MASK }, true),
            entry("confluentcloud:index/kafkaTopic:KafkaTopic", "topic-old", { partitionsCount: 6 }),
            entry("aws:s3/bucket:Bucket", "lake-raw", { bucket: "raw" }, true),
        ],
    };
    const after: Inventory = {
        stack: "prod",
        resources: [
            entry("aws:rds/instance:Instance", "mysql-db", { backupRetentionPeriod: 14, tags: { tier: "prod" }, password: SECRET_MASK }, true),
            entry("confluentcloud:index/kafkaTopic:KafkaTopic", "topic-new", { partitionsCount: 6 }),
            entry("aws:s3/bucket:Bucket", "lake-raw", { bucket: "raw" }, false),
        ],
    };

    it("lists added, removed and changed resources with the changed input paths", () => {
        const diff = diffInventories(before, after);
        assert.deepEqual(diff.added, ["confluentcloud:index/kafkaTopic:KafkaTopic::topic-new"]);
        assert.deepEqual(diff.removed, ["confluentcloud:index/kafkaTopic:KafkaTopic::topic-old"]);
        assert.deepEqual(diff.changed, [
            { key: "aws:rds/instance:Instance::mysql-db", paths: ["backupRetentionPeriod"], protectChanged: false },
            { key: "aws:s3/bucket:Bucket::lake-raw", paths: [], protectChanged: true },
        ]);
    });

    it("renders the diff as + / - / ~ lines with the changed paths", () => {
        assert.equal(
            renderDiff(diffInventories(before, after), "main"),
            [
                "changes against main: 1 added, 1 removed, 2 changed",
                "  + confluentcloud:index/kafkaTopic:KafkaTopic::topic-new",
                "  - confluentcloud:index/kafkaTopic:KafkaTopic::topic-old",
                "  ~ aws:rds/instance:Instance::mysql-db: backupRetentionPeriod",
                "  ~ aws:s3/bucket:Bucket::lake-raw: (protect)",
            ].join("\n"),
        );
    });

    it("an inventory compared with itself has no changes", () => {
        assert.deepEqual(diffInventories(after, after), { added: [], removed: [], changed: [] });
    });
});

describe("plan: inventory of a stack", () => {
    it("prod: groups by component and type, shows key settings, masks every secret", async () => {
        const run = await runStack("prod");
        const inventory = inventoryOf(run);
        const text = renderInventory(inventory) + JSON.stringify(inventory);
        for (const leak of ["mock-secret-for-", "mock-generated-password", "MOCKPRIVATEKEY", "mock-api-secret", "MOCKPKCS1"]) {
            assert.ok(!text.includes(leak), `inventory shows a secret value (${leak})`);
        }
        const db = inventory.resources.find((r) => r.type === "aws:rds/instance:Instance");
        assert.equal(db?.inputs.password, SECRET_MASK);
        const mysqlGroup = renderInventory(inventory).split("\n\n").find((g) => g.startsWith("lifesci:mysql:MySqlSource  mysql\n"));
        assert.ok(mysqlGroup, "a group for the MySQL source component");
        assert.match(mysqlGroup, /\n {2}aws:rds\/instance:Instance \(1\)\n {4}mysql-db \[protected\] .*backupRetentionPeriod=14.*password=\[secret\]/);
        assert.ok(!JSON.stringify(inventory).includes("__provider"), "dynamic provider code is not part of the inventory");
    });

    it("ids are shown by resource name, so two evaluations give the same inventory", async () => {
        const a = inventoryOf(await runStack("dev"));
        const b = inventoryOf(await runStack("dev", { fresh: true }));
        assert.deepEqual(diffInventories(a, b), { added: [], removed: [], changed: [] });
        assert.ok(JSON.stringify(a).includes("<lake-raw.id>"));
    });
});

describe("plan: --against a git revision, end to end", function () {
    this.timeout(90_000);
    let repo: string;

    before(() => {
        // A throwaway repository holding the program at two revisions: prod-like backups in dev.
        repo = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "lifesci-plan-test-")));
        const files = execFileSync("git", ["-C", REPO_ROOT, "ls-files", "Pulumi.*.yaml", ...PROGRAM_PATHS], { encoding: "utf8" })
            .split("\n")
            .filter(Boolean);
        for (const f of files) {
            fs.mkdirSync(path.dirname(path.join(repo, f)), { recursive: true });
            fs.copyFileSync(path.join(REPO_ROOT, f), path.join(repo, f));
        }
        fs.writeFileSync(path.join(repo, ".gitignore"), "node_modules\n");
        fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(repo, "node_modules"), "dir");
        const git = (...args: string[]) => execFileSync("git", ["-C", repo, "-c", "user.name=test", "-c", "user.email=test@example.com", ...args], { stdio: "pipe" });
        git("init", "-q");
        git("add", ".");
        git("commit", "-q", "-m", "base");
        const devYaml = path.join(repo, "Pulumi.dev.yaml");
        fs.writeFileSync(devYaml, fs.readFileSync(devYaml, "utf8").replace("backupRetentionDays: 1", "backupRetentionDays: 7"));
        git("commit", "-q", "-am", "dev keeps a week of backups");
    });

    after(() => fs.rmSync(repo, { recursive: true, force: true }));

    it("npm run plan -- --stack dev --against HEAD~1 --json reports the changed RDS setting only", () => {
        const result = spawnSync(
            process.execPath,
            ["-r", "ts-node/register", path.join(REPO_ROOT, "scripts/plan.ts"), "--stack", "dev", "--json", "--against", "HEAD~1", "--dir", repo],
            { cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
        );
        assert.equal(result.status, 0, result.stderr);
        const plan = JSON.parse(result.stdout);
        assert.equal(plan.against.ref, "HEAD~1");
        assert.deepEqual(plan.against.diff, {
            added: [],
            removed: [],
            changed: [{ key: "aws:rds/instance:Instance::mysql-db", paths: ["backupRetentionPeriod"], protectChanged: false }],
        });
        assert.deepEqual(plan.violations, []);
        assert.ok(plan.inventory.resources.length > 100);
        assert.ok(!result.stdout.includes("mock-secret-for-"), "no secret stand-in in the JSON plan");
    });

    it("an unknown ref fails with a message naming it", () => {
        const result = spawnSync(
            process.execPath,
            ["-r", "ts-node/register", path.join(REPO_ROOT, "scripts/plan.ts"), "--stack", "dev", "--against", "no-such-ref", "--dir", repo],
            { cwd: REPO_ROOT, encoding: "utf8" },
        );
        assert.equal(result.status, 2);
        assert.match(result.stderr, /--against: "no-such-ref" is not a commit/);
    });
});
