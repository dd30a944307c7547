// npm run evidence -- --stack <s> [--against <ref>] [--commit <ref>] [--out <dir>] [inputs...]
//   writes an evidence pack: evidence.json (schema: docs/evidence-pack.schema.json), evidence.md and
//   evidence.html (first line: PASS / FAIL / INCOMPLETE and why), a copy of the schema, and
//   MANIFEST.sha256 over all of them. Inputs (each optional; what is not given is shown as missing):
//   --test-report <mocha json> --e2e <e2e --json> --schema-check <schema:check --json>
//   --saved-plan <pulumi preview --save-plan file> --pull-request <{pull, reviews}>
//   --approvals <runs/{id}/approvals> --up <pulumi stack history --json> --drift <refresh --preview-only --json>
//   --stack-outputs <pulumi stack output --json> (image digests: only from the saved plan or these, never offline)
//   --attest-expected (the workflow signs the pack) --require-pass (exit 1 unless PASS)
// npm run evidence -- --complete <dir> [--up f] [--drift f] [--approvals f] [--stack-outputs f] [--require-pass]
//   adds the after-deploy facts to a pack (its manifest must hold) and renews its verdict.
// npm run evidence -- --verify <dir> [--allow-unattested] [--require-attestation] [--saved-plan f]
//   checks the manifest, the schema, the verdict, the attestation (gh attestation verify) and that
//   the commit and plan are what the pack claims (recomputes the offline plan of that commit).
// npm run evidence -- --write-schema   renews docs/evidence-pack.schema.json
// Exit 0: done (build/complete: verdict PASS or, without --require-pass, not FAIL); 1: FAIL or a
// verification failed; 2: bad usage.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import Ajv2020, { ValidateFunction } from "ajv/dist/2020";
import { CliValues, UsageError, defineCli, parseCli, runCli, writeStdout as writeOut } from "./cliSupport";
import {
    EvidencePack,
    Fact,
    PACK_FILES,
    PACK_SCHEMA_VERSION,
    assemblePack,
    canonicalJson,
    manifestOf,
    missing,
    parseManifest,
    present,
    renderHtml,
    renderMarkdown,
    sha256,
    valueOf,
    verdictOf,
} from "./checks/evidencePack";
import {
    connectorsOf,
    git,
    latestImages,
    migrationsAdded,
    offlinePlanOf,
    parseDeploymentApprovals,
    parseDrift,
    parseE2e,
    parseMochaReport,
    parsePullRequest,
    parseSavedPlan,
    parseSchemaCheck,
    parseStackOutputs,
    parseUpHistory,
    pulumiCliVersion,
    readJsonOption,
    resolveCommit,
    SAVED_PLAN_IMAGES,
    streamsImagesFromSavedPlan,
    streamsImagesOfSavedPlan,
    streamsImagesOffline,
    toolFacts,
} from "./checks/evidenceCollect";
import { schemaText } from "./checks/evidenceSchema";
import { REPO_ROOT } from "./mockEngine";

export const SCHEMA_PATH = path.join(REPO_ROOT, "docs", "evidence-pack.schema.json");

export const CLI = defineCli({
    name: "npm run evidence --",
    summary:
        "Writes the evidence pack of a change of --stack (evidence.json, its JSON Schema, evidence.md, evidence.html, MANIFEST.sha256): " +
        "identity, what changes, how it was tested, after deploy; each fact with its source, or shown as missing. " +
        "--complete adds the after-deploy facts to a pack; --verify checks one.",
    options: {
        stack: { type: "string", value: "stack", description: "the stack the change is for (Pulumi.<stack>.yaml)" },
        against: { type: "string", value: "ref", description: "compare with this commit (the last deployed one); without it the plan diff is missing" },
        commit: { type: "string", value: "ref", description: "the commit the pack is for (default HEAD)" },
        out: { type: "string", value: "dir", description: "where to write the pack (default evidence/<stack>-<commit>)" },
        dir: { type: "string", value: "repo", description: "the repository (default this checkout)" },
        "test-report": { type: "string", value: "file", description: "mocha JSON report (TEST_REPORT=<file> npm test writes one)" },
        e2e: { type: "string", value: "file", description: "npm run e2e -- --json output" },
        "schema-check": { type: "string", value: "file", description: "npm run schema:check -- --json output" },
        "saved-plan": { type: "string", value: "file", description: "the update plan of `pulumi preview --save-plan` (with --verify: must be the pack's)" },
        "pull-request": { type: "string", value: "file", description: "{pull, reviews} from the GitHub API" },
        approvals: { type: "string", value: "file", description: "GitHub /actions/runs/{id}/approvals (the prod gate)" },
        up: { type: "string", value: "file", description: "`pulumi stack history --json` after the update" },
        drift: { type: "string", value: "file", description: "`pulumi refresh --preview-only --json` after the update" },
        "stack-outputs": { type: "string", value: "file", description: "`pulumi stack output --json` after the update (the Kafka Streams app images it runs, by digest)" },
        "attest-expected": { type: "boolean", description: "the workflow signs this pack (GitHub Actions only)" },
        "require-pass": { type: "boolean", description: "exit 1 unless the verdict is PASS" },
        complete: { type: "string", value: "dir", description: "add --up/--drift/--approvals to the pack in <dir>" },
        verify: { type: "string", value: "dir", description: "verify the pack in <dir>: manifest, schema, verdict, attestation, commit and plan" },
        "allow-unattested": { type: "boolean", description: "with --verify: accept a claimed attestation that cannot be checked here" },
        "require-attestation": { type: "boolean", description: "with --verify: fail a pack that claims no attestation" },
        "write-schema": { type: "boolean", description: "renew docs/evidence-pack.schema.json and exit" },
    },
    exitCodes: { 0: "written (verdict not FAIL; with --require-pass: PASS) or verified", 1: "verdict FAIL (or not PASS with --require-pass), or not verified", 2: "usage error or unreadable input" },
    notes: ["Example: npm run evidence -- --stack prod --against HEAD~1", "README: Evidence packs for quality reviewers."],
});

type Values = CliValues<typeof CLI.options>;
type AfterDeploy = Pick<Values, "up" | "drift" | "approvals" | "stack-outputs">;

/** Reads an optional input file into a fact: missing when the option is absent. */
function input<T>(option: keyof typeof CLI.options, file: string | undefined, source: string, whenAbsent: string, parse: (option: string, file: string, json: unknown) => T): Fact<T> {
    if (!file) return missing(source, whenAbsent);
    return present(`${source}: ${file}`, parse(`--${option}`, file, readJsonOption(`--${option}`, file)));
}

function afterDeployFacts(v: AfterDeploy): {
    up: Fact<EvidencePack["afterDeploy"]["up"] extends Fact<infer T> ? T : never>;
    drift: EvidencePack["afterDeploy"]["drift"];
    approvals: EvidencePack["identity"]["deploymentApprovals"];
    /** Only when --stack-outputs is given: what the update runs. */
    streamsImages?: EvidencePack["identity"]["streamsImages"];
} {
    const outputs = v["stack-outputs"];
    return {
        ...(outputs ? { streamsImages: parseStackOutputs("--stack-outputs", outputs, readJsonOption("--stack-outputs", outputs)) } : {}),
        up: input("up", v.up, "`pulumi stack history --json` after `pulumi up --plan`", "no `pulumi up` ran for this pack (built before the approval gate, or offline)", parseUpHistory),
        drift: input("drift", v.drift, "`pulumi refresh --preview-only --json` after the update", "no drift check ran after a deploy", parseDrift),
        approvals: input("approvals", v.approvals, "GitHub REST /actions/runs/{run_id}/approvals", "no deployment gate was passed (offline, or before the gate)", parseDeploymentApprovals),
    };
}

function workflowRunFact(): EvidencePack["identity"]["workflowRun"] {
    const e = process.env;
    if (e.GITHUB_ACTIONS !== "true" || !e.GITHUB_REPOSITORY || !e.GITHUB_RUN_ID) return missing("GITHUB_* environment of GitHub Actions", "not run in GitHub Actions");
    return present("GITHUB_* environment of GitHub Actions", {
        repository: e.GITHUB_REPOSITORY,
        runId: e.GITHUB_RUN_ID,
        runAttempt: e.GITHUB_RUN_ATTEMPT ?? "1",
        workflowRef: e.GITHUB_WORKFLOW_REF ?? "?",
        url: `${e.GITHUB_SERVER_URL ?? "https://github.com"}/${e.GITHUB_REPOSITORY}/actions/runs/${e.GITHUB_RUN_ID}`,
    });
}

function refFact(repo: string, commit: string): Fact<string> {
    if (process.env.GITHUB_ACTIONS === "true" && process.env.GITHUB_REF) return present("GITHUB_REF", process.env.GITHUB_REF);
    try {
        const head = git(repo, ["rev-parse", "HEAD"]);
        if (head === commit) return present("`git symbolic-ref HEAD`", git(repo, ["symbolic-ref", "-q", "HEAD"]));
    } catch {
        // detached HEAD: no ref to report
    }
    return missing("`git symbolic-ref HEAD`", "the commit is not the checked-out branch head (detached or another commit)");
}

/** Builds a pack for `--stack` at `--commit` (default HEAD) against `--against`. */
export async function buildPack(v: Values, argv: string[], planOf: typeof offlinePlanOf = offlinePlanOf): Promise<EvidencePack> {
    const repo = path.resolve(v.dir ?? REPO_ROOT);
    const stack = v.stack!;
    if (!fs.existsSync(path.join(repo, `Pulumi.${stack}.yaml`))) throw new UsageError(`--stack: no Pulumi.${stack}.yaml in ${repo}`);
    const commit = resolveCommit(repo, v.commit ?? "HEAD", "--commit");
    const against = v.against ? resolveCommit(repo, v.against, "--against") : undefined;
    // Files first: a bad input fails before the plan is evaluated.
    const suite = input("test-report", v["test-report"], "mocha JSON report", "no test report given (npm test with TEST_REPORT=<file> writes one)", parseMochaReport);
    const e2e = input("e2e", v.e2e, "`npm run e2e -- --json`", "the end-to-end data path did not run for this pack", parseE2e);
    const schemas = input("schema-check", v["schema-check"], "`npm run schema:check -- --json`", "schema:check did not run for this pack (it needs a MariaDB server)", parseSchemaCheck);
    const pullRequest = input("pull-request", v["pull-request"], "GitHub REST /commits/{sha}/pulls and /pulls/{n}/reviews", "not given (outside the workflow, or a push without a pull request)", parsePullRequest);
    const after = afterDeployFacts(v);
    const savedPlanFile = v["saved-plan"];
    let savedPlan: EvidencePack["changes"]["savedPlan"] = missing("`pulumi preview --save-plan`", "no saved update plan (offline: the Pulumi CLI and the stack's state are not available)");
    let savedPlanRaw: Buffer | undefined;
    if (savedPlanFile) {
        let raw: Buffer;
        try {
            raw = fs.readFileSync(savedPlanFile);
        } catch (err) {
            throw new UsageError(`--saved-plan: cannot read ${savedPlanFile} (${(err as NodeJS.ErrnoException).code})`);
        }
        savedPlan = present(`\`pulumi preview --save-plan\`: ${savedPlanFile}`, parseSavedPlan("--saved-plan", savedPlanFile, raw));
        savedPlanRaw = raw;
    }

    const planSource = `offline plan (scripts/plan.ts mock engine, policy/rules.ts) of ${commit.slice(0, 12)}${against ? ` against ${against.slice(0, 12)}` : ""}, each extracted with git archive`;
    const plan = await planOf(repo, stack, commit, against);
    const noAgainst = "no --against given: nothing to compare with";
    const clean = git(repo, ["status", "--porcelain", "--untracked-files=no"]) === "";
    const tools = toolFacts(repo, commit);
    // An image digest is a fact only where a real engine reported it: the update's stack outputs,
    // else the saved plan; the offline plan names the images but its digests are the mock's.
    const offlineImages = streamsImagesOffline(plan.inventory, planSource);
    const planImages = savedPlanFile && savedPlanRaw ? streamsImagesFromSavedPlan(savedPlanFile, savedPlanRaw, offlineImages) : offlineImages;
    const streamsImages = latestImages(planImages, after.streamsImages);
    return assemblePack({
        schemaVersion: PACK_SCHEMA_VERSION,
        stage: after.up.status === "present" ? "deployed" : "planned",
        stack,
        generated: { at: new Date().toISOString(), command: ["npm run evidence --", ...argv].join(" ") },
        identity: {
            commit: present("git", { sha: commit, subject: git(repo, ["log", "-1", "--format=%s", commit]), worktreeClean: clean }),
            ref: refFact(repo, commit),
            workflowRun: workflowRunFact(),
            pullRequest,
            deploymentApprovals: after.approvals,
            tools: {
                node: present("process.version of the Node.js that built the pack", process.version),
                pulumiCli: pulumiCliVersion(),
                ...tools,
                connectors: connectorsOf(plan.inventory, planSource),
            },
            streamsImages,
        },
        changes: {
            against: against ? present("git", { ref: v.against!, commit: against }) : missing("--against", noAgainst),
            inventorySha256: present(`${planSource}: sha256 of the canonical inventory JSON`, plan.inventorySha256),
            offlinePlan: plan.diff ? present(planSource, plan.diff) : missing(planSource, noAgainst),
            savedPlan,
            ksql: plan.ksql ? present(`${planSource}: the ksqlDB provider's planAppChange`, plan.ksql) : missing(planSource, noAgainst),
            schemas,
            migrations: against ? present(`git diff --diff-filter=A ${against.slice(0, 12)} ${commit.slice(0, 12)} -- sql/mysql`, migrationsAdded(repo, against, commit)) : missing("git", noAgainst),
        },
        testing: { suite, e2e, policies: present(planSource, plan.policies) },
        afterDeploy: { up: after.up, drift: after.drift },
        attestation: attestationClaim(v["attest-expected"]!),
    });
}

function attestationClaim(expected: boolean): EvidencePack["attestation"] {
    if (!expected) return { expected: false };
    const repository = process.env.GITHUB_REPOSITORY;
    const workflowRef = process.env.GITHUB_WORKFLOW_REF;
    if (!repository || !workflowRef) throw new UsageError("--attest-expected: only in GitHub Actions (GITHUB_REPOSITORY and GITHUB_WORKFLOW_REF are not set)");
    return { expected: true, repository, signerWorkflow: workflowRef.replace(/@.*$/, "") };
}

/** Writes the pack's files and its manifest into `dir`. Returns the files' total size. */
export function writePack(dir: string, pack: EvidencePack): number {
    fs.mkdirSync(dir, { recursive: true });
    const markdown = renderMarkdown(pack);
    const files = [
        { name: PACK_FILES.json, content: `${JSON.stringify(pack, null, 2)}\n` },
        { name: PACK_FILES.markdown, content: markdown },
        { name: PACK_FILES.html, content: renderHtml(pack, markdown) },
        { name: PACK_FILES.schema, content: schemaText() },
    ];
    for (const f of files) fs.writeFileSync(path.join(dir, f.name), f.content);
    const manifest = manifestOf(files);
    fs.writeFileSync(path.join(dir, PACK_FILES.manifest), manifest);
    return [...files.map((f) => Buffer.byteLength(f.content)), Buffer.byteLength(manifest)].reduce((a, b) => a + b, 0);
}

// ---------------------------------------------------------------------------------------------
// Verification

export interface Check {
    name: string;
    ok: boolean;
    detail: string;
}

/** The manifest covers exactly the pack's files and every digest matches. */
export function checkIntegrity(dir: string): Check {
    const manifestPath = path.join(dir, PACK_FILES.manifest);
    if (!fs.existsSync(manifestPath)) return { name: "integrity", ok: false, detail: `${PACK_FILES.manifest} is missing` };
    let entries: Map<string, string>;
    try {
        entries = parseManifest(fs.readFileSync(manifestPath, "utf8"));
    } catch (err) {
        return { name: "integrity", ok: false, detail: (err as Error).message };
    }
    const problems: string[] = [];
    for (const name of Object.values(PACK_FILES)) if (name !== PACK_FILES.manifest && !entries.has(name)) problems.push(`${name} is not in the manifest`);
    for (const [name, digest] of entries) {
        const file = path.join(dir, name);
        if (!fs.existsSync(file)) problems.push(`${name} is listed but missing`);
        else if (sha256(fs.readFileSync(file)) !== digest) problems.push(`${name} does not match its digest (changed after the pack was written)`);
    }
    const extra = fs.readdirSync(dir).filter((f) => f !== PACK_FILES.manifest && !entries.has(f));
    for (const f of extra) problems.push(`${f} is not part of the pack`);
    return problems.length === 0 ? { name: "integrity", ok: true, detail: `${entries.size} files match ${PACK_FILES.manifest}` } : { name: "integrity", ok: false, detail: problems.join("; ") };
}

/** Validates evidence.json against this checkout's committed schema (not the pack's own copy). */
let compiled: { text: string; validate: ValidateFunction } | undefined;

export function checkSchema(pack: unknown): Check {
    const text = fs.readFileSync(SCHEMA_PATH, "utf8");
    if (compiled?.text !== text) compiled = { text, validate: new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(text)) };
    const validate = compiled.validate;
    if (validate(pack)) return { name: "schema", ok: true, detail: `valid against ${path.relative(REPO_ROOT, SCHEMA_PATH)}` };
    return { name: "schema", ok: false, detail: (validate.errors ?? []).slice(0, 8).map((e) => `${e.instancePath || "/"} ${e.message}`).join("; ") };
}

export function checkVerdict(pack: EvidencePack): Check {
    const { headline, verdict, reasons, ...body } = pack;
    const expected = verdictOf(body);
    const ok = expected.verdict === verdict && expected.headline === headline && canonicalJson(expected.reasons) === canonicalJson(reasons);
    return ok ? { name: "verdict", ok, detail: `${verdict} follows from the facts` } : { name: "verdict", ok, detail: `the facts give "${expected.headline}", the pack says "${headline}"` };
}

/** `gh attestation verify` on the manifest (which binds every other file by digest). */
export function checkAttestation(dir: string, pack: EvidencePack, allowUnattested: boolean, requireAttestation: boolean, runGh = ghAttestationVerify): Check {
    const claim = pack.attestation;
    if (!claim.expected) {
        if (pack.identity.workflowRun.status === "present") return { name: "attestation", ok: false, detail: "the pack says it was built in a workflow run but claims no attestation" };
        if (requireAttestation) return { name: "attestation", ok: false, detail: "no attestation claimed (--require-attestation)" };
        return { name: "attestation", ok: true, detail: "none claimed (built outside the deploy workflow): nothing proves who made this pack or when" };
    }
    const result = runGh(path.join(dir, PACK_FILES.manifest), claim.repository, claim.signerWorkflow);
    if (result.ran) return { name: "attestation", ok: result.ok, detail: result.detail };
    if (allowUnattested) return { name: "attestation", ok: true, detail: `NOT CHECKED (${result.detail}); accepted because of --allow-unattested` };
    return { name: "attestation", ok: false, detail: `claimed (${claim.signerWorkflow}) but NOT CHECKED: ${result.detail}; rerun where \`gh\` can reach GitHub, or pass --allow-unattested to accept it unchecked` };
}

export function ghAttestationVerify(file: string, repository: string, signerWorkflow: string): { ran: boolean; ok: boolean; detail: string } {
    try {
        execFileSync("gh", ["--version"], { stdio: "ignore" });
    } catch {
        return { ran: false, ok: false, detail: "the GitHub CLI (gh) is not installed" };
    }
    try {
        execFileSync("gh", ["attestation", "verify", file, "--repo", repository, "--signer-workflow", signerWorkflow], { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", timeout: 120_000 });
        return { ran: true, ok: true, detail: `gh attestation verify: ${path.basename(file)} signed by ${signerWorkflow} in ${repository}` };
    } catch (err) {
        const e = err as { stderr?: string; message: string };
        const text = (e.stderr || e.message).trim().split("\n").slice(-3).join(" ");
        // Offline or unauthenticated: the attestation could not be looked at, which is not a bad signature.
        if (/dial tcp|no such host|could not resolve|network|gh auth login|authentication/i.test(text)) return { ran: false, ok: false, detail: `gh could not reach GitHub (${text})` };
        return { ran: true, ok: false, detail: `gh attestation verify failed: ${text}` };
    }
}

/** The commit exists and the offline plan, policy results, tools and migrations recomputed for it equal the pack's. */
export async function checkCommitAndPlan(pack: EvidencePack, repo: string, planOf: typeof offlinePlanOf = offlinePlanOf): Promise<Check[]> {
    const commit = valueOf(pack.identity.commit);
    if (!commit) return [{ name: "commit", ok: false, detail: "the pack names no commit" }];
    try {
        git(repo, ["cat-file", "-e", `${commit.sha}^{commit}`]);
    } catch {
        return [{ name: "commit", ok: false, detail: `${commit.sha} is not a commit in ${repo}` }];
    }
    const checks: Check[] = [];
    const subject = git(repo, ["log", "-1", "--format=%s", commit.sha]);
    checks.push(subject === commit.subject ? { name: "commit", ok: true, detail: `${commit.sha.slice(0, 12)} exists ("${subject}")` } : { name: "commit", ok: false, detail: `${commit.sha.slice(0, 12)} is "${subject}", the pack says "${commit.subject}"` });
    const against = valueOf(pack.changes.against);
    if (against) {
        try {
            git(repo, ["cat-file", "-e", `${against.commit}^{commit}`]);
        } catch {
            return [...checks, { name: "plan", ok: false, detail: `the compared commit ${against.commit} is not in ${repo}` }];
        }
    }
    const plan = await planOf(repo, pack.stack, commit.sha, against?.commit);
    const tools = toolFacts(repo, commit.sha);
    const compare: [string, unknown, unknown][] = [
        ["inventory sha256", valueOf(pack.changes.inventorySha256), plan.inventorySha256],
        ["offline plan diff", valueOf(pack.changes.offlinePlan), plan.diff],
        ["ksqlDB effects", valueOf(pack.changes.ksql), plan.ksql],
        ["policy results", valueOf(pack.testing.policies), plan.policies],
        ["provider versions", valueOf(pack.identity.tools.providers), valueOf(tools.providers)],
        ["lock file sha256", valueOf(pack.identity.tools.lockfileSha256), valueOf(tools.lockfileSha256)],
        ["migrations", valueOf(pack.changes.migrations), against ? migrationsAdded(repo, against.commit, commit.sha) : undefined],
    ];
    const differ = compare.filter(([, claimed, actual]) => canonicalJson(claimed ?? null) !== canonicalJson(actual ?? null)).map(([name]) => name);
    checks.push(
        differ.length === 0
            ? { name: "plan", ok: true, detail: `recomputed the offline plan of ${commit.sha.slice(0, 12)}${against ? ` against ${against.commit.slice(0, 12)}` : ""}: inventory, diff, ksqlDB effects, policies, versions and migrations match` }
            : { name: "plan", ok: false, detail: `recomputed for ${commit.sha.slice(0, 12)}: ${differ.join(", ")} differ from what the pack claims` },
    );
    return checks;
}

export interface VerifyOptions {
    repo?: string;
    allowUnattested?: boolean;
    requireAttestation?: boolean;
    savedPlan?: string;
    runGh?: typeof ghAttestationVerify;
    /** How the offline plan is recomputed (tests share one evaluation per commit). */
    offlinePlan?: typeof offlinePlanOf;
}

export async function verifyPack(dir: string, options: VerifyOptions = {}): Promise<Check[]> {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UsageError(`--verify: ${dir} is not a directory`);
    const integrity = checkIntegrity(dir);
    // A pack whose files do not match its manifest says nothing: the other checks would read tampered facts.
    if (!integrity.ok) return [integrity];
    const pack = JSON.parse(fs.readFileSync(path.join(dir, PACK_FILES.json), "utf8")) as EvidencePack;
    const checks = [integrity, checkSchema(pack)];
    if (!checks[1].ok) return checks;
    checks.push(checkVerdict(pack));
    checks.push(checkAttestation(dir, pack, options.allowUnattested === true, options.requireAttestation === true, options.runGh));
    if (options.savedPlan) {
        const raw = fs.readFileSync(options.savedPlan);
        const claimed = valueOf(pack.changes.savedPlan)?.sha256;
        const actual = sha256(raw);
        checks.push({ name: "saved plan", ok: claimed === actual, detail: claimed === actual ? `${options.savedPlan} is the plan the pack describes` : `${options.savedPlan} sha256 ${actual} is not the pack's ${claimed ?? "(none)"}` });
        // Image digests the pack took from the saved plan are what that plan holds.
        const images = pack.identity.streamsImages;
        if (images.status === "present" && images.source.startsWith(SAVED_PLAN_IMAGES)) {
            const same = canonicalJson(images.value) === canonicalJson(streamsImagesOfSavedPlan(raw));
            checks.push({ name: "image digests", ok: same, detail: same ? `the Kafka Streams image digests are the saved plan's` : `the pack's Kafka Streams image digests are not the ones ${options.savedPlan} holds` });
        }
    }
    checks.push(...(await checkCommitAndPlan(pack, path.resolve(options.repo ?? REPO_ROOT), options.offlinePlan)));
    return checks;
}

export const renderChecks = (checks: readonly Check[]) => `${checks.map((c) => `${c.ok ? "ok  " : "FAIL"} ${c.name}: ${c.detail}`).join("\n")}\n${checks.every((c) => c.ok) ? "verified" : "NOT verified"}`;

// ---------------------------------------------------------------------------------------------

/** Adds the after-deploy facts to an existing pack whose manifest holds. */
export function completePack(dir: string, v: AfterDeploy): EvidencePack {
    const integrity = checkIntegrity(dir);
    if (!integrity.ok) throw new UsageError(`--complete: ${dir}: ${integrity.detail}`);
    const old = JSON.parse(fs.readFileSync(path.join(dir, PACK_FILES.json), "utf8")) as EvidencePack;
    const after = afterDeployFacts(v);
    const { headline: _h, verdict: _v, reasons: _r, ...body } = old;
    return assemblePack({
        ...body,
        stage: "deployed",
        identity: {
            ...body.identity,
            deploymentApprovals: after.approvals.status === "present" ? after.approvals : body.identity.deploymentApprovals,
            streamsImages: latestImages(body.identity.streamsImages, after.streamsImages),
        },
        afterDeploy: { up: after.up, drift: after.drift },
    });
}

const writeStdout = (text: string) => writeOut(`${text}\n`);

export async function main(argv: string[], planOf: typeof offlinePlanOf = offlinePlanOf, write: (text: string) => Promise<void> = writeStdout): Promise<number> {
    const v = parseCli(CLI, argv).values;
    if (v["write-schema"]) {
        fs.writeFileSync(SCHEMA_PATH, schemaText());
        await write(`wrote ${path.relative(process.cwd(), SCHEMA_PATH)}`);
        return 0;
    }
    if (v.verify) {
        const checks = await verifyPack(v.verify, { repo: v.dir, allowUnattested: v["allow-unattested"], requireAttestation: v["require-attestation"], savedPlan: v["saved-plan"], offlinePlan: planOf });
        await write(renderChecks(checks));
        return checks.every((c) => c.ok) ? 0 : 1;
    }
    let pack: EvidencePack;
    let dir: string;
    if (v.complete) {
        dir = v.complete;
        pack = completePack(dir, v);
    } else {
        if (!v.stack) throw new UsageError("--stack is required, e.g. npm run evidence -- --stack prod --against HEAD~1 (or --verify <dir>, --complete <dir>)");
        pack = await buildPack(v, argv, planOf);
        dir = v.out ?? path.join("evidence", `${pack.stack}-${valueOf(pack.identity.commit)!.sha.slice(0, 12)}`);
    }
    const bytes = writePack(dir, pack);
    await write(`${pack.headline}\nwrote ${dir}/ (${Object.values(PACK_FILES).join(", ")}; ${bytes} bytes)`);
    if (pack.verdict === "FAIL") return 1;
    return v["require-pass"] && pack.verdict !== "PASS" ? 1 : 0;
}

if (require.main === module) runCli(() => main(process.argv.slice(2)));
