// The offline plan: inventory with masked secrets and the pure diff. `--against` end to end (the
// plan CLI as a process on a throwaway git repository) is in planAgainst.integration.test.ts.
import { strict as assert } from "assert";
import { DOMAINS, KSQL_APPS } from "../components/catalog";
import { ksqlStatementSpecs, loadKsqlApp } from "../components/ksql";
import { SECRET_MASK, Inventory, InventoryEntry, diffInventories, inventoryOf, renderDiff, renderInventory } from "../scripts/inventory";
import { ksqlAppPlans, renderKsqlPlans, renderPlan } from "../scripts/plan";
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

    it("a plan against a revision shows the change first; --diff-only leaves the inventory out", () => {
        const result = { inventory: after, violations: [], against: { ref: "main", diff: diffInventories(before, after), ksql: [] } };
        const full = renderPlan(result);
        assert.ok(full.startsWith(`${renderDiff(result.against.diff, "main")}\n\nksqlDB app changes against main: none\n\npolicies: all passed\n\n`), full);
        assert.ok(full.endsWith(renderInventory(after)));
        assert.equal(renderPlan(result, { diffOnly: true }), `${renderDiff(result.against.diff, "main")}\n\nksqlDB app changes against main: none\n\npolicies: all passed`);
        // Without a revision there is no change to show: the inventory and the policies.
        assert.equal(renderPlan({ inventory: after, violations: [] }), `${renderInventory(after)}\n\npolicies: all passed`);
    });
});

describe("plan: what a ksqlDB app change does to its outputs", () => {
    const deployment = (app: string, edit: (sql: string) => string = (sql) => sql, allowReplay = false): InventoryEntry => {
        const statements = ksqlStatementSpecs(loadKsqlApp(KSQL_APPS.find((a) => a.name === app)!, { topicPrefix: "lifesci", orderStuckSlaMinutes: 240 }), "lifesci", {
            partitions: 6,
            retentionHours: 168,
            auditRetentionDays: 365,
        });
        return entry("pulumi-nodejs:dynamic:Resource", `ksqldb-app-${app}`, { app, statements: statements.map((s) => ({ ...s, sql: edit(s.sql) })), allowReplay });
    };

    it("a join change in the lab app is a predicted refusal: rebuilt, and the alerting stream starts at latest", () => {
        const before: Inventory = { stack: "prod", resources: [deployment("lab_validation"), deployment("audit_trail")] };
        const after: Inventory = {
            stack: "prod",
            resources: [deployment("lab_validation", (sql) => sql.replace("r.after->analyst AS analyst,", "")), deployment("audit_trail")],
        };
        assert.equal(
            renderKsqlPlans(ksqlAppPlans(before, after), "main"),
            [
                "ksqlDB app changes against main:",
                "  lab_validation: query LAB_RESULTS_OOS: rebuild (ksqlDB does not upgrade a joined query in place): starts at the latest offset: " +
                    "skips changes of lims.test_results, ksql.lab_spec_limits between stop and start (no replay into ksql.lab_results_oos (alerting, warehouse)); " +
                    "the gap is recorded in lastRebuilds",
            ].join("\n"),
        );
        assert.equal(renderKsqlPlans(ksqlAppPlans(before, before), "main"), "ksqlDB app changes against main: none");
    });

    it("with the app allowed to replay, the plan says how much history goes where", () => {
        const before: Inventory = { stack: "dev", resources: [deployment("lab_validation")] };
        const after: Inventory = { stack: "dev", resources: [deployment("lab_validation", (sql) => sql.replace("r.after->analyst AS analyst,", ""), true)] };
        const [plan] = ksqlAppPlans(before, after);
        assert.match(plan.changes[0].effect, /^starts at the earliest offset: replays 168 h of lims\.test_results, 168 h of ksql\.lab_spec_limits into ksql\.lab_results_oos \(alerting, warehouse\) \(allowed by ksqldb\.allowReplay\)$/);
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

    // `plan --against` evaluates the tree twice in one process: the second evaluation must not see
    // the first one's traces (the fake ids were a process-wide counter, so a prod zone id changed).
    for (const stack of ["dev", "prod", "local"]) {
        it(`${stack}: the tree planned against itself shows no change, and every fake id depends only on its URN`, async () => {
            const first = await runStack(stack);
            const second = await runStack(stack, { fresh: true });
            assert.deepEqual(diffInventories(inventoryOf(first), inventoryOf(second)), { added: [], removed: [], changed: [] });
            const ids = (run: typeof first) => Object.fromEntries(run.resources.filter((r) => r.id).map((r) => [r.urn, r.id]));
            assert.deepEqual(ids(second), ids(first));
            assert.ok(Object.keys(ids(first)).length > 10, "custom resources carry ids");
        });
    }

    it("ids are shown by resource name in the inventory", async () => {
        assert.ok(JSON.stringify(inventoryOf(await runStack("dev"))).includes("<lake-raw.id>"));
    });
});
