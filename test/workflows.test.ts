// The GitHub workflows, parsed: required triggers, jobs and steps, actions pinned to commit
// SHAs, least-privilege permissions, and the stack list kept in step with the stack files.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { REPO_ROOT, readStackConfig } from "./support/harness";

const DIR = path.join(REPO_ROOT, ".github", "workflows");
const WORKFLOWS = ["ci", "preview", "deploy", "drift"] as const;

interface Step {
    name?: string;
    uses?: string;
    run?: string;
    if?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
}
interface Job {
    "runs-on": string;
    if?: string;
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

/** The cloud stacks: every Pulumi.<stack>.yaml whose target is cloud. */
const CLOUD_STACKS = fs
    .readdirSync(REPO_ROOT)
    .map((f) => /^Pulumi\.(\w+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => !!s && readStackConfig(s).values["lifesci-streaming:target"] === "cloud")
    .sort();

/** Permissions a job may ask for, and why. */
const ALLOWED_PERMISSIONS: Record<string, string[]> = {
    contents: ["read"],
    "id-token": ["write"], // OIDC to AWS
    "pull-requests": ["write"], // preview comment
    issues: ["write"], // drift report
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
                assert.equal(job.permissions["id-token"] === "write", assumesRole, `${name}.yml job ${jobName}: id-token: write only with OIDC to AWS`);
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
    it("previews dev with the policy pack and posts one PR comment, edited in place", () => {
        assert.ok("pull_request" in wf.on);
        const job = wf.jobs["preview-dev"];
        const previews = actionStep(job, "pulumi/actions");
        assert.deepEqual(previews.map((p) => p.with?.["stack-name"]), ["dev"]);
        for (const pulumi of previews) {
            assert.equal(pulumi.with?.command, "preview");
            assert.equal(pulumi.with?.policyPacks, "policy");
            assert.equal(pulumi.with?.["comment-on-pr"], false, "the comment is posted once, below");
            assert.equal((pulumi as Step & { "continue-on-error"?: boolean })["continue-on-error"], true, "a failed preview still gets reported");
        }
        const comment = job.steps.find((s) => s.name === "Post or update the preview comment")!;
        assert.ok(comment, "a step posts the comment");
        assert.match(comment.run!, /marker='<!-- lifesci-streaming:pulumi-preview -->'/);
        assert.match(comment.run!, /gh api -X PATCH "repos\/\$REPO\/issues\/comments\/\$id"/, "edits the existing comment");
        assert.match(comment.run!, /gh api -X POST "repos\/\$REPO\/issues\/\$PR\/comments"/, "or creates it once");
        assert.ok(comment.env?.DEV_OUTPUT, "dev output in the comment");
        const gate = job.steps[job.steps.length - 1];
        assert.match(String(gate.if), /steps\.preview-dev\.outcome != 'success'/);
        assert.match(String(gate.run), /exit 1/);
        assert.match(runs(job), /npm ci --prefix policy/);
        assert.equal(job.if, "github.event.pull_request.head.repo.full_name == github.repository", "forks get no secrets");
    });

    it("every pull request (forks too) gets the offline plan of every cloud stack, with no secrets and read-only permissions", () => {
        const job = wf.jobs["offline-plan"];
        assert.equal(job.if, undefined, "prod is planned offline for every pull request");
        assert.deepEqual(job.permissions, { contents: "read" });
        assert.deepEqual([...(job.strategy?.matrix?.stack ?? [])].sort(), CLOUD_STACKS);
        assert.match(runs(job), /npm run --silent plan -- --stack "\$STACK" --against "\$BASE_SHA"/);
        assert.ok(!/secrets\./.test(YAML.stringify(job)), "the plan job must not reference secrets");
        assert.equal(actionStep(job, "actions/checkout")[0].with?.["fetch-depth"], 0, "--against needs the base commit");
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
    it("on merge to main: up dev, then prod after dev, behind the prod environment", () => {
        assert.deepEqual(wf.on.push, { branches: ["main"] });
        assert.deepEqual(Object.keys(wf.jobs), CLOUD_STACKS);
        assert.equal(wf.jobs.prod.needs, "dev");
        for (const stack of CLOUD_STACKS) {
            const job = wf.jobs[stack];
            assert.equal(job.environment, stack, `${stack}: runs in the ${stack} GitHub environment (prod: required reviewers)`);
            const [pulumi] = actionStep(job, "pulumi/actions");
            assert.deepEqual([pulumi.with?.command, pulumi.with?.["stack-name"], pulumi.with?.policyPacks], ["up", stack, "policy"]);
            assert.equal(job["runs-on"], `\${{ vars.${stack.toUpperCase()}_DEPLOY_RUNNER }}`, `${stack}: runs on the runner inside the stack's VPC`);
        }
    });

    it("one update per stack at a time, never cancelled midway", () => {
        for (const stack of CLOUD_STACKS) {
            assert.deepEqual(wf.jobs[stack].concurrency, { group: `pulumi-${stack}`, "cancel-in-progress": false });
        }
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

describe("workflows: one type check per change", () => {
    it("every workflow that runs Pulumi runs the program transpile-only (ci.yml type-checks it once)", () => {
        for (const name of ["preview", "deploy", "drift"] as const) {
            assert.equal(load(name).env?.PULUMI_NODEJS_TRANSPILE_ONLY, "true", `${name}.yml`);
        }
        assert.match(runs(Object.values(load("ci").jobs)[0]), /npm test/);
    });
});

// ---- the trust boundary: what a pull request can and cannot get ----------------------------------

const ALL = WORKFLOWS.map((name) => ({ name, wf: load(name) }));
const triggeredByPullRequest = (wf: Workflow) => "pull_request" in wf.on || "pull_request_target" in wf.on;
/** `secrets.X` names a job references (GITHUB_TOKEN is the run's own token). */
const secretsOf = (job: Job) =>
    new Set([...YAML.stringify(job).matchAll(/secrets\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]).filter((s) => s !== "GITHUB_TOKEN"));
const jobsOf = (names: readonly string[]) => ALL.filter((w) => names.includes(w.name)).flatMap(({ name, wf }) => Object.entries(wf.jobs).map(([jobName, job]) => ({ where: `${name}.yml job ${jobName}`, job })));

describe("workflows: pull requests cannot reach prod or deploy credentials", () => {
    const prJobs = ALL.filter(({ wf }) => triggeredByPullRequest(wf)).flatMap(({ name, wf }) =>
        Object.entries(wf.jobs).map(([jobName, job]) => ({ where: `${name}.yml job ${jobName}`, job })),
    );
    const deployJobs = jobsOf(["deploy", "drift"]);

    it("no workflow uses pull_request_target (it runs with the base repository's secrets)", () => {
        for (const { name, wf } of ALL) assert.ok(!("pull_request_target" in wf.on), `${name}.yml`);
    });

    it("no pull-request job uses a GitHub environment that deploy or drift use, or one of their secrets", () => {
        assert.ok(prJobs.length > 0);
        const deployEnvironments = new Set(deployJobs.map((j) => j.job.environment).filter(Boolean));
        const deploySecrets = new Set(deployJobs.flatMap((j) => [...secretsOf(j.job)]));
        assert.ok(deploySecrets.size > 0, "deploy and drift read their credentials from secrets");
        for (const { where, job } of prJobs) {
            if (job.environment) assert.ok(!deployEnvironments.has(job.environment), `${where}: environment ${job.environment} is a deploy environment`);
            for (const secret of secretsOf(job)) assert.ok(!deploySecrets.has(secret), `${where}: secrets.${secret} is also a deploy/drift credential`);
            // A secret outside an environment would come from the repository, where any branch can read it.
            if (secretsOf(job).size > 0) assert.ok(job.environment, `${where}: secrets only from a GitHub environment, never repository secrets`);
        }
    });

    it("deploy and drift take every secret from an environment (never a repository secret)", () => {
        for (const { where, job } of deployJobs) {
            if (secretsOf(job).size > 0) assert.ok(job.environment, `${where}: uses secrets without an environment`);
        }
        const deploy = load("deploy");
        assert.deepEqual(CLOUD_STACKS.map((s) => deploy.jobs[s].environment), CLOUD_STACKS);
    });

    it("no pull-request job previews, plans against or runs on prod's private network", () => {
        for (const { where, job } of prJobs) {
            for (const step of actionStep(job, "pulumi/actions")) {
                assert.notEqual(step.with?.["stack-name"], "prod", `${where}: a pull request must not preview prod with credentials`);
            }
            assert.ok(!/pulumi\s+(preview|up|refresh|destroy)\b.*(-s|--stack)\s+"?prod/.test(runs(job)), `${where}: runs pulumi on prod`);
            assert.match(String(job["runs-on"]), /^ubuntu-\d/, `${where}: pull requests run on GitHub-hosted runners, never on the in-VPC runners`);
        }
    });

    it("prod deploy and prod drift run on the runner inside the VPC, named by a repository variable", () => {
        assert.equal(load("deploy").jobs.prod["runs-on"], "${{ vars.PROD_DEPLOY_RUNNER }}");
        assert.match(load("drift").jobs.drift["runs-on"], /matrix\.stack == 'prod' && vars\.PROD_DEPLOY_RUNNER/);
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

describe("workflows: no step opens the network to reach the database", () => {
    it("no workflow changes a security group, a route or a database's public access", () => {
        for (const { name } of ALL) {
            assert.doesNotMatch(text(name), /authorize-security-group|revoke-security-group|modify-db-instance|publicly-accessible|create-route\b/, `${name}.yml`);
        }
    });
});
