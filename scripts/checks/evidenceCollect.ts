// Gathers the facts of an evidence pack from where they live: git, the offline plan of the commit
// (scripts/plan.ts's mock engine), the lock files of that commit, and the machine-readable outputs
// of the other tools (mocha's JSON report, `npm run e2e -- --json`, `schema:check --json`, the saved
// Pulumi update plan, `pulumi stack history --json`, `pulumi refresh --preview-only --json`, the
// GitHub API). A file that is not given is a missing fact; a file that is given but unreadable is
// an error naming the option and the file.
import { execFileSync } from "child_process";
import * as fs from "fs";
import { POLICIES, checkResources } from "../../policy/rules";
import { UsageError } from "../cliSupport";
import { Inventory, InventoryEntry, diffInventories, inventoryOf, inventoryPolicySubjects } from "../inventory";
import { REPO_ROOT, runStack } from "../mockEngine";
import { checkoutRevision, ksqlAppPlans } from "../plan";
import {
    Approval,
    DriftResult,
    E2eResults,
    EvidencePack,
    Fact,
    KsqlEffect,
    OfflinePlanDiff,
    PolicyResults,
    SavedPlanSummary,
    SchemaVerdict,
    SuiteResults,
    UpSummary,
    canonicalJson,
    missing,
    present,
    sha256,
} from "./evidencePack";

export const git = (repo: string, args: string[]) => execFileSync("git", ["-C", repo, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();

/** The full SHA of a ref, or a UsageError naming the option. */
export function resolveCommit(repo: string, ref: string, option: string): string {
    try {
        return git(repo, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
    } catch {
        throw new UsageError(`${option}: "${ref}" is not a commit in ${repo}`);
    }
}

// ---------------------------------------------------------------------------------------------
// The offline plan of a commit, against another

export interface OfflinePlanFacts {
    inventorySha256: string;
    diff?: OfflinePlanDiff;
    ksql?: KsqlEffect[];
    policies: PolicyResults;
    inventory: Inventory;
}

type CommitPlan = { inventory: Inventory; policies: PolicyResults };
/** A commit's content never changes: one evaluation per (repository, commit, stack) per process. */
const evaluated = new Map<string, Promise<CommitPlan>>();

function inventoryAt(repo: string, commit: string, stack: string): Promise<CommitPlan> {
    const key = JSON.stringify([repo, commit, stack]);
    let result = evaluated.get(key);
    if (!result) {
        result = evaluateCommit(repo, commit, stack);
        result.catch(() => evaluated.delete(key));
        evaluated.set(key, result);
    }
    return result;
}

async function evaluateCommit(repo: string, commit: string, stack: string): Promise<CommitPlan> {
    const revision = checkoutRevision(repo, commit);
    try {
        const run = await runStack(stack, { programDir: revision.dir, fresh: true });
        const violations = checkResources(inventoryPolicySubjects(run));
        const pick = (level: string) => violations.filter((v) => v.level === level).map((v) => ({ policy: v.policy, message: v.message, ...(v.urn ? { urn: v.urn } : {}) }));
        return {
            inventory: inventoryOf(run),
            policies: { checked: POLICIES.map((p) => ({ policy: p.name, level: p.enforcementLevel })), mandatory: pick("mandatory"), advisory: pick("advisory") },
        };
    } finally {
        revision.cleanup();
    }
}

export function offlineDiff(before: Inventory, after: Inventory): OfflinePlanDiff {
    const diff = diffInventories(before, after);
    const old = new Map(before.resources.map((r) => [r.key, r]));
    const now = new Map(after.resources.map((r) => [r.key, r]));
    const protectedTouched: OfflinePlanDiff["protectedTouched"] = [];
    for (const key of diff.removed) if (old.get(key)?.protect) protectedTouched.push({ key, how: "deleted" });
    for (const c of diff.changed) {
        if (c.protectChanged) protectedTouched.push({ key: c.key, how: "protect flag changed" });
        else if (old.get(c.key)?.protect || now.get(c.key)?.protect) protectedTouched.push({ key: c.key, how: "changed" });
    }
    return { added: diff.added, deleted: diff.removed, changed: diff.changed.map((c) => ({ key: c.key, paths: c.paths })), protectedTouched };
}

/** Evaluates `commit` (and `against`) from `git archive` under the mock engine: the same for the pack and for --verify. */
export async function offlinePlanOf(repo: string, stack: string, commit: string, against?: string): Promise<OfflinePlanFacts> {
    const after = await inventoryAt(repo, commit, stack);
    const facts: OfflinePlanFacts = { inventorySha256: sha256(canonicalJson(after.inventory)), policies: after.policies, inventory: after.inventory };
    if (against) {
        const before = await inventoryAt(repo, against, stack);
        facts.diff = offlineDiff(before.inventory, after.inventory);
        facts.ksql = ksqlAppPlans(before.inventory, after.inventory).flatMap((p) => p.changes.map((c) => ({ app: p.app, statement: c.statement, action: c.action, effect: c.effect })));
    }
    return facts;
}

// ---------------------------------------------------------------------------------------------
// Facts from the commit and the machine

const readAtCommit = (repo: string, commit: string, file: string): string | undefined => {
    try {
        return execFileSync("git", ["-C", repo, "show", `${commit}:${file}`], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 64 * 1024 * 1024 });
    } catch {
        return undefined;
    }
};

export function toolFacts(repo: string, commit: string): Pick<EvidencePack["identity"]["tools"], "pulumiSdk" | "providers" | "policyPack" | "lockfileSha256"> {
    const where = (f: string) => `${f} at ${commit.slice(0, 12)}`;
    const lockText = readAtCommit(repo, commit, "package-lock.json");
    const pkgText = readAtCommit(repo, commit, "package.json");
    if (!lockText || !pkgText) {
        const m = missing<never>(where("package.json / package-lock.json"), "the commit has no package.json or package-lock.json");
        return { pulumiSdk: m, providers: m, policyPack: m, lockfileSha256: m };
    }
    const lock = JSON.parse(lockText) as { packages: Record<string, { version?: string }> };
    const declared = Object.keys((JSON.parse(pkgText) as { dependencies?: Record<string, string> }).dependencies ?? {});
    const locked = (name: string, l = lock) => l.packages[`node_modules/${name}`]?.version;
    const providers = Object.fromEntries(
        declared.filter((n) => /^@pulumi(verse)?\//.test(n) && n !== "@pulumi/pulumi").flatMap((n) => (locked(n) ? [[n, locked(n) as string]] : [])),
    );
    const sdk = locked("@pulumi/pulumi");
    const policyLockText = readAtCommit(repo, commit, "policy/package-lock.json");
    const policyLock = policyLockText ? (JSON.parse(policyLockText) as typeof lock) : undefined;
    const policyVersions = policyLock ? Object.fromEntries(["@pulumi/policy", "@pulumi/pulumi"].flatMap((n) => (locked(n, policyLock) ? [[n, locked(n, policyLock) as string]] : []))) : {};
    return {
        pulumiSdk: sdk ? present(where("package-lock.json"), sdk) : missing(where("package-lock.json"), "@pulumi/pulumi is not locked"),
        providers: present(where("package-lock.json (declared @pulumi/*, @pulumiverse/* dependencies; a provider's plugin version is its package version)"), providers),
        policyPack: Object.keys(policyVersions).length > 0 ? present(where("policy/package-lock.json"), policyVersions) : missing(where("policy/package-lock.json"), "the policy pack has no lock file"),
        lockfileSha256: present(where("package-lock.json"), sha256(lockText)),
    };
}

export function pulumiCliVersion(): Fact<string> {
    try {
        return present("`pulumi version` on this machine", execFileSync("pulumi", ["version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim());
    } catch {
        return missing("`pulumi version` on this machine", "no Pulumi CLI on PATH (the offline plan needs none; the deploy workflow installs a pinned one)");
    }
}

// ---------------------------------------------------------------------------------------------
// Kafka Streams app image digests: only from what a real engine reported

/** `<repository>[:tag]@sha256:<64 hex>`: an image pinned by the digest of its pushed manifest. */
const IMAGE_BY_DIGEST = /[\w.\-/:]+@sha256:[0-9a-f]{64}/g;
const IMAGE_REF = /^[\w.\-/:]+@sha256:[0-9a-f]{64}$/;
/** The resource that builds and pushes a Streams app's image, and the one that runs it (components/streams). */
const IMAGE_TYPE = "docker-build:index:Image";
const TASK_TYPE = "aws:ecs/taskDefinition:TaskDefinition";
export type StreamsImageFact = Fact<{ resource: string; image: string }[]>;
export const AFTER_BUILD = "known after the image build; see the saved plan / update";
/** How an images fact taken from a saved plan names its source (--verify --saved-plan recomputes those). */
export const SAVED_PLAN_IMAGES = "`pulumi preview --save-plan`";

/**
 * What the offline plan can say about the Streams app images: which resources build them, never a
 * digest. A digest exists only once the image is built and pushed; under the mock engine every
 * "digest" is one scripts/mockEngine.ts invents, so the offline plan is no source for it.
 */
export function streamsImagesOffline(inventory: Inventory, source: string): StreamsImageFact {
    const built = inventory.resources.filter((r) => r.custom && r.type === IMAGE_TYPE).map((r) => r.key);
    if (built.length === 0) return missing(source, "no resource of this commit builds a container image (no Kafka Streams app image is deployed on this stack)");
    return missing(source, `${AFTER_BUILD} (built by ${built.join(", ")}; the offline plan builds nothing, so it knows no digest)`);
}

/** `type::name` of a URN (`urn:pulumi:<stack>::<project>::<parent types>$<type>::<name>`), as in the inventory. */
export function urnKey(urn: string): string {
    const parts = urn.split("::");
    if (parts.length < 4) return urn;
    const type = parts[2].split("$").pop()!;
    return `${type}::${parts.slice(3).join("::")}`;
}

/**
 * Image references by digest in a saved update plan: the outputs (`state`: the engine records each
 * resource's outputs as the preview computed them, the old ones for an unchanged resource) and the
 * new inputs (`goal.inputDiff`) of the image and task definition resources. An image this update
 * rebuilds is unknown in the plan (Pulumi's unknown sentinel, no digest), so it is not found here.
 * Plan format: https://www.pulumi.com/docs/iac/operations/stack-management/update-plans/ (apitype
 * ResourcePlanV1: goal, steps, state).
 */
export function streamsImagesOfSavedPlan(raw: Buffer): { resource: string; image: string }[] {
    let json: any;
    try {
        json = JSON.parse(raw.toString("utf8"));
    } catch {
        return [];
    }
    const plans = (isObj(json?.plan) ? json.plan : json)?.resourcePlans;
    if (!isObj(plans)) return [];
    const found = new Map<string, { resource: string; image: string }>();
    const scan = (resource: string, value: unknown) => {
        if (typeof value === "string") for (const image of value.match(IMAGE_BY_DIGEST) ?? []) found.set(`${resource} ${image}`, { resource, image });
        else if (value && typeof value === "object") for (const v of Object.values(value)) scan(resource, v);
    };
    for (const [urn, plan] of Object.entries(plans).sort(([a], [b]) => a.localeCompare(b))) {
        const key = urnKey(urn);
        const type = String((plan as any)?.goal?.type ?? key.split("::")[0]);
        if (type !== IMAGE_TYPE && type !== TASK_TYPE) continue;
        if ((plan as any)?.steps?.includes?.("delete") && !(plan as any).steps.some((s: string) => s.startsWith("create"))) continue;
        scan(key, (plan as any)?.state);
        scan(key, (plan as any)?.goal?.inputDiff?.adds);
        scan(key, (plan as any)?.goal?.inputDiff?.updates);
    }
    return [...found.values()];
}

/** The images fact from a saved plan: present when the plan knows the digests, else missing and why. */
export function streamsImagesFromSavedPlan(file: string, raw: Buffer, offline: StreamsImageFact): StreamsImageFact {
    const source = `${SAVED_PLAN_IMAGES}: ${file} (proposed outputs and inputs of the image and task definition resources)`;
    const images = streamsImagesOfSavedPlan(raw);
    if (images.length > 0) return present(source, images);
    if (offline.status === "missing" && !offline.reason.startsWith(AFTER_BUILD)) return offline;
    return missing(source, `${AFTER_BUILD}: the saved plan holds no digest (this update builds the image); the pack completed after \`pulumi up\` takes it from the stack outputs`);
}

/** What the update runs (stack outputs) wins over what the plan expected; a missing one keeps a present digest. */
export const latestImages = (planned: StreamsImageFact, updated?: StreamsImageFact): StreamsImageFact =>
    updated && (updated.status === "present" || planned.status === "missing") ? updated : planned;

/** `pulumi stack output --json` after the update: `streamsImages` maps each app to the image it runs. */
export function parseStackOutputs(option: string, file: string, json: unknown): StreamsImageFact {
    if (!isObj(json)) throw bad(option, file, "is not `pulumi stack output --json` output (expected an object of outputs)");
    const source = `\`pulumi stack output --json\` after the update: ${file} (streamsImages)`;
    const images = json.streamsImages;
    if (images === undefined) return missing(source, "the stack exports no streamsImages (no Kafka Streams app is deployed on this stack)");
    if (!isObj(images)) throw bad(option, file, "streamsImages is not an object of app name -> image");
    const refs = Object.entries(images).sort(([a], [b]) => a.localeCompare(b));
    const notDigests = refs.filter(([, ref]) => typeof ref !== "string" || !IMAGE_REF.test(ref)).map(([app, ref]) => `streamsImages.${app} is ${JSON.stringify(ref)}`);
    if (notDigests.length > 0) return missing(source, `not an image reference by digest: ${notDigests.join("; ")}`);
    if (refs.length === 0) return missing(source, "streamsImages is empty (no Kafka Streams app is deployed on this stack)");
    return present(source, refs.map(([app, ref]) => ({ resource: `stack output streamsImages.${app}`, image: ref as string })));
}

export function connectorsOf(inventory: Inventory, source: string): Fact<{ resource: string; connectorClass: string }[]> {
    const connectors = inventory.resources
        .filter((r) => r.custom && r.inputs.configNonsensitive && typeof r.inputs.configNonsensitive === "object")
        .map((r) => ({ resource: r.key, connectorClass: String((r.inputs.configNonsensitive as Record<string, unknown>)["connector.class"] ?? "(no connector.class)") }));
    return connectors.length > 0
        ? present(`${source}; fully-managed connectors run the plugin version Confluent Cloud deploys, which the program does not pin`, connectors)
        : missing(source, "this stack declares no connector");
}

/** Migration files the commit adds since `against` (git). */
export function migrationsAdded(repo: string, against: string, commit: string): string[] {
    const out = git(repo, ["diff", "--name-only", "--diff-filter=A", against, commit, "--", "sql/mysql"]);
    return out.split("\n").filter((f) => /\/V\d+__[^/]+\.sql$/.test(f)).sort();
}

// ---------------------------------------------------------------------------------------------
// Machine-readable outputs of other tools

/** Reads a JSON file given by an option; errors name the option and the file. */
export function readJsonOption(option: string, file: string): unknown {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        throw new UsageError(`${option}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    try {
        return JSON.parse(text);
    } catch (err) {
        throw new UsageError(`${option}: ${file} is not JSON (${(err as Error).message})`);
    }
}

const bad = (option: string, file: string, what: string) => new UsageError(`${option}: ${file} ${what}`);
const isObj = (v: unknown): v is Record<string, any> => !!v && typeof v === "object" && !Array.isArray(v);

/** mocha's JSON reporter (`--reporter json`, or scripts/testReporter.js). */
export function parseMochaReport(option: string, file: string, json: unknown): SuiteResults {
    if (!isObj(json) || !isObj(json.stats) || !Array.isArray(json.failures)) throw bad(option, file, "is not a mocha JSON report (expected stats and failures)");
    const s = json.stats;
    for (const k of ["tests", "passes", "failures", "pending"]) if (typeof s[k] !== "number") throw bad(option, file, `has no numeric stats.${k}`);
    return {
        tests: s.tests,
        passes: s.passes,
        failures: s.failures,
        pending: s.pending,
        durationMs: typeof s.duration === "number" ? s.duration : 0,
        failing: json.failures.map((f: any) => ({
            title: String(f.fullTitle ?? f.title ?? "(untitled)"),
            ...(f.file ? { file: String(f.file).replace(`${REPO_ROOT}/`, "") } : {}),
            error: String(f.err?.message ?? "").split("\n")[0].slice(0, 300),
        })),
        typecheckExitCode: typeof json.npmTest?.typecheckExitCode === "number" ? json.npmTest.typecheckExitCode : null,
    };
}

/** `npm run e2e -- --json`: `{ok, hops:[{name, ok, latencyMs, detail}], differences}`. */
export function parseE2e(option: string, file: string, json: unknown): E2eResults {
    if (!isObj(json) || typeof json.ok !== "boolean" || !Array.isArray(json.hops)) throw bad(option, file, "is not e2e --json output (expected ok and hops)");
    return {
        ok: json.ok,
        hops: json.hops.map((h: any, i: number) => {
            if (!isObj(h) || typeof h.name !== "string" || typeof h.ok !== "boolean") throw bad(option, file, `hop ${i} has no name/ok`);
            return { name: h.name, ok: h.ok, ...(typeof h.status === "string" ? { status: h.status } : {}), latencyMs: typeof h.latencyMs === "number" ? h.latencyMs : null, detail: String(h.detail ?? "") };
        }),
        differences: Array.isArray(json.differences) ? json.differences : json.differences === undefined ? [] : [json.differences],
    };
}

/** `npm run schema:check -- --json`. */
export function parseSchemaCheck(option: string, file: string, json: unknown): { ok: boolean; subjects: SchemaVerdict[]; errors: string[] } {
    if (!isObj(json) || typeof json.ok !== "boolean" || !Array.isArray(json.subjects)) throw bad(option, file, "is not schema:check --json output (expected ok and subjects)");
    return {
        ok: json.ok,
        subjects: json.subjects.map((s: any) => ({
            subject: String(s.subject),
            mode: String(s.mode),
            migration: String(s.migration),
            compatible: s.compatible === true,
            problems: (Array.isArray(s.problems) ? s.problems : []).map((p: any) => (typeof p === "string" ? p : [p.field, p.rule ?? p.reason, p.advice].filter(Boolean).join(": "))),
        })),
        errors: (Array.isArray(json.errors) ? json.errors : []).map(String),
    };
}

const REPLACE_OPS = new Set(["replace", "create-replacement", "delete-replaced", "read-replacement", "import-replacement"]);

/**
 * A saved update plan (`pulumi preview --save-plan`): `resourcePlans` maps each URN to the steps
 * the update may take (https://www.pulumi.com/docs/iac/operations/stack-management/update-plans/).
 */
export function parseSavedPlan(option: string, file: string, raw: Buffer): SavedPlanSummary {
    let json: any;
    try {
        json = JSON.parse(raw.toString("utf8"));
    } catch (err) {
        throw bad(option, file, `is not JSON (${(err as Error).message})`);
    }
    const plans = (isObj(json?.plan) ? json.plan : json)?.resourcePlans;
    if (!isObj(plans)) throw bad(option, file, "is not a Pulumi update plan (no resourcePlans)");
    const out: SavedPlanSummary = { file, sha256: sha256(raw), create: [], update: [], replace: [], delete: [], same: 0 };
    for (const [urn, plan] of Object.entries(plans).sort(([a], [b]) => a.localeCompare(b))) {
        const steps: string[] = Array.isArray((plan as any)?.steps) ? (plan as any).steps : [];
        if (steps.some((s) => REPLACE_OPS.has(s))) out.replace.push(urn);
        else if (steps.includes("delete")) out.delete.push(urn);
        else if (steps.includes("create")) out.create.push(urn);
        else if (steps.includes("update")) out.update.push(urn);
        else out.same++;
    }
    return out;
}

/** The newest entry of `pulumi stack history --json` (the update this job ran). */
export function parseUpHistory(option: string, file: string, json: unknown): UpSummary {
    const entry = Array.isArray(json) ? json[0] : json;
    if (!isObj(entry) || typeof entry.result !== "string") throw bad(option, file, "is not `pulumi stack history --json` output (expected an update with result)");
    return {
        result: entry.result,
        ...(typeof entry.version === "number" ? { version: entry.version } : {}),
        ...(typeof entry.environment?.["git.head"] === "string" ? { gitHead: entry.environment["git.head"] } : {}),
        ...(entry.startTime !== undefined ? { startTime: String(entry.startTime) } : {}),
        ...(entry.endTime !== undefined ? { endTime: String(entry.endTime) } : {}),
        resourceChanges: isObj(entry.resourceChanges) ? entry.resourceChanges : {},
    };
}

/** `pulumi refresh --preview-only --json` (or `pulumi preview --json`): prod matches when every step is `same`. */
export function parseDrift(option: string, file: string, json: unknown): DriftResult {
    if (!isObj(json) || (!isObj(json.changeSummary) && !Array.isArray(json.steps))) throw bad(option, file, "is not `pulumi refresh --preview-only --json` output (expected changeSummary or steps)");
    const steps: any[] = Array.isArray(json.steps) ? json.steps : [];
    const changed = steps.filter((s) => s?.op && s.op !== "same").map((s) => `${s.op} ${s.urn ?? "?"}`);
    const changeSummary: Record<string, number> = isObj(json.changeSummary) ? json.changeSummary : {};
    const ok = changed.length === 0 && Object.entries(changeSummary).every(([op, n]) => op === "same" || n === 0);
    return { ok, changeSummary, changed };
}

/** `{pull, reviews}`: the pull request of the commit (GitHub REST "list pull requests associated with a commit") and its reviews. */
export function parsePullRequest(option: string, file: string, json: unknown): { number: number; title: string; url: string; author: string; mergedAt?: string; approvals: Approval[] } {
    if (!isObj(json) || !isObj(json.pull) || typeof json.pull.number !== "number") throw bad(option, file, "is not {pull, reviews} (pull.number missing)");
    const reviews = Array.isArray(json.reviews) ? json.reviews : [];
    // The latest review per reviewer counts, like GitHub's own approval rule.
    const latest = new Map<string, any>();
    for (const r of reviews) if (r?.user?.login) latest.set(r.user.login, r);
    return {
        number: json.pull.number,
        title: String(json.pull.title ?? ""),
        url: String(json.pull.html_url ?? ""),
        author: String(json.pull.user?.login ?? "?"),
        ...(json.pull.merged_at ? { mergedAt: String(json.pull.merged_at) } : {}),
        approvals: [...latest.values()].filter((r) => r.state === "APPROVED").map((r) => ({ reviewer: r.user.login, state: r.state, ...(r.submitted_at ? { at: String(r.submitted_at) } : {}) })),
    };
}

/** GitHub REST "get the review history for a workflow run" (`/actions/runs/{id}/approvals`). */
export function parseDeploymentApprovals(option: string, file: string, json: unknown): Approval[] {
    if (!Array.isArray(json)) throw bad(option, file, "is not the workflow run's approvals array");
    return json.map((a: any, i: number) => {
        if (!a?.user?.login || typeof a.state !== "string") throw bad(option, file, `approval ${i} has no user.login/state`);
        const envs = Array.isArray(a.environments) ? a.environments.map((e: any) => e?.name).filter(Boolean).join(",") : "";
        return { reviewer: a.user.login, state: envs ? `${a.state} ${envs}` : a.state, ...(a.comment ? { comment: String(a.comment) } : {}) };
    });
}
