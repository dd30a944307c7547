// The evidence pack (issue 25), end to end on a throwaway repository holding the program at two
// commits (prod: longer RDS backups on the protected instance, one new migration): the pack for
// --stack prod --against HEAD~1 built offline, validated against the committed schema, verified,
// tampered with in every way the verifier knows, completed after a (recorded) deploy, and its
// verdict on the first line of the page when a test, a policy or the e2e path fails.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { UsageError } from "../scripts/cliSupport";
import { offlinePlanOf, parseMochaReport } from "../scripts/checks/evidenceCollect";
import { EvidencePack, PACK_FILES, assemblePack, manifestOf, missing, present, renderMarkdown } from "../scripts/checks/evidencePack";
import { schemaText } from "../scripts/checks/evidenceSchema";
import { SCHEMA_PATH, checkAttestation, checkSchema, main, verifyPack } from "../scripts/evidence";
import { REPO_ROOT } from "./support/harness";
import { ThrowawayRepo, throwawayProgramRepo } from "./support/throwawayRepo";

const MIGRATION = "sql/mysql/lims/V900__evidence_test_index.sql";

describe("evidence pack", function () {
    this.timeout(180_000);
    let repo: string;
    let git: ThrowawayRepo["git"];
    let work: string;
    let head: string;
    let base: string;
    // offlinePlanOf evaluates each commit once per process, so building and verifying share evaluations.
    const planOf: typeof offlinePlanOf = offlinePlanOf;
    const output: string[] = [];
    const run = (...args: string[]) => main(["--dir", repo, ...args], planOf, async (t) => void output.push(t));
    const fixture = (name: string, content: unknown) => {
        const file = path.join(work, name);
        fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
        return file;
    };
    const readPack = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, PACK_FILES.json), "utf8")) as EvidencePack;
    const copyPack = (from: string, to: string) => {
        fs.cpSync(from, to, { recursive: true });
        return to;
    };
    /** Rewrites a pack's JSON and renews its manifest, as a forger who knows the format would. */
    const forge = (dir: string, edit: (p: EvidencePack) => EvidencePack) => {
        const pack = edit(readPack(dir));
        fs.writeFileSync(path.join(dir, PACK_FILES.json), `${JSON.stringify(pack, null, 2)}\n`);
        const files = [PACK_FILES.json, PACK_FILES.markdown, PACK_FILES.html, PACK_FILES.schema].map((name) => ({ name, content: fs.readFileSync(path.join(dir, name)) }));
        fs.writeFileSync(path.join(dir, PACK_FILES.manifest), manifestOf(files));
        return dir;
    };
    const mochaReport = (failures: number) => ({
        stats: { suites: 3, tests: 10, passes: 10 - failures, pending: 0, failures, duration: 1234 },
        tests: [],
        passes: [],
        pending: [],
        failures: Array.from({ length: failures }, (_, i) => ({ title: `t${i}`, fullTitle: `suite t${i}`, file: `${REPO_ROOT}/test/x.test.ts`, err: { message: `expected ${i}\nstack` } })),
    });
    const noGh = () => ({ ran: false, ok: false, detail: "the GitHub CLI (gh) is not installed" });

    let packDir: string;

    before(async () => {
        ({ dir: repo, git } = throwawayProgramRepo("lifesci-evidence-repo-", ["package-lock.json", "policy/package-lock.json"]));
        work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "lifesci-evidence-")));
        const prodYaml = path.join(repo, "Pulumi.prod.yaml");
        const prod = fs.readFileSync(prodYaml, "utf8");
        assert.ok(prod.includes("backupRetentionDays: 14"));
        fs.writeFileSync(prodYaml, prod.replace("backupRetentionDays: 14", "backupRetentionDays: 21"));
        fs.writeFileSync(path.join(repo, MIGRATION), "-- evidence test: a new migration file\nSELECT 1;\n");
        git("add", ".");
        git("commit", "-q", "-m", "prod keeps three weeks of backups");
        head = git("rev-parse", "HEAD");
        base = git("rev-parse", "HEAD~1");
        packDir = path.join(work, "pack");
        const code = await run("--stack", "prod", "--against", "HEAD~1", "--out", packDir, "--test-report", fixture("report.json", mochaReport(0)));
        assert.equal(code, 0, output.join("\n"));
    });

    after(() => {
        fs.rmSync(repo, { recursive: true, force: true });
        fs.rmSync(work, { recursive: true, force: true });
    });

    it("--stack prod --against HEAD~1, offline: valid against the committed schema, with the change, the protected resource and the migration", () => {
        const pack = readPack(packDir);
        assert.deepEqual(checkSchema(pack), { name: "schema", ok: true, detail: "valid against docs/evidence-pack.schema.json" });
        assert.deepEqual(fs.readdirSync(packDir).sort(), Object.values(PACK_FILES).sort());
        assert.equal(pack.identity.commit.status === "present" && pack.identity.commit.value.sha, head);
        assert.deepEqual(pack.changes.against, present("git", { ref: "HEAD~1", commit: base }));
        const plan = pack.changes.offlinePlan.status === "present" ? pack.changes.offlinePlan.value : assert.fail("no offline plan");
        const rds = plan.changed.find((c) => c.key === "aws:rds/instance:Instance::mysql-db");
        assert.deepEqual(rds?.paths, ["backupRetentionPeriod"]);
        assert.deepEqual(plan.protectedTouched.find((p) => p.key === "aws:rds/instance:Instance::mysql-db"), { key: "aws:rds/instance:Instance::mysql-db", how: "changed" });
        assert.deepEqual(pack.changes.migrations, present(`git diff --diff-filter=A ${base.slice(0, 12)} ${head.slice(0, 12)} -- sql/mysql`, [MIGRATION]));
        assert.equal(pack.testing.policies.status, "present");
        assert.equal(pack.testing.suite.status === "present" && pack.testing.suite.value.tests, 10);
        // What this offline run could not know is missing, with its source and why, never filled in.
        for (const fact of [pack.changes.savedPlan, pack.testing.e2e, pack.changes.schemas, pack.afterDeploy.up, pack.afterDeploy.drift, pack.identity.workflowRun, pack.identity.pullRequest]) {
            assert.equal(fact.status, "missing");
            assert.ok(fact.status === "missing" && fact.reason.length > 10 && fact.source.length > 2);
        }
        assert.equal(pack.verdict, "PASS", "e2e, schema:check and the saved plan are optional before the gate; tests, policies and the plan are there");
    });

    it("offline, the Kafka Streams app image digest is MISSING with its reason: the mock engine's invented digest is never evidence", () => {
        const pack = readPack(packDir);
        const images = pack.identity.streamsImages;
        assert.equal(images.status, "missing", JSON.stringify(images));
        assert.ok(images.status === "missing");
        assert.match(images.reason, /^known after the image build; see the saved plan \/ update \(built by docker-build:index:Image::streams-batch-release-image-image; /);
        assert.match(images.source, /^offline plan \(scripts\/plan\.ts mock engine/);
        const md = fs.readFileSync(path.join(packDir, PACK_FILES.markdown), "utf8");
        assert.match(md, /^\*\*Kafka Streams app images\*\*: MISSING — known after the image build; see the saved plan \/ update /m);
        // No file of the pack carries an image pinned by digest (the mock's are sha256:000…).
        for (const name of [PACK_FILES.json, PACK_FILES.markdown, PACK_FILES.html]) assert.doesNotMatch(fs.readFileSync(path.join(packDir, name), "utf8"), /@sha256:[0-9a-f]{64}/, name);
    });

    it("the page's first line is the headline; every section names its sources; missing facts read MISSING", () => {
        const md = fs.readFileSync(path.join(packDir, PACK_FILES.markdown), "utf8");
        const pack = readPack(packDir);
        assert.equal(md.split("\n")[0], pack.headline);
        assert.match(pack.headline, /^(PASS|INCOMPLETE): prod at [0-9a-f]{12} \(planned\)/);
        for (const section of ["## 1. Identity", "## 2. What changes", "## 3. How it was tested", "## 4. After deploy"]) assert.ok(md.includes(section), section);
        assert.match(md, /\*\*End-to-end data path \(npm run e2e\)\*\*: MISSING — /);
        assert.ok((md.match(/^_source: /gm) ?? []).length >= 20, "a source under every fact");
        assert.match(fs.readFileSync(path.join(packDir, PACK_FILES.html), "utf8"), new RegExp(`<title>${pack.headline.slice(0, 30).replace(/[()]/g, "\\$&")}`));
    });

    it("the committed schema is the generated one, and it rejects facts without a source, value or reason", () => {
        assert.equal(fs.readFileSync(SCHEMA_PATH, "utf8"), schemaText(), "docs/evidence-pack.schema.json is stale: npm run evidence -- --write-schema");
        const pack = readPack(packDir);
        const broken: [string, (p: any) => void][] = [
            ["present without value", (p) => delete p.testing.policies.value],
            ["missing without reason", (p) => delete p.testing.e2e.reason],
            ["a fact without source", (p) => delete p.identity.commit.source],
            ["an invented status", (p) => (p.testing.e2e.status = "assumed")],
            ["an unknown section", (p) => (p.notes = "trust me")],
            ["a headline without verdict", (p) => (p.headline = "prod looks fine")],
            ["a short commit", (p) => (p.identity.commit.value.sha = "abc123")],
        ];
        for (const [why, edit] of broken) {
            const copy = JSON.parse(JSON.stringify(pack));
            edit(copy);
            assert.equal(checkSchema(copy).ok, false, why);
        }
    });

    it("--verify: the untouched pack verifies (manifest, schema, verdict, no attestation claimed, commit and plan recomputed)", async () => {
        const checks = await verifyPack(packDir, { repo, runGh: noGh, offlinePlan: planOf });
        assert.deepEqual(checks.map((c) => [c.name, c.ok]), [["integrity", true], ["schema", true], ["verdict", true], ["attestation", true], ["commit", true], ["plan", true]], JSON.stringify(checks));
        assert.match(checks[3].detail, /none claimed .*nothing proves who made this pack/);
        // The command the deploy job runs before `up`: exit 0 only for a pack that verifies.
        assert.equal(await run("--verify", packDir), 0, output.slice(-1)[0]);
        assert.match(output.slice(-1)[0], /\nverified$/);
    });

    it("--verify fails a tampered pack: an edited file, an added file, a forged verdict, a forged plan, another commit", async () => {
        const edited = copyPack(packDir, path.join(work, "edited"));
        fs.appendFileSync(path.join(edited, PACK_FILES.markdown), "\nApproved by QA.\n");
        assert.deepEqual((await verifyPack(edited, { repo, runGh: noGh, offlinePlan: planOf })).map((c) => [c.name, c.ok]), [["integrity", false]]);
        // `npm run evidence -- --verify <dir>` (the step before `up`) exits 1 on it.
        assert.equal(await run("--verify", edited), 1);
        assert.match(output.slice(-1)[0], /^FAIL integrity: evidence\.md does not match its digest[^\n]*\nNOT verified$/);

        const added = copyPack(packDir, path.join(work, "added"));
        fs.writeFileSync(path.join(added, "extra.txt"), "x");
        assert.match((await verifyPack(added, { repo, offlinePlan: planOf }))[0].detail, /extra\.txt is not part of the pack/);

        // Two tests failed, but the headline still says PASS.
        const verdict = forge(copyPack(packDir, path.join(work, "verdict")), (p) => {
            assert.equal(p.verdict, "PASS");
            const suite = p.testing.suite.status === "present" ? p.testing.suite.value : assert.fail();
            return { ...p, testing: { ...p.testing, suite: { ...p.testing.suite, value: { ...suite, passes: 8, failures: 2 } } } };
        });
        const v = await verifyPack(verdict, { repo, runGh: noGh, offlinePlan: planOf });
        assert.equal(v.find((c) => c.name === "verdict")?.ok, false, JSON.stringify(v));

        const plan = forge(copyPack(packDir, path.join(work, "plan")), (p) => {
            const body = { ...p, changes: { ...p.changes, offlinePlan: present("offline plan", { added: [], deleted: [], changed: [], protectedTouched: [] }) } };
            const { headline: _h, verdict: _v, reasons: _r, ...rest } = body;
            return assemblePack(rest);
        });
        const p = await verifyPack(plan, { repo, runGh: noGh, offlinePlan: planOf });
        assert.deepEqual(p.filter((c) => !c.ok).map((c) => c.name), ["plan"]);
        assert.match(p.find((c) => c.name === "plan")!.detail, /offline plan diff differ/);

        const other = forge(copyPack(packDir, path.join(work, "other")), (pk) => ({ ...pk, identity: { ...pk.identity, commit: present("git", { sha: base, subject: "base", worktreeClean: true }) } }));
        const o = await verifyPack(other, { repo, runGh: noGh, offlinePlan: planOf });
        assert.ok(o.some((c) => !c.ok), "the pack of HEAD relabelled as HEAD~1 does not verify");
        assert.equal(await run("--verify", plan), 1, "a forged plan diff fails the command too");
    });

    it("attestation: a claimed one that cannot be checked fails unless --allow-unattested; a bad one fails; a workflow pack must claim one", () => {
        const pack = readPack(packDir);
        const claimed: EvidencePack = { ...pack, attestation: { expected: true, repository: "lifesci/lifesci-streaming", signerWorkflow: "lifesci/lifesci-streaming/.github/workflows/deploy.yml" } };
        const unchecked = checkAttestation(packDir, claimed, false, false, noGh);
        assert.equal(unchecked.ok, false);
        assert.match(unchecked.detail, /NOT CHECKED: the GitHub CLI \(gh\) is not installed.*--allow-unattested/);
        const allowed = checkAttestation(packDir, claimed, true, false, noGh);
        assert.equal(allowed.ok, true);
        assert.match(allowed.detail, /^NOT CHECKED/);
        let asked: string[] = [];
        const badSignature = (file: string, repository: string, signer: string) => ((asked = [file, repository, signer]), { ran: true, ok: false, detail: "no matching attestation" });
        assert.equal(checkAttestation(packDir, claimed, true, false, badSignature).ok, false, "--allow-unattested does not excuse a failed check");
        assert.deepEqual(asked, [path.join(packDir, PACK_FILES.manifest), "lifesci/lifesci-streaming", "lifesci/lifesci-streaming/.github/workflows/deploy.yml"]);
        const fromWorkflow: EvidencePack = { ...pack, identity: { ...pack.identity, workflowRun: present("env", { repository: "a/b", runId: "1", runAttempt: "1", workflowRef: "a/b/.github/workflows/deploy.yml@refs/heads/main", url: "u" }) } };
        assert.equal(checkAttestation(packDir, fromWorkflow, true, false, noGh).ok, false, "a workflow pack that stopped claiming its attestation");
        assert.equal(checkAttestation(packDir, pack, false, true, noGh).ok, false, "--require-attestation");
    });

    it("a failing test, a mandatory policy violation or a failed e2e hop says FAIL on the page's first line (and the build exits 1)", async () => {
        const failedTests = path.join(work, "failed-tests");
        const code = await run("--stack", "prod", "--against", "HEAD~1", "--out", failedTests, "--test-report", fixture("failing.json", mochaReport(2)));
        assert.equal(code, 1);
        const first = fs.readFileSync(path.join(failedTests, PACK_FILES.markdown), "utf8").split("\n")[0];
        assert.match(first, /^FAIL: prod at [0-9a-f]{12} \(planned\) — 2 of 10 tests failed/);
        assert.match(fs.readFileSync(path.join(failedTests, PACK_FILES.markdown), "utf8"), /- FAILED suite t1 \(test\/x\.test\.ts\): expected 1$/m);

        const tscDir = path.join(work, "failed-tsc");
        assert.equal(await run("--stack", "prod", "--out", tscDir, "--test-report", fixture("tsc.json", { ...mochaReport(0), npmTest: { typecheckExitCode: 2, "test:unitExitCode": 0 } })), 1);
        assert.match(fs.readFileSync(path.join(tscDir, PACK_FILES.markdown), "utf8").split("\n")[0], /^FAIL: .* — type check failed \(exit 2\)/);

        const e2eDir = path.join(work, "failed-e2e");
        const e2e = {
            ok: false,
            hops: [
                { name: "mariadb->kafka", ok: true, status: "passed", latencyMs: 800, detail: "" },
                { name: "kafka->postgres", ok: false, status: "failed", latencyMs: null, detail: "timeout" },
                { name: "ksqldb", ok: true, status: "not-run", detail: "ksqlDB is not served by Maven Central" },
            ],
            differences: [{ what: "database", local: "MySQL 8", e2e: "MariaDB", why: "Debian ships MariaDB" }],
        };
        assert.equal(await run("--stack", "prod", "--against", "HEAD~1", "--out", e2eDir, "--test-report", fixture("ok.json", mochaReport(0)), "--e2e", fixture("e2e.json", e2e)), 1);
        const e2ePage = fs.readFileSync(path.join(e2eDir, PACK_FILES.markdown), "utf8");
        assert.match(e2ePage.split("\n")[0], /^FAIL: .* — e2e failed \(kafka->postgres\)$/);
        assert.match(e2ePage, /^\| ksqldb \| NOT RUN \| — \| ksqlDB is not served by Maven Central \|$/m, "a hop that could not run is not shown as passed");
        assert.match(e2ePage, /^- database: local MySQL 8; e2e MariaDB; \(Debian ships MariaDB\)$/m);

        // A commit whose program breaks a mandatory policy (RDS storage unencrypted), evaluated like any other.
        const source = path.join(repo, "components/source/mysqlSource.ts");
        const program = fs.readFileSync(source, "utf8");
        assert.ok(program.includes("storageEncrypted: true,"));
        git("checkout", "-q", "-b", "unencrypted");
        try {
            fs.writeFileSync(source, program.replace("storageEncrypted: true,", "storageEncrypted: false,"));
            git("commit", "-q", "-am", "prod database unencrypted");
        } finally {
            git("checkout", "-q", "main");
        }
        const policyDir = path.join(work, "failed-policy");
        assert.equal(await run("--stack", "prod", "--commit", "unencrypted", "--against", "main", "--out", policyDir, "--test-report", fixture("ok-policy.json", mochaReport(0))), 1);
        const policyPage = fs.readFileSync(path.join(policyDir, PACK_FILES.markdown), "utf8");
        assert.match(policyPage.split("\n")[0], /^FAIL: prod at [0-9a-f]{12} \(planned\) — 1 mandatory policy violation\(s\)$/);
        assert.match(policyPage, /^- MANDATORY rds-storage-encrypted: /m);

        const pack = readPack(packDir);
        const { headline: _h, verdict: _v, reasons: _r, ...body } = pack;
        const policyFail = assemblePack({ ...body, testing: { ...body.testing, policies: present("offline plan", { checked: [{ policy: "rds-storage-encrypted", level: "mandatory" }], mandatory: [{ policy: "rds-storage-encrypted", message: "RDS storage must be encrypted" }], advisory: [] }) } });
        assert.match(renderMarkdown(policyFail).split("\n")[0], /^FAIL: prod at [0-9a-f]{12} \(planned\) — 1 mandatory policy violation\(s\)$/);
    });

    it("--complete adds the deploy's facts: PASS only with the saved plan, a succeeded update of this commit and no drift", async () => {
        const savedPlan = fixture("plan.json", { manifest: {}, resourcePlans: { "urn:pulumi:prod::lifesci-streaming::aws:rds/instance:Instance::mysql-db": { goal: {}, steps: ["update"] }, "urn:pulumi:prod::lifesci-streaming::x:y:Z::same": { goal: {}, steps: [] } } });
        const dir = path.join(work, "deployed");
        assert.equal(await run("--stack", "prod", "--against", "HEAD~1", "--out", dir, "--test-report", fixture("ok2.json", mochaReport(0)), "--saved-plan", savedPlan, "--require-pass"), 0, output.slice(-1)[0]);
        assert.equal(readPack(dir).verdict, "PASS");
        const history = [{ version: 42, result: "succeeded", environment: { "git.head": head }, startTime: "2026-12-03T10:00:00Z", endTime: "2026-12-03T10:04:00Z", resourceChanges: { update: 1, same: 300 } }];
        const drift = { steps: [{ op: "same", urn: "u1" }], changeSummary: { same: 301 } };
        const approvals = [{ state: "approved", comment: "reviewed the plan", user: { login: "qa-lead" }, environments: [{ name: "prod" }] }];
        assert.equal(await run("--complete", dir, "--up", fixture("up.json", history), "--drift", fixture("drift.json", drift), "--approvals", fixture("approvals.json", approvals), "--require-pass"), 0);
        const pack = readPack(dir);
        assert.equal(pack.stage, "deployed");
        assert.equal(pack.verdict, "PASS", pack.headline);
        assert.deepEqual(pack.identity.deploymentApprovals.status === "present" && pack.identity.deploymentApprovals.value, [{ reviewer: "qa-lead", state: "approved prod", comment: "reviewed the plan" }]);
        assert.equal(pack.changes.savedPlan.status === "present" && pack.changes.savedPlan.value.update.length, 1);
        assert.deepEqual((await verifyPack(dir, { repo, runGh: noGh, offlinePlan: planOf, savedPlan })).filter((c) => !c.ok), []);

        // The update ran another commit, or prod drifted: FAIL.
        const wrongHead = copyPack(dir, path.join(work, "wrong-head"));
        assert.equal(await run("--complete", wrongHead, "--up", fixture("up2.json", [{ ...history[0], environment: { "git.head": base } }]), "--drift", fixture("drift2.json", drift)), 1);
        assert.match(readPack(wrongHead).headline, /^FAIL: .*pulumi up ran [0-9a-f]{12}, not [0-9a-f]{12}/);
        const drifted = copyPack(dir, path.join(work, "drifted"));
        assert.equal(await run("--complete", drifted, "--up", fixture("up3.json", history), "--drift", fixture("drift3.json", { steps: [{ op: "update", urn: "urn:x" }], changeSummary: { update: 1, same: 300 } })), 1);
        assert.match(readPack(drifted).headline, /drift after deploy \(1 resource\(s\) differ\)/);

        // A tampered pack is not completed.
        fs.appendFileSync(path.join(drifted, PACK_FILES.markdown), "x");
        await assert.rejects(run("--complete", drifted, "--up", fixture("up4.json", history)), /--complete: .*evidence\.md does not match its digest/);
    });

    it("image digests come from real sources: the saved plan when it knows them, the update's stack outputs after up", async () => {
        const digest = (c: string) => `sha256:${c.repeat(64)}`;
        const repoUrl = "210987654321.dkr.ecr.eu-central-1.amazonaws.com/lifesci-prod/batch-release";
        const planned = `${repoUrl}:4f1c2d3e4f5a6b7c8d9e@${digest("a")}`;
        const ran = `${repoUrl}:5e6f7a8b9c0d1e2f3a4b@${digest("b")}`;
        const urn = (type: string, name: string) => `urn:pulumi:prod::lifesci-streaming::lifesci:platform:CloudPlatform$lifesci:streams:StreamsApps$lifesci:streams:StreamsApp$${type}::${name}`;
        const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"; // Pulumi's unknown value in a plan
        const planWith = (ref: string) => ({
            manifest: {},
            resourcePlans: {
                [urn("lifesci:streams:StreamsImage$docker-build:index:Image", "streams-batch-release-image-image")]: { goal: { type: "docker-build:index:Image", name: "streams-batch-release-image-image", custom: true }, steps: ["same"], state: { digest: ref.split("@")[1] ?? UNKNOWN, ref } },
                [urn("aws:ecs/taskDefinition:TaskDefinition", "streams-batch-release-task")]: { goal: { type: "aws:ecs/taskDefinition:TaskDefinition", name: "streams-batch-release-task", custom: true, inputDiff: {} }, steps: ["same"], state: { containerDefinitions: JSON.stringify([{ name: "batch-release", image: ref }]) } },
                [urn("aws:rds/instance:Instance", "mysql-db")]: { goal: {}, steps: ["update"] },
            },
        });
        const build = async (dir: string, ...extra: string[]) => {
            assert.equal(await run("--stack", "prod", "--against", "HEAD~1", "--out", dir, "--test-report", fixture("ok3.json", mochaReport(0)), ...extra), 0, output.slice(-1)[0]);
            return readPack(dir);
        };

        // The saved plan of an update that keeps the image: its digest is known before the gate.
        const known = await build(path.join(work, "img-known"), "--saved-plan", fixture("plan-known.json", planWith(planned)));
        assert.deepEqual(known.identity.streamsImages.status === "present" && known.identity.streamsImages.value, [
            { resource: "aws:ecs/taskDefinition:TaskDefinition::streams-batch-release-task", image: planned },
            { resource: "docker-build:index:Image::streams-batch-release-image-image", image: planned },
        ]);
        assert.match(known.identity.streamsImages.source, /^`pulumi preview --save-plan`: .*plan-known\.json/);
        assert.equal(checkSchema(known).ok, true);
        assert.match(fs.readFileSync(path.join(work, "img-known", PACK_FILES.markdown), "utf8"), new RegExp(`streams-batch-release-task: \`${planned.replace(/[.]/g, "\\.")}\``));

        // --verify with the saved plan recomputes those digests: a pack claiming another image does not verify.
        const knownPlan = path.join(work, "plan-known.json");
        assert.deepEqual((await verifyPack(path.join(work, "img-known"), { repo, runGh: noGh, offlinePlan: planOf, savedPlan: knownPlan })).filter((c) => !c.ok), []);
        const swapped = forge(copyPack(path.join(work, "img-known"), path.join(work, "img-swapped")), (p) => ({
            ...p,
            identity: { ...p.identity, streamsImages: present(p.identity.streamsImages.source, [{ resource: "docker-build:index:Image::streams-batch-release-image-image", image: ran }]) },
        }));
        assert.deepEqual((await verifyPack(swapped, { repo, runGh: noGh, offlinePlan: planOf, savedPlan: knownPlan })).filter((c) => !c.ok).map((c) => c.name), ["image digests"]);

        // An update that rebuilds the image: the plan holds Pulumi's unknown, so the fact stays missing until up.
        const rebuilt = path.join(work, "img-rebuilt");
        const pending = await build(rebuilt, "--saved-plan", fixture("plan-rebuilt.json", planWith(UNKNOWN)));
        assert.ok(pending.identity.streamsImages.status === "missing");
        assert.match(pending.identity.streamsImages.reason, /^known after the image build; see the saved plan \/ update: the saved plan holds no digest/);
        assert.equal(await run("--complete", rebuilt, "--stack-outputs", fixture("outputs.json", { lakeAuditBucket: "b", streamsImages: { batch_release: ran }, mysqlEndpoint: "[secret]" })), 0);
        const completed = readPack(rebuilt);
        assert.deepEqual(completed.identity.streamsImages.status === "present" && completed.identity.streamsImages.value, [{ resource: "stack output streamsImages.batch_release", image: ran }]);
        assert.match(completed.identity.streamsImages.source, /^`pulumi stack output --json` after the update: .*outputs\.json/);
        assert.equal(checkSchema(completed).ok, true);

        // Stack outputs that hide or lack the digest are shown as missing, naming the output; a bad file is an error.
        const hidden = path.join(work, "img-hidden");
        await build(hidden, "--saved-plan", fixture("plan-rebuilt2.json", planWith(UNKNOWN)));
        assert.equal(await run("--complete", hidden, "--stack-outputs", fixture("outputs-secret.json", { streamsImages: { batch_release: "[secret]" } })), 0);
        const h = readPack(hidden).identity.streamsImages;
        assert.ok(h.status === "missing");
        assert.match(h.reason, /not an image reference by digest: streamsImages\.batch_release is "\[secret\]"/);
        await assert.rejects(run("--complete", hidden, "--stack-outputs", fixture("outputs-bad.json", { streamsImages: ["x"] })), /--stack-outputs: .*outputs-bad\.json streamsImages is not an object/);
    });

    it("bad inputs fail with the option and the file named", async () => {
        await assert.rejects(run("--stack", "prod", "--test-report", fixture("not.json", "{oops")), (e: Error) => e instanceof UsageError && /--test-report: .*not\.json is not JSON/.test(e.message));
        await assert.rejects(run("--stack", "prod", "--e2e", fixture("e2e-bad.json", { hops: [] })), /--e2e: .*e2e-bad\.json is not e2e --json output/);
        await assert.rejects(run("--stack", "prod", "--saved-plan", fixture("plan-bad.json", { steps: [] })), /--saved-plan: .*plan-bad\.json is not a Pulumi update plan/);
        await assert.rejects(run("--stack", "prod", "--up", path.join(work, "nope.json")), /--up: cannot read .*nope\.json \(ENOENT\)/);
        await assert.rejects(run("--stack", "prod", "--against", "no-such-ref"), /--against: "no-such-ref" is not a commit/);
        await assert.rejects(run("--stack", "staging"), /--stack: no Pulumi\.staging\.yaml/);
        await assert.rejects(run("--verify", path.join(work, "nope")), /--verify: .* is not a directory/);
        await assert.rejects(run("--stack", "prod", "--bogus"), /unknown option '--bogus'/i);
    });

    it("npm test's reporter (TEST_REPORT=<file>) writes mocha's JSON report beside the spec output, and the pack reads it", () => {
        const spec = path.join(work, "tiny.spec.js");
        fs.writeFileSync(spec, 'it("passes", () => {});\nit("fails", () => { throw new Error("boom"); });\n');
        const report = path.join(work, "tiny-report.json");
        const result = spawnSync(process.execPath, [require.resolve("mocha/bin/mocha.js"), "--no-config", "--reporter", path.join(REPO_ROOT, "scripts/testReporter.js"), spec], {
            cwd: work,
            encoding: "utf8",
            env: { ...process.env, TEST_REPORT: report },
        });
        assert.equal(result.status, 1, result.stderr);
        assert.match(result.stdout, /1 passing/, "the console keeps the spec output");
        const suite = parseMochaReport("--test-report", report, JSON.parse(fs.readFileSync(report, "utf8")));
        assert.deepEqual([suite.tests, suite.passes, suite.failures], [2, 1, 1]);
        assert.deepEqual(suite.failing.map((f) => [f.title, f.error]), [["fails", "boom"]]);
    });

    it("a fact is either present with a value or missing with a reason (helpers)", () => {
        assert.deepEqual(missing("src", "why"), { status: "missing", source: "src", reason: "why" });
        assert.deepEqual(present("src", 1), { status: "present", source: "src", value: 1 });
    });
});
