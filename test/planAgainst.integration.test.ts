// `npm run plan -- --against <ref>` end to end: the plan CLI as a process on a throwaway git
// repository holding the program at two revisions (integration tier: it starts the CLI and
// evaluates the stack twice).
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { DOMAINS } from "../components/catalog";
import { REPO_ROOT } from "./support/harness";
import { ThrowawayRepo, throwawayProgramRepo } from "./support/throwawayRepo";

describe("plan: --against a git revision, end to end", function () {
    this.timeout(90_000);
    let repo: string;

    before(() => {
        // A throwaway repository holding the program at two revisions: prod-like backups in dev.
        let git: ThrowawayRepo["git"];
        ({ dir: repo, git } = throwawayProgramRepo("lifesci-plan-test-", [], { linkNodeModules: true }));
        const devYaml = path.join(repo, "Pulumi.dev.yaml");
        fs.writeFileSync(devYaml, fs.readFileSync(devYaml, "utf8").replace("backupRetentionDays: 1", "backupRetentionDays: 7"));
        // One ksqlDB app changed too: the audit trail's INSERT INTO template.
        const auditSql = path.join(repo, "sql/ksqldb/audit_trail.sql");
        const audit = fs.readFileSync(auditSql, "utf8");
        assert.ok(audit.includes("op AS op,"));
        fs.writeFileSync(auditSql, audit.replace("op AS op,", "UCASE(op) AS op,"));
        git("commit", "-q", "-am", "dev keeps a week of backups; audit operations in upper case");
    });

    after(() => fs.rmSync(repo, { recursive: true, force: true }));

    it("npm run plan -- --stack dev --against HEAD~1 --json reports the changed RDS setting and what the audit app change does", () => {
        const result = spawnSync(
            process.execPath,
            ["-r", "ts-node/register", path.join(REPO_ROOT, "scripts/plan.ts"), "--stack", "dev", "--json", "--against", "HEAD~1", "--dir", repo],
            { cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
        );
        assert.equal(result.status, 0, result.stderr);
        const plan = JSON.parse(result.stdout);
        assert.equal(plan.against.ref, "HEAD~1");
        assert.deepEqual(plan.against.diff.added, []);
        assert.deepEqual(plan.against.diff.removed, []);
        assert.deepEqual(
            plan.against.diff.changed.map((c: { key: string }) => c.key),
            ["aws:rds/instance:Instance::mysql-db", "pulumi-nodejs:dynamic:Resource::ksqldb-app-audit_trail"],
        );
        assert.deepEqual(plan.against.diff.changed[0].paths, ["backupRetentionPeriod"]);
        // Every captured table's audit INSERT changed: each is rebuilt at the latest offset, nothing replayed into the archive.
        assert.deepEqual(plan.against.ksql.map((p: { app: string }) => p.app), ["audit_trail"]);
        const changes = plan.against.ksql[0].changes;
        assert.equal(changes.length, DOMAINS.reduce((n, d) => n + d.tables.length, 0), "one INSERT per captured table");
        for (const change of changes) {
            assert.equal(change.action, "rebuild");
            assert.equal(change.reason, "INSERT INTO has no in-place upgrade");
            assert.equal(change.start, "latest");
        }
        const testResults = changes.find((c: { statement: string }) => c.statement === "INSERT AUDIT_CDC_CHANGES FROM AUDIT_LIMS_TEST_RESULTS_CDC");
        assert.match(testResults.effect, /^starts at the latest offset: skips changes of lims\.test_results between stop and start \(no replay into audit\.cdc_changes \(immutable-archive\)\)/);
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
