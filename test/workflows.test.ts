// The GitHub workflows, parsed: required triggers, jobs and steps, actions pinned to commit
// SHAs, least-privilege permissions, and the stack list kept in step with the stack files.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { EVIDENCE_PREFIX } from "../components/sinks/evidenceArchive";
import { REPO_ROOT, readStackConfig } from "./support/harness";

const DIR = path.join(REPO_ROOT, ".github", "workflows");
/** Every workflow file in the directory: a new one (mutation.yml, ...) is checked like the others. */
const WORKFLOWS = fs.readdirSync(DIR).filter((f) => f.endsWith(".yml")).map((f) => f.slice(0, -4)).sort();

interface Step {
    name?: string;
    uses?: string;
    run?: string;
    if?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
}
interface Job {
    "runs-on": string | string[] | { group?: string; labels?: string | string[] };
    if?: string;
    outputs?: Record<string, string>;
    needs?: string | string[];
    environment?: string;
    permissions?: Record<string, string>;
    concurrency?: { group: string; "cancel-in-progress"?: boolean };
    strategy?: { matrix?: { stack?: string[] } };
    steps: Step[];
}
interface Workflow {
    on: Record<string, any>;
    permissions?: Record<string, string>;
    env?: Record<string, string>;
    jobs: Record<string, Job>;
}

const text = (name: string) => fs.readFileSync(path.join(DIR, `${name}.yml`), "utf8");
const load = (name: string) => YAML.parse(text(name)) as Workflow;
const runs = (job: Job) => job.steps.map((s) => s.run ?? "").join("\n");
const actionStep = (job: Job, action: string) => job.steps.filter((s) => s.uses?.startsWith(`${action}@`));
const stepNamed = (job: Job, name: string) => {
    const step = job.steps.find((s) => s.name === name);
    assert.ok(step, `no step named "${name}"`);
    return step;
};

/** The cloud stacks: every Pulumi.<stack>.yaml whose target is cloud. */
const CLOUD_STACKS = fs
    .readdirSync(REPO_ROOT)
    .map((f) => /^Pulumi\.(\w+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => !!s && readStackConfig(s).values["lifesci-streaming:target"] === "cloud")
    .sort();

/** Permissions a job may ask for, and why. */
const ALLOWED_PERMISSIONS: Record<string, string[]> = {
    contents: ["read"],
    "id-token": ["write"], // OIDC to AWS, and the evidence pack's attestation
    "pull-requests": ["write", "read"], // plan comment; the evidence pack's pull request and reviews
    issues: ["write"], // drift report
    attestations: ["write"], // the evidence pack's attestation
    actions: ["read"], // the evidence pack's deployment approvals
};

describe("workflows: every file", () => {
    it("the cloud stacks are dev and prod", () => assert.deepEqual(CLOUD_STACKS, ["dev", "prod"]));

    for (const name of WORKFLOWS) {
        it(`${name}.yml: parses, pins every action to a full commit SHA with its version in a comment`, () => {
            const wf = load(name);
            assert.ok(wf.jobs && Object.keys(wf.jobs).length > 0, `${name}.yml has no jobs`);
            const uses = text(name).split("\n").filter((l) => /^\s*(-\s+)?uses:/.test(l));
            assert.ok(uses.length > 0);
            for (const line of uses) {
                assert.match(line, /uses:\s+[\w.-]+\/[\w.-]+@[0-9a-f]{40}\s+#\s+v\d+\.\d+\.\d+\s*$/, `${name}.yml: not pinned to a SHA with a version comment: ${line.trim()}`);
            }
        });

        it(`${name}.yml: least-privilege permissions (workflow default read-only or none, each job explicit)`, () => {
            const wf = load(name);
            assert.ok(wf.permissions !== undefined, `${name}.yml: set a top-level permissions block`);
            for (const [scope, level] of Object.entries(wf.permissions)) {
                assert.deepEqual([scope, level], ["contents", "read"], `${name}.yml: top-level permission ${scope}: ${level}`);
            }
            assert.ok(!/write-all|read-all/.test(text(name)), `${name}.yml: no blanket permissions`);
            for (const [jobName, job] of Object.entries(wf.jobs)) {
                assert.ok(job.permissions, `${name}.yml job ${jobName}: declare its permissions`);
                for (const [scope, level] of Object.entries(job.permissions)) {
                    assert.ok(ALLOWED_PERMISSIONS[scope]?.includes(level), `${name}.yml job ${jobName}: permission ${scope}: ${level} is not allowed`);
                }
                const assumesRole = actionStep(job, "aws-actions/configure-aws-credentials").length > 0;
                const attests = actionStep(job, "actions/attest-build-provenance").length > 0;
                assert.equal(job.permissions["id-token"] === "write", assumesRole || attests, `${name}.yml job ${jobName}: id-token: write only with OIDC to AWS or to sign an attestation`);
                assert.equal(job.permissions.attestations === "write", attests, `${name}.yml job ${jobName}: attestations: write only to sign`);
                const comments = job.steps.some((s) => s.with?.["comment-on-pr"] === true || /gh api .*issues\/.*comments/.test(s.run ?? ""));
                assert.equal(job.permissions["pull-requests"] === "write", comments, `${name}.yml job ${jobName}: pull-requests: write only to comment`);
                for (const step of actionStep(job, "actions/checkout")) {
                    assert.equal(step.with?.["persist-credentials"], false, `${name}.yml job ${jobName}: checkout must not persist the token`);
                }
                for (const step of actionStep(job, "actions/setup-node")) assert.equal(String(step.with?.["node-version"]), "20");
            }
        });
    }
});

describe("workflows: ci", () => {
    it("runs on push and pull_request: installs MariaDB and promtool, npm ci (both packages), type check, tests, policy tests", () => {
        const wf = load("ci");
        assert.ok("push" in wf.on && "pull_request" in wf.on);
        const all = runs(wf.jobs.test);
        assert.match(all, /apt-get install .*mariadb-server.*prometheus/);
        assert.match(all, /npm ci --no-audit/);
        assert.match(all, /npm ci --prefix policy/);
        assert.match(all, /tsc --noEmit -p policy/);
        assert.match(all, /^npm test$/m, "npm test = tsc --noEmit + mocha");
        assert.match(all, /mocha .*test\/policy\.test\.ts/);
        assert.match(all, /^mvn -B -ntp -f streams\/batch-release\/pom\.xml test$/m, "the Kafka Streams app's tests");
        const java = actionStep(wf.jobs.test, "actions/setup-java");
        assert.equal(java.length, 1, "JDK 17 through setup-java");
        assert.deepEqual([String(java[0].with?.["java-version"]), java[0].with?.cache], ["17", "maven"], "JDK 17 with the Maven cache");
        assert.ok(!/secrets\./.test(text("ci")), "ci needs no secrets");
    });
});

describe("workflows: preview", () => {
    const wf = load("preview");
    it("every pull request (forks too) gets the offline plan of every cloud stack against the base, with no secrets and a read-only token", () => {
        const job = wf.jobs["offline-plan"];
        assert.equal(job.if, undefined, "prod is planned offline for every pull request");
        assert.deepEqual(job.permissions, { contents: "read" });
        const plan = stepNamed(job, "Offline plan of every cloud stack against the base branch");
        assert.match(plan.run!, new RegExp(`for STACK in ${CLOUD_STACKS.join(" ")}; do`), "every cloud stack");
        assert.match(plan.run!, /npm run --silent plan -- --stack "\$STACK" --against "\$BASE_SHA" > /);
        assert.match(plan.run!, /npm run --silent plan -- --stack "\$STACK" --against "\$BASE_SHA" --diff-only > "\$change"/, "the comment shows the change, not the inventory");
        assert.match(plan.run!, /\|\| status=1[\s\S]*exit \$status/, "a failing plan (mandatory policy) fails the job");
        assert.ok(!/secrets\./.test(YAML.stringify(job)), "the plan job must not reference secrets");
        assert.equal(actionStep(job, "actions/checkout")[0].with?.["fetch-depth"], 0, "--against needs the base commit");
    });

    it("posts the plan as one PR comment, edited in place, from a job that runs none of the branch's code", () => {
        const job = wf.jobs.comment;
        assert.equal(job.needs, "offline-plan");
        assert.deepEqual(job.permissions, { "pull-requests": "write" });
        assert.deepEqual(actionStep(job, "actions/checkout"), [], "no checkout of the pull request");
        assert.doesNotMatch(runs(job), /\bnpm\b|\bnode\b|\bnpx\b/, "runs nothing from the branch");
        const comment = stepNamed(job, "Post or update the plan comment");
        assert.match(comment.run!, /marker='<!-- lifesci-streaming:offline-plan -->'/);
        assert.match(comment.run!, /gh api -X PATCH "repos\/\$REPO\/issues\/comments\/\$id"/, "edits the existing comment");
        assert.match(comment.run!, /gh api -X POST "repos\/\$REPO\/issues\/\$PR\/comments"/, "or creates it once");
        assert.equal(comment.env?.PLAN, "${{ needs.offline-plan.outputs.comment }}");
        assert.match(String(job.if), /github\.event\.pull_request\.head\.repo\.full_name == github\.repository/, "forks have a read-only token");
        assert.equal(wf.jobs["offline-plan"].outputs?.comment, "${{ steps.plan.outputs.comment }}");
    });

    it("every pull request, forks included, runs schema:check against the base with prod's levels, without secrets", () => {
        const job = wf.jobs["schema-check"];
        assert.equal(job.if, undefined, "forks and same-repo pull requests alike");
        assert.deepEqual(job.permissions, { contents: "read" });
        assert.match(runs(job), /apt-get install -y --no-install-recommends mariadb-server/);
        assert.match(runs(job), /npm run --silent schema:check -- --stack prod --against "\$BASE_SHA"/);
        assert.match(runs(job), /set -o pipefail/, "a failing check must fail the job through the tee");
        assert.ok(!/secrets\./.test(YAML.stringify(job)), "no secrets");
        assert.equal(actionStep(job, "actions/checkout")[0].with?.["fetch-depth"], 0, "--against needs the base commit");
    });
});

describe("workflows: deploy", () => {
    const wf = load("deploy");
    it("on merge to main: up dev, then the prod plan, then prod behind the prod environment", () => {
        assert.deepEqual(wf.on.push, { branches: ["main"] });
        assert.deepEqual(Object.keys(wf.jobs).sort(), ["dev", "evidence-inputs", "prod", "prod-plan"]);
        assert.deepEqual(wf.jobs["prod-plan"].needs, ["dev", "evidence-inputs"]);
        assert.equal(wf.jobs.prod.needs, "prod-plan");
        for (const stack of CLOUD_STACKS) {
            const job = wf.jobs[stack];
            assert.equal(job.environment, stack, `${stack}: runs in the ${stack} GitHub environment (prod: required reviewers)`);
            assert.match(runs(job) + YAML.stringify(actionStep(job, "pulumi/actions")), /up/);
        }
        const [devUp] = actionStep(wf.jobs.dev, "pulumi/actions");
        assert.deepEqual([devUp.with?.command, devUp.with?.["stack-name"], devUp.with?.policyPacks], ["up", "dev", "policy"]);
    });

    it("one update per stack at a time, never cancelled midway; the prod plan holds the prod lock too", () => {
        for (const job of ["dev", "prod", "prod-plan"]) {
            assert.deepEqual(wf.jobs[job].concurrency, { group: `pulumi-${job === "dev" ? "dev" : "prod"}`, "cancel-in-progress": false }, job);
        }
    });
});

describe("workflows: prod approvers approve exactly what runs (issue 22, item 10)", () => {
    const wf = load("deploy");
    const plan = wf.jobs["prod-plan"];
    const prod = wf.jobs.prod;
    const stepIndex = (job: Job, pattern: RegExp) => job.steps.findIndex((s) => pattern.test(s.run ?? "") || pattern.test(s.name ?? ""));

    it("before the gate: pulumi preview --save-plan with the policy pack, shown in the run summary, its digest a job output", () => {
        assert.notEqual(plan.environment, "prod", "the plan job must run before the prod environment's reviewers");
        const preview = stepNamed(plan, "pulumi preview --save-plan (what the approvers approve)");
        assert.match(preview.run!, /pulumi preview --stack prod --save-plan prod-plan\/plan\.json --policy-pack policy/);
        assert.match(preview.run!, /set -o pipefail/);
        assert.match(preview.run!, /GITHUB_STEP_SUMMARY/, "the approvers see the plan");
        assert.match(preview.run!, /plan-sha256=\$\(sha256sum prod-plan\/plan\.json/);
        assert.equal(plan.outputs?.["plan-sha256"], "${{ steps.preview.outputs.plan-sha256 }}");
        const upload = actionStep(plan, "actions/upload-artifact")[0];
        assert.deepEqual([upload.with?.name, upload.with?.path, upload.with?.["if-no-files-found"]], ["prod-plan", "prod-plan/\nevidence/\n", "error"]);
    });

    it("after the gate: pulumi up --plan on that file, only after its digest matched the one shown", () => {
        assert.equal(prod.environment, "prod");
        const download = prod.steps.findIndex((s) => s.uses?.startsWith("actions/download-artifact@"));
        const check = stepIndex(prod, /^The plan is the one shown before the gate$/);
        const up = stepIndex(prod, /pulumi up\b/);
        assert.ok(download >= 0 && check > download && up > check, "download, digest check, then up");
        assert.equal(prod.steps[check].env?.EXPECTED, "${{ needs.prod-plan.outputs.plan-sha256 }}");
        assert.match(prod.steps[check].run!, /exit 1/);
        assert.equal(prod.steps[check].if, undefined, "the check cannot be skipped");
        assert.match(prod.steps[up].run!, /pulumi up --stack prod --plan prod-plan\/plan\.json --policy-pack policy --yes/);
        for (const [i, step] of prod.steps.entries()) {
            if (i <= check) assert.ok(!("continue-on-error" in step), `step ${step.name ?? step.uses} before the check must not continue on error`);
        }
        assert.deepEqual(actionStep(prod, "pulumi/actions").map((s) => s.with?.command), [undefined], "prod's pulumi/actions only installs the CLI");
        assert.ok(!/pulumi up(?![^\n]*--plan)/.test(runs(prod)), "every prod up runs with --plan");
    });
});

describe("workflows: every prod deploy leaves a signed evidence pack (issue 25)", () => {
    const wf = load("deploy");
    const plan = wf.jobs["prod-plan"];
    const prod = wf.jobs.prod;
    const index = (job: Job, name: string) => job.steps.indexOf(stepNamed(job, name));
    const upIndex = prod.steps.findIndex((s) => /pulumi up\b/.test(s.run ?? ""));

    it("evidence-inputs: the suite writes its JSON report, schema:check and e2e their --json, all kept for the pack, without secrets", () => {
        const job = wf.jobs["evidence-inputs"];
        assert.equal(stepNamed(job, "npm test (JSON report)").env?.TEST_REPORT, "evidence-inputs/test-report.json");
        assert.match(stepNamed(job, "npm test (JSON report)").run!, /npm test$/);
        assert.match(runs(job), /schema:check -- --stack prod --against "\$BEFORE" --json > evidence-inputs\/schema-check\.json/);
        assert.match(runs(job), /npm run --silent e2e -- --json > evidence-inputs\/e2e\.json/);
        const keep = stepNamed(job, "Keep the results for the evidence pack");
        assert.deepEqual([keep.if, keep.with?.name, keep.with?.path], ["always()", "evidence-inputs", "evidence-inputs/"]);
        assert.deepEqual(job.permissions, { contents: "read" });
        assert.deepEqual([...secretsOf(job)], []);
    });

    it("prod cannot proceed without a pack: built before the gate with --require-pass, verified (signature, commit, plan) before up", () => {
        const build = stepNamed(plan, "Build the evidence pack (before the gate, from the saved plan)");
        assert.ok(index(plan, "Build the evidence pack (before the gate, from the saved plan)") > index(plan, "pulumi preview --save-plan (what the approvers approve)"), "from the saved plan");
        assert.match(build.run!, /args=\(--stack prod --saved-plan prod-plan\/plan\.json --out evidence --attest-expected --require-pass\)/);
        assert.match(build.run!, /npm run --silent evidence -- "\$\{args\[@\]\}" \|\| status=\$\?[\s\S]*GITHUB_STEP_SUMMARY[\s\S]*exit \$status\s*$/, "the approvers see the page; a pack that does not PASS fails the job");
        for (const input of ["test-report", "e2e", "schema-check", "pull-request"]) assert.match(build.run!, new RegExp(`\\b${input}\\b`), input);
        assert.equal(build.if, undefined);
        assert.ok(!plan.steps.some((s) => "continue-on-error" in s), "prod-plan fails when its pack fails");
        assert.match(String(stepNamed(plan, "Keep the saved plan and the pack for the approved job").with?.path), /evidence\//);
        assert.equal(stepNamed(plan, "Keep the saved plan and the pack for the approved job").if, "always()", "a pack that does not PASS is still uploaded for the run's reviewers");
        assert.equal(prod.needs, "prod-plan");

        const verify = stepNamed(prod, "No evidence pack, no deploy (signed, intact, this commit, this plan)");
        assert.equal(verify.run, "npm run --silent evidence -- --verify evidence --saved-plan prod-plan/plan.json");
        assert.equal(verify.if, undefined, "the check cannot be skipped");
        assert.ok(index(prod, "No evidence pack, no deploy (signed, intact, this commit, this plan)") < upIndex);
        assert.ok(!prod.steps.slice(0, upIndex).some((s) => "continue-on-error" in s || s.if !== undefined), "nothing before up is optional");
    });

    it("the pack is signed with a pinned actions/attest-build-provenance over OIDC, before the gate and after the deploy", () => {
        for (const [job, name] of [[plan, "Sign the evidence pack the approvers see"], [prod, "Sign the evidence pack"]] as const) {
            const sign = stepNamed(job, name);
            assert.match(sign.uses!, /^actions\/attest-build-provenance@[0-9a-f]{40}$/);
            assert.equal(sign.with?.["subject-path"], "evidence/*");
            assert.match(String(sign.if), /^always\(\)/);
            assert.deepEqual([job.permissions?.["id-token"], job.permissions?.attestations], ["write", "write"]);
        }
        assert.ok(index(prod, "Sign the evidence pack") > index(prod, "Complete the evidence pack"), "the completed pack is what is signed");
    });

    it("after up the pack is completed, uploaded and archived even when up or the completion failed", () => {
        const after = prod.steps.slice(upIndex + 1);
        assert.ok(after.length >= 5);
        for (const step of after) {
            assert.match(String(step.if), /^always\(\)/, `${step.name}: runs even when an earlier step failed`);
            assert.ok(!("continue-on-error" in step), `${step.name}`);
        }
        const complete = stepNamed(prod, "Complete the evidence pack");
        assert.match(complete.run!, /args=\(--complete evidence --require-pass\)/);
        for (const input of ["up", "drift", "approvals", "stack-outputs"]) assert.match(complete.run!, new RegExp(`\\b${input}\\b`));
        // The image digests come from the real update's outputs; secrets stay masked (no --show-secrets on this line).
        assert.match(runs(prod), /^pulumi stack output --stack prod --json > after-deploy\/stack-outputs\.json /m);
        assert.match(runs(prod), /pulumi refresh --stack prod --preview-only --json/, "the drift check after the update");
        assert.match(runs(prod), /pulumi stack history --stack prod --json --page-size 1 > after-deploy\/up\.json/);
        const upload = stepNamed(prod, "Upload the evidence pack");
        assert.match(upload.uses!, /^actions\/upload-artifact@[0-9a-f]{40}$/);
        assert.deepEqual([upload.if, upload.with?.path, upload.with?.["if-no-files-found"]], ["always()", "evidence/", "error"]);
        const archive = stepNamed(prod, "Archive the evidence pack (audit archive, Object Lock)");
        assert.equal(archive.if, "always()");
        assert.match(archive.run!, /bucket=\$\(pulumi stack output lakeAuditBucket --stack prod\)/);
        assert.match(archive.run!, new RegExp(`prefix="${EVIDENCE_PREFIX}/prod/`), "its own prefix in the archive, the one the bucket policy opens");
        assert.match(archive.run!, /aws s3 cp evidence "s3:\/\/\$bucket\/\$prefix\/" --recursive --checksum-algorithm SHA256\n/, "Object Lock needs a checksum");
        // The writer holds kms:GenerateDataKey on the archive key, not the kms:Decrypt of a multipart upload.
        assert.match(archive.run!, /aws configure set default\.s3\.multipart_threshold 5GB\n(.*\n)*aws s3 cp evidence/);
        assert.doesNotMatch(archive.run!, /--object-lock-/, "the bucket's default retention (10 years in prod) applies; the writer may not set its own");
        assert.match(archive.run!, /get-object-retention/, "the run summary shows the lock");
        assert.equal(prod.permissions?.actions, "read", "reads the deployment approvals");
    });
});

describe("workflows: drift", () => {
    const wf = load("drift");
    it("nightly refresh --preview-only --expect-no-changes per cloud stack, sharing the deploy lock", () => {
        assert.ok(Array.isArray(wf.on.schedule) && /^\S+ \S+ \* \* \*$/.test(wf.on.schedule[0].cron), "a daily cron");
        const job = wf.jobs.drift;
        assert.deepEqual([...(job.strategy?.matrix?.stack ?? [])].sort(), CLOUD_STACKS);
        assert.match(runs(job), /pulumi refresh --stack "\$STACK" --preview-only --expect-no-changes/);
        assert.match(runs(job), /set -o pipefail/, "tee must not hide the refresh's exit code");
        assert.deepEqual(job.concurrency, { group: "pulumi-${{ matrix.stack }}", "cancel-in-progress": false });
    });

    it("reports drift: a failure() step writes the summary and opens or updates an issue", () => {
        const report = wf.jobs.drift.steps.find((s) => s.if === "failure()");
        assert.ok(report, "a step that runs on failure");
        assert.match(report.run ?? "", /GITHUB_STEP_SUMMARY/);
        assert.match(report.run ?? "", /gh issue (create|comment)/);
        assert.equal(wf.jobs.drift.permissions?.issues, "write");
    });
});

describe("workflows: mutation", () => {
    it("weekly (and on demand) runs npm run mutation, which fails under the target, with no secrets", () => {
        const wf = load("mutation");
        assert.ok(Array.isArray(wf.on.schedule) && /^\S+ \S+ \* \* [0-6]$/.test(wf.on.schedule[0].cron), "a weekly cron");
        assert.ok("workflow_dispatch" in wf.on);
        assert.match(runs(wf.jobs.mutation), /^npm run mutation$/m);
        assert.match(runs(wf.jobs.mutation), /npm ci --prefix policy/);
        assert.ok(!/secrets\./.test(text("mutation")), "mutation testing needs no secrets");
    });
});

describe("workflows: one type check per change", () => {
    it("every workflow that runs Pulumi runs the program transpile-only (ci.yml type-checks it once)", () => {
        for (const name of ["deploy", "drift"] as const) {
            assert.equal(load(name).env?.PULUMI_NODEJS_TRANSPILE_ONLY, "true", `${name}.yml`);
        }
        assert.match(runs(Object.values(load("ci").jobs)[0]), /npm test/);
    });
});

// ---- the trust boundary: what a pull request can and cannot get ----------------------------------

const ALL = WORKFLOWS.map((name) => ({ name, wf: load(name) }));
/** Triggers whose jobs run code or input a branch author controls. */
const UNTRUSTED_TRIGGERS = ["pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment", "issue_comment", "workflow_run", "merge_group"];
const triggeredByPullRequest = (wf: Workflow) => UNTRUSTED_TRIGGERS.some((t) => t in wf.on);
/** `secrets.X` names a job references (GITHUB_TOKEN is the run's own token). */
const secretsOf = (job: Job) =>
    new Set([...YAML.stringify(job).matchAll(/secrets\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]).filter((s) => s !== "GITHUB_TOKEN"));
const jobsOf = (names: readonly string[]) => ALL.filter((w) => names.includes(w.name)).flatMap(({ name, wf }) => Object.entries(wf.jobs).map(([jobName, job]) => ({ where: `${name}.yml job ${jobName}`, job })));
/** Runs the Pulumi CLI (the action, or the command in a script). */
const runsPulumi = (job: Job) => actionStep(job, "pulumi/actions").length > 0 || /(^|[\s;&|(])pulumi\s+[a-z]/m.test(runs(job));
const SDK_VERSION: string = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).dependencies["@pulumi/pulumi"];

describe("workflows: pull requests hold no credential (issue 22, item 7)", () => {
    const prJobs = ALL.filter(({ wf }) => triggeredByPullRequest(wf)).flatMap(({ name, wf }) =>
        Object.entries(wf.jobs).map(([jobName, job]) => ({ where: `${name}.yml job ${jobName}`, job })),
    );

    it("no workflow uses pull_request_target (it runs with the base repository's secrets)", () => {
        for (const { name, wf } of ALL) assert.ok(!("pull_request_target" in wf.on), `${name}.yml`);
    });

    it("no pull-request job has a GitHub environment, a secret, an OIDC token or the Pulumi CLI: nothing it could print", () => {
        assert.ok(prJobs.length >= 3);
        for (const { where, job } of prJobs) {
            assert.equal(job.environment, undefined, `${where}: environment ${job.environment}`);
            assert.deepEqual([...secretsOf(job)], [], `${where}: reads secrets`);
            assert.notEqual(job.permissions?.["id-token"], "write", `${where}: can mint cloud credentials`);
            assert.ok(!runsPulumi(job), `${where}: runs the Pulumi CLI (it would need a token that decrypts a stack)`);
            assert.doesNotMatch(YAML.stringify(job), /PULUMI_ACCESS_TOKEN|PULUMI_CONFIG_PASSPHRASE|AWS_SECRET_ACCESS_KEY|CONFLUENT_CLOUD_API/, `${where}: a credential variable`);
            assert.match(String(job["runs-on"]), /^ubuntu-\d/, `${where}: pull requests run on GitHub-hosted runners, never on the in-VPC runners`);
        }
    });

    it("deploy credentials only in the deploy environments, plan and drift credentials only in theirs (never a repository secret)", () => {
        const allowed: Record<string, RegExp> = { dev: /^DEPLOY_/, prod: /^DEPLOY_/, "prod-plan": /^PLAN_/, "dev-drift": /^DRIFT_/, "prod-drift": /^DRIFT_/, "${{ matrix.stack }}-drift": /^DRIFT_/ };
        let checked = 0;
        for (const { name, wf } of ALL) {
            for (const [jobName, job] of Object.entries(wf.jobs)) {
                for (const secret of secretsOf(job)) {
                    const env = job.environment;
                    assert.ok(env, `${name}.yml job ${jobName}: secrets.${secret} without an environment is a repository secret any branch can read`);
                    assert.match(secret, allowed[env] ?? /^$/, `${name}.yml job ${jobName}: secrets.${secret} in environment ${env}`);
                    checked++;
                }
            }
        }
        assert.ok(checked >= 10, `checked ${checked} secret references`);
        const deploy = load("deploy");
        assert.deepEqual(CLOUD_STACKS.map((s) => deploy.jobs[s].environment), CLOUD_STACKS);
    });

    it("no stack file holds a Confluent Cloud API key: the deploy key comes only from the deploy environment", () => {
        for (const stack of CLOUD_STACKS) {
            const keys = Object.keys(readStackConfig(stack).values);
            assert.deepEqual(keys.filter((k) => k.startsWith("confluentcloud:cloudApi")), [], `Pulumi.${stack}.yaml`);
        }
    });

    it("the docs never advise an organisation-wide Confluent key or a Confluent key in stack config", () => {
        for (const file of ["README.md", "docs/runbook.md"]) {
            const doc = fs.readFileSync(path.join(REPO_ROOT, file), "utf8");
            assert.doesNotMatch(doc, /config set --secret confluentcloud:cloudApi/, `${file}: a Confluent key in stack config is readable by whoever can decrypt the stack`);
            assert.doesNotMatch(doc, /service account with OrganizationAdmin/, `${file}: the deploy key must not be organisation-wide`);
        }
    });

    it("jobs that can mint cloud credentials (id-token: write) install without lifecycle scripts", () => {
        let checked = 0;
        for (const { name, wf } of ALL) {
            for (const [jobName, job] of Object.entries(wf.jobs)) {
                if (job.permissions?.["id-token"] !== "write") continue;
                const installs = runs(job).split(/&&|\n/).map((c) => c.trim()).filter((c) => /^npm (ci|install|i)\b/.test(c));
                assert.ok(installs.length > 0, `${name}.yml job ${jobName}: expected an npm install`);
                for (const install of installs) {
                    assert.match(install, /--ignore-scripts/, `${name}.yml job ${jobName}: "${install}" runs install scripts with id-token: write`);
                    checked++;
                }
            }
        }
        assert.ok(checked >= 4, `checked ${checked} installs`);
    });
});

// ---- self-hosted runners: only main's deploy.yml and drift.yml (issue 22, item 6) ---------------

const GITHUB_HOSTED = /^(ubuntu|windows|macos)-[\w.]+$/;
/** The runner groups each workflow may use; GitHub's group settings restrict them the same way (README "Self-hosted runners"). */
const RUNNER_GROUPS: Record<string, string[]> = {
    deploy: ["lifesci-dev-deploy", "lifesci-prod-deploy"],
    drift: ["lifesci-${{ matrix.stack }}-drift"],
};
const TRUSTED_TRIGGERS = new Set(["push", "schedule", "workflow_dispatch"]);

/** Why a job could reach a self-hosted runner without the guards; [] when it cannot, or has all of them. */
function selfHostedProblems(file: string, wf: Workflow): string[] {
    const problems: string[] = [];
    for (const [jobName, job] of Object.entries(wf.jobs)) {
        const runsOn = job["runs-on"];
        if (typeof runsOn === "string" && GITHUB_HOSTED.test(runsOn)) continue;
        const where = `${file}.yml job ${jobName}`;
        const groups = RUNNER_GROUPS[file];
        if (!groups) {
            problems.push(`${where}: runs-on ${JSON.stringify(runsOn)} is not a GitHub-hosted runner, and only deploy.yml and drift.yml may use self-hosted runners`);
            continue;
        }
        if (typeof runsOn !== "object" || Array.isArray(runsOn) || !runsOn.group || !groups.includes(runsOn.group)) {
            problems.push(`${where}: runs-on must name one of its runner groups (${groups.join(", ")}), not labels or an expression: ${JSON.stringify(runsOn)}`);
        }
        const guard = String(job.if ?? "");
        const conjuncts = guard.split("&&").map((c) => c.trim());
        if (/\|\||!/.test(guard.replace(/!=/g, "")) || !conjuncts.includes("github.ref == 'refs/heads/main'")) {
            problems.push(`${where}: needs the job guard github.ref == 'refs/heads/main' (and only conjunctions), got "${guard}"`);
        }
        if (!conjuncts.includes(`github.workflow_ref == format('{0}/.github/workflows/${file}.yml@refs/heads/main', github.repository)`)) {
            problems.push(`${where}: needs the job guard on github.workflow_ref (${file}.yml@refs/heads/main)`);
        }
        const untrusted = Object.keys(wf.on).filter((t) => !TRUSTED_TRIGGERS.has(t));
        if (untrusted.length > 0) problems.push(`${where}: ${file}.yml is triggered by ${untrusted.join(", ")}`);
        if (wf.on.push && JSON.stringify(wf.on.push) !== JSON.stringify({ branches: ["main"] })) problems.push(`${where}: push must be limited to main`);
        if (!job.environment) problems.push(`${where}: a self-hosted job runs in a GitHub environment (deployment branch main)`);
    }
    return problems;
}

describe("workflows: self-hosted runners cannot be borrowed (issue 22, item 6)", () => {
    it("no job in any workflow can reach a self-hosted runner without the runner group and the main-only guards", () => {
        assert.deepEqual(ALL.flatMap(({ name, wf }) => selfHostedProblems(name, wf)), []);
        const selfHosted = ALL.flatMap(({ wf }) => Object.values(wf.jobs)).filter((j) => typeof j["runs-on"] !== "string");
        assert.ok(selfHosted.length >= 4, "deploy dev, prod plan, prod and drift run in the VPC");
    });

    it("the check fails for each way a branch could borrow the runner", () => {
        const guard = (file: string) => `github.ref == 'refs/heads/main' && github.workflow_ref == format('{0}/.github/workflows/${file}.yml@refs/heads/main', github.repository)`;
        const job = (over: Partial<Job>): Job => ({ "runs-on": { group: "lifesci-prod-deploy" }, if: guard("deploy"), environment: "prod", steps: [], ...over });
        const wf = (on: Record<string, unknown>, j: Job): Workflow => ({ on, jobs: { x: j } });
        const push = { push: { branches: ["main"] } };
        assert.deepEqual(selfHostedProblems("deploy", wf(push, job({}))), [], "the good shape passes");
        const bad: [string, string, Workflow][] = [
            ["ci on a label", "ci", wf({ push: {}, pull_request: {} }, job({ "runs-on": ["self-hosted", "prod"], if: undefined }))],
            ["ci on the group", "ci", wf(push, job({}))],
            ["a runner variable", "deploy", wf(push, job({ "runs-on": "${{ vars.PROD_DEPLOY_RUNNER }}" }))],
            ["a label next to the group", "deploy", wf(push, job({ "runs-on": ["self-hosted", "lifesci-prod-deploy"] }))],
            ["no guard", "deploy", wf(push, job({ if: undefined }))],
            ["ref guard only", "deploy", wf(push, job({ if: "github.ref == 'refs/heads/main'" }))],
            ["guard that can be bypassed", "deploy", wf(push, job({ if: `${guard("deploy")} || github.event_name == 'workflow_dispatch'` }))],
            ["guard naming another workflow", "drift", wf({ schedule: [] }, job({ "runs-on": { group: "lifesci-${{ matrix.stack }}-drift" } }))],
            ["pull request trigger", "deploy", wf({ ...push, pull_request: {} }, job({}))],
            ["push from any branch", "deploy", wf({ push: {} }, job({}))],
            ["no environment", "deploy", wf(push, job({ environment: undefined }))],
        ];
        for (const [why, file, w] of bad) assert.notDeepEqual(selfHostedProblems(file, w), [], why);
    });

    it("drift runs on its own runner groups, never on a deploy runner", () => {
        assert.deepEqual(load("drift").jobs.drift["runs-on"], { group: "lifesci-${{ matrix.stack }}-drift" });
        const deployGroups = Object.values(load("deploy").jobs).flatMap((j) => (typeof j["runs-on"] === "object" && !Array.isArray(j["runs-on"]) ? [j["runs-on"].group] : []));
        assert.deepEqual([...new Set(deployGroups)].sort(), ["lifesci-dev-deploy", "lifesci-prod-deploy"]);
    });

    it("the README documents every runner group's GitHub settings: restricted to its workflow on refs/heads/main, ephemeral JIT runners", () => {
        const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
        const section = readme.split(/^## /m).find((s) => s.startsWith("Self-hosted runners"));
        assert.ok(section, 'README section "Self-hosted runners"');
        const expected = [
            ...RUNNER_GROUPS.deploy.map((g) => [g, "deploy.yml"]),
            ...CLOUD_STACKS.map((s) => [RUNNER_GROUPS.drift[0].replace("${{ matrix.stack }}", s), "drift.yml"]),
        ];
        for (const [group, file] of expected) {
            assert.match(section, new RegExp(`\\| \`${group}\` \\| \`<org>/<repo>/\\.github/workflows/${file.replace(".", "\\.")}@refs/heads/main\` \\|`), `${group} -> ${file}`);
        }
        assert.match(section, /ephemeral/i);
        assert.match(section, /just-in-time|JIT/);
        assert.match(section, /Allow public repositories.*off|public repositories: off/i);
    });
});

// ---- the Pulumi CLI is pinned (issue 22, item 14) ------------------------------------------------

describe("workflows: every job that runs Pulumi pins the CLI to the SDK's version", () => {
    it(`pulumi/actions installs pulumi-version ${SDK_VERSION} (package.json @pulumi/pulumi) before any pulumi command`, () => {
        let jobs = 0;
        for (const { name, wf } of ALL) {
            for (const [jobName, job] of Object.entries(wf.jobs)) {
                if (!runsPulumi(job)) continue;
                jobs++;
                const installs = actionStep(job, "pulumi/actions");
                assert.ok(installs.length > 0, `${name}.yml job ${jobName}: runs pulumi without installing a pinned CLI`);
                for (const step of installs) assert.equal(String(step.with?.["pulumi-version"]), SDK_VERSION, `${name}.yml job ${jobName}: pulumi-version`);
                const firstInstall = job.steps.indexOf(installs[0]);
                const firstRun = job.steps.findIndex((s) => /(^|[\s;&|(])pulumi\s+[a-z]/m.test(s.run ?? ""));
                if (firstRun >= 0) assert.ok(firstInstall < firstRun, `${name}.yml job ${jobName}: the CLI is installed after it is used`);
            }
        }
        assert.ok(jobs >= 4, `checked ${jobs} jobs`);
    });
});

describe("workflows: no step opens the network to reach the database", () => {
    it("no workflow changes a security group, a route or a database's public access", () => {
        for (const { name } of ALL) {
            assert.doesNotMatch(text(name), /authorize-security-group|revoke-security-group|modify-db-instance|publicly-accessible|create-route\b/, `${name}.yml`);
        }
    });
});
