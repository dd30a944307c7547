// Offline plan: evaluates the program under the mock engine with a stack's config (no cloud
// credentials), prints the resource inventory, runs the compliance rules on it and, with
// --against <git-ref>, the resources added/removed/changed since that revision and, for every
// ksqlDB app whose statements changed, what each changed statement does to its outputs (upgraded
// in place, or rebuilt: replayed from the earliest offset or started at the latest with a gap).
//   npm run plan -- --stack prod [--json] [--against <git-ref>]
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { KsqlStatementChange, KsqlStatementSpec, planAppChange, renderAppChange } from "../components/ksql";
import { Violation, checkResources } from "../policy/rules";
import { UsageError, runCli } from "./cliSupport";
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

/** For every ksqlDB app deployment in both inventories whose statements differ: the provider's plan of the change. */
export function ksqlAppPlans(before: Inventory, after: Inventory): KsqlAppPlan[] {
    const plans: KsqlAppPlan[] = [];
    for (const entry of after.resources) {
        if (!isKsqlDeployment(entry.inputs)) continue;
        const old = before.resources.find((r) => r.key === entry.key && isKsqlDeployment(r.inputs));
        if (!old) continue;
        const news = entry.inputs as unknown as KsqlDeploymentInputs;
        const changes = planAppChange((old.inputs as unknown as KsqlDeploymentInputs).statements, news.statements, news.allowReplay === true);
        if (changes.length > 0) plans.push({ app: news.app, resource: entry.key, changes });
    }
    return plans;
}

export function renderKsqlPlans(plans: readonly KsqlAppPlan[], ref: string): string {
    if (plans.length === 0) return `ksqlDB app changes against ${ref}: none`;
    return [`ksqlDB app changes against ${ref}:`, ...plans.flatMap((p) => renderAppChange(p.app, p.changes).map((line) => `  ${line}`))].join("\n");
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

async function main(): Promise<number> {
    const { values } = parseArgs({
        options: {
            stack: { type: "string" },
            json: { type: "boolean", default: false },
            against: { type: "string" },
            dir: { type: "string" },
        },
    });
    if (!values.stack) throw new UsageError("--stack is required, e.g. npm run plan -- --stack prod");
    const result = await plan({ stack: values.stack, programDir: values.dir, against: values.against });
    let text: string;
    if (values.json) {
        text = JSON.stringify(result, null, 2);
    } else {
        const parts = [renderInventory(result.inventory), "", renderViolations(result.violations)];
        if (result.against) parts.push("", renderDiff(result.against.diff, result.against.ref), "", renderKsqlPlans(result.against.ksql, result.against.ref));
        text = parts.join("\n");
    }
    // runCli exits right after: wait until a piped stdout has taken everything.
    await new Promise<void>((resolve) => process.stdout.write(`${text}\n`, () => resolve()));
    // Like `pulumi preview --policy-pack`: a mandatory violation fails, advisory ones only warn.
    return result.violations.some((v) => v.level === "mandatory") ? 1 : 0;
}

if (require.main === module) runCli(main);
