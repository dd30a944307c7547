// Offline plan: evaluates the program under the mock engine with a stack's config (no cloud
// credentials), prints the resource inventory, runs the compliance rules on it and, with
// --against <git-ref>, the resources added/removed/changed since that revision and, for every
// ksqlDB app whose statements changed, what each changed statement does to its outputs (upgraded
// in place, or rebuilt: replayed from the earliest offset or started at the latest with a gap).
// With --against the change comes first (what a reviewer reads), then the policies, then the
// inventory; --diff-only leaves the inventory out.
//   npm run plan -- --stack prod [--json] [--against <git-ref> [--diff-only]]   (--help lists every option)
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { KsqlStatementChange, KsqlStatementSpec } from "../components/ksql";
import { Violation, checkResources } from "../policy/rules";
import { UsageError, defineCli, parseCli, runCli, writeStdout } from "./cliSupport";
import { Inventory, InventoryDiff, diffInventories, inventoryOf, inventoryPolicySubjects, renderDiff, renderInventory } from "./inventory";
import { REPO_ROOT, runStack } from "./mockEngine";

export interface KsqlAppPlan {
    app: string;
    /** The deployment resource (`type::name`). */
    resource: string;
    changes: KsqlStatementChange[];
}

export interface PlanResult {
    inventory: Inventory;
    violations: Violation[];
    against?: { ref: string; diff: InventoryDiff; ksql: KsqlAppPlan[] };
}

interface KsqlDeploymentInputs {
    app: string;
    statements: KsqlStatementSpec[];
    allowReplay?: boolean;
}

const isKsqlDeployment = (inputs: Record<string, unknown>): boolean => typeof inputs.app === "string" && Array.isArray(inputs.statements);

/** The ksqlDB folder (its provider's change planner), loaded when a plan compares revisions: it loads the Pulumi SDK, --help does not. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ksqlFolder = () => require("../components/ksql") as typeof import("../components/ksql");

/** For every ksqlDB app deployment in both inventories whose statements differ: the provider's plan of the change. */
export function ksqlAppPlans(before: Inventory, after: Inventory): KsqlAppPlan[] {
    const plans: KsqlAppPlan[] = [];
    for (const entry of after.resources) {
        if (!isKsqlDeployment(entry.inputs)) continue;
        const old = before.resources.find((r) => r.key === entry.key && isKsqlDeployment(r.inputs));
        if (!old) continue;
        const news = entry.inputs as unknown as KsqlDeploymentInputs;
        const changes = ksqlFolder().planAppChange((old.inputs as unknown as KsqlDeploymentInputs).statements, news.statements, news.allowReplay === true);
        if (changes.length > 0) plans.push({ app: news.app, resource: entry.key, changes });
    }
    return plans;
}

export function renderKsqlPlans(plans: readonly KsqlAppPlan[], ref: string): string {
    if (plans.length === 0) return `ksqlDB app changes against ${ref}: none`;
    return [`ksqlDB app changes against ${ref}:`, ...plans.flatMap((p) => ksqlFolder().renderAppChange(p.app, p.changes).map((line) => `  ${line}`))].join("\n");
}

/** Extracts `ref` of the repository at `repoDir` into a temp dir that shares this checkout's node_modules. */
export function checkoutRevision(repoDir: string, ref: string): { dir: string; cleanup(): void } {
    try {
        execFileSync("git", ["-C", repoDir, "rev-parse", "--verify", "--quiet", `${ref}^{commit}`], { stdio: "pipe" });
    } catch {
        throw new UsageError(`--against: "${ref}" is not a commit in ${repoDir}`);
    }
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "lifesci-plan-")));
    // git archive writes nothing into the repository (unlike a worktree).
    const archive = execFileSync("git", ["-C", repoDir, "archive", "--format=tar", ref], { maxBuffer: 256 * 1024 * 1024 });
    execFileSync("tar", ["-x", "-C", dir], { input: archive });
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export async function plan(options: { stack: string; programDir?: string; against?: string }): Promise<PlanResult> {
    const programDir = path.resolve(options.programDir ?? REPO_ROOT);
    if (!fs.existsSync(path.join(programDir, `Pulumi.${options.stack}.yaml`))) {
        throw new UsageError(`--stack: no Pulumi.${options.stack}.yaml in ${programDir}`);
    }
    // A wrong --against fails before anything is evaluated.
    const revision = options.against ? checkoutRevision(programDir, options.against) : undefined;
    try {
        if (revision && !fs.existsSync(path.join(revision.dir, `Pulumi.${options.stack}.yaml`))) {
            throw new UsageError(`--against ${options.against}: that revision has no Pulumi.${options.stack}.yaml`);
        }
        const run = await runStack(options.stack, { programDir, fresh: true });
        const inventory = inventoryOf(run);
        const violations = checkResources(inventoryPolicySubjects(run));
        if (!revision || !options.against) return { inventory, violations };
        const before = inventoryOf(await runStack(options.stack, { programDir: revision.dir, fresh: true }));
        return { inventory, violations, against: { ref: options.against, diff: diffInventories(before, inventory), ksql: ksqlAppPlans(before, inventory) } };
    } finally {
        revision?.cleanup();
    }
}

export function renderViolations(violations: readonly Violation[]): string {
    if (violations.length === 0) return "policies: all passed";
    return [`policies: ${violations.length} violation(s)`, ...violations.map((v) => `  [${v.level}] ${v.policy}: ${v.message}`)].join("\n");
}

/** The text plan: with a comparison the change first, then the policies, then (unless diffOnly) the inventory. */
export function renderPlan(result: PlanResult, options: { diffOnly?: boolean } = {}): string {
    const inventory = options.diffOnly ? [] : ["", renderInventory(result.inventory)];
    if (!result.against) return [renderInventory(result.inventory), "", renderViolations(result.violations)].join("\n");
    const { ref, diff, ksql } = result.against;
    return [renderDiff(diff, ref), "", renderKsqlPlans(ksql, ref), "", renderViolations(result.violations), ...inventory].join("\n");
}

export const CLI = defineCli({
    name: "npm run plan --",
    summary:
        "Offline plan (no cloud credentials): evaluates the program under the mock engine with a stack's config, runs the compliance policies and, with --against, shows what changed since a git revision, ksqlDB app rebuilds included.",
    options: {
        stack: { type: "string", value: "name", description: "stack to plan: a Pulumi.<name>.yaml in the program folder (required)" },
        against: { type: "string", value: "git-ref", description: "also evaluate this revision and show the resources added, removed and changed since it" },
        "diff-only": { type: "boolean", description: "with --against: the change and the policies, without the inventory" },
        json: { type: "boolean", description: "print the plan as JSON" },
        dir: { type: "string", value: "program-dir", description: "program folder (a git checkout; default: this repository)" },
    },
    exitCodes: { 0: "planned, no mandatory policy violated", 1: "a mandatory policy is violated", 2: "usage or config error" },
});

async function main(): Promise<number> {
    const { values } = parseCli(CLI);
    if (!values.stack) throw new UsageError("--stack is required, e.g. npm run plan -- --stack prod");
    if (values["diff-only"] && !values.against) throw new UsageError("--diff-only needs --against <git-ref>: there is no change to show without a revision to compare with");
    const result = await plan({ stack: values.stack, programDir: values.dir, against: values.against });
    const { inventory, ...change } = result;
    const text = values.json ? JSON.stringify(values["diff-only"] ? change : { inventory, ...change }, null, 2) : renderPlan(result, { diffOnly: values["diff-only"] });
    await writeStdout(`${text}\n`);
    // Like `pulumi preview --policy-pack`: a mandatory violation fails, advisory ones only warn.
    return result.violations.some((v) => v.level === "mandatory") ? 1 : 0;
}

if (require.main === module) runCli(main);
