// The evidence pack of one prod change (issue 25): its shape, the verdict, the readable page and
// the digest manifest. Pure functions only; scripts/checks/evidenceCollect.ts gathers the facts.
// Every fact is either present (with the source it came from) or missing (with the source that
// would have supplied it and why it did not): nothing is ever filled in.
import { createHash } from "crypto";

export const PACK_SCHEMA_VERSION = 1;
/** Files of a pack directory. The manifest lists the digests of all the others. */
export const PACK_FILES = { json: "evidence.json", markdown: "evidence.md", html: "evidence.html", schema: "evidence-pack.schema.json", manifest: "MANIFEST.sha256" } as const;

export type Fact<T> = { status: "present"; source: string; value: T } | { status: "missing"; source: string; reason: string };

export const present = <T>(source: string, value: T): Fact<T> => ({ status: "present", source, value });
export const missing = <T = never>(source: string, reason: string): Fact<T> => ({ status: "missing", source, reason });
export const valueOf = <T>(fact: Fact<T>): T | undefined => (fact.status === "present" ? fact.value : undefined);

export interface PolicyViolationFact {
    policy: string;
    message: string;
    urn?: string;
}
export interface PolicyResults {
    /** Every policy the pack evaluated, with its level. */
    checked: { policy: string; level: "mandatory" | "advisory" }[];
    mandatory: PolicyViolationFact[];
    advisory: PolicyViolationFact[];
}
export interface SuiteResults {
    tests: number;
    passes: number;
    failures: number;
    pending: number;
    durationMs: number;
    failing: { title: string; file?: string; error: string }[];
    /** `npm test`'s type check (tsc --noEmit) exit code when the report came from npm test; null when not recorded. */
    typecheckExitCode: number | null;
}
export interface E2eResults {
    ok: boolean;
    /** `status` (passed / failed / not-run) when the e2e reports it: a hop that cannot run here is ok but not a pass. */
    hops: { name: string; ok: boolean; status?: string; latencyMs: number | null; detail: string }[];
    differences: unknown[];
}
export interface OfflinePlanDiff {
    added: string[];
    deleted: string[];
    changed: { key: string; paths: string[] }[];
    /** Resources whose protect flag is on before or after and that the change adds, deletes or alters. */
    protectedTouched: { key: string; how: "deleted" | "changed" | "protect flag changed" }[];
}
export interface SavedPlanSummary {
    file: string;
    sha256: string;
    /** Resource URNs by what the saved plan does to them. */
    create: string[];
    update: string[];
    replace: string[];
    delete: string[];
    same: number;
}
export interface KsqlEffect {
    app: string;
    statement: string;
    action: string;
    effect: string;
}
export interface SchemaVerdict {
    subject: string;
    mode: string;
    migration: string;
    compatible: boolean;
    problems: string[];
}
export interface UpSummary {
    result: string;
    version?: number;
    gitHead?: string;
    startTime?: string;
    endTime?: string;
    resourceChanges: Record<string, number>;
}
export interface DriftResult {
    ok: boolean;
    changeSummary: Record<string, number>;
    changed: string[];
}
export interface Approval {
    reviewer: string;
    state: string;
    at?: string;
    comment?: string;
}

export interface EvidencePack {
    /** One line: PASS / FAIL / INCOMPLETE, what for, and why. The page's first line is the same. */
    headline: string;
    verdict: "PASS" | "FAIL" | "INCOMPLETE";
    reasons: string[];
    schemaVersion: typeof PACK_SCHEMA_VERSION;
    /** planned: built before the approval gate; deployed: completed after `pulumi up`. */
    stage: "planned" | "deployed";
    stack: string;
    generated: { at: string; command: string };
    identity: {
        commit: Fact<{ sha: string; subject: string; worktreeClean: boolean }>;
        ref: Fact<string>;
        workflowRun: Fact<{ repository: string; runId: string; runAttempt: string; workflowRef: string; url: string }>;
        pullRequest: Fact<{ number: number; title: string; url: string; author: string; mergedAt?: string; approvals: Approval[] }>;
        deploymentApprovals: Fact<Approval[]>;
        tools: {
            node: Fact<string>;
            pulumiCli: Fact<string>;
            pulumiSdk: Fact<string>;
            providers: Fact<Record<string, string>>;
            policyPack: Fact<Record<string, string>>;
            lockfileSha256: Fact<string>;
            connectors: Fact<{ resource: string; connectorClass: string }[]>;
        };
        streamsImages: Fact<{ resource: string; image: string }[]>;
    };
    changes: {
        against: Fact<{ ref: string; commit: string }>;
        inventorySha256: Fact<string>;
        offlinePlan: Fact<OfflinePlanDiff>;
        savedPlan: Fact<SavedPlanSummary>;
        ksql: Fact<KsqlEffect[]>;
        schemas: Fact<{ ok: boolean; subjects: SchemaVerdict[]; errors: string[] }>;
        migrations: Fact<string[]>;
    };
    testing: {
        suite: Fact<SuiteResults>;
        e2e: Fact<E2eResults>;
        policies: Fact<PolicyResults>;
    };
    afterDeploy: {
        up: Fact<UpSummary>;
        drift: Fact<DriftResult>;
    };
    /** Whether this pack is meant to carry a GitHub artifact attestation, and from where. */
    attestation: { expected: false } | { expected: true; repository: string; signerWorkflow: string };
}

/** What decides the verdict: any failure makes FAIL; otherwise a missing required fact makes INCOMPLETE. */
export function verdictOf(pack: Omit<EvidencePack, "headline" | "verdict" | "reasons">): Pick<EvidencePack, "headline" | "verdict" | "reasons"> {
    const failures: string[] = [];
    const gaps: string[] = [];
    const suite = valueOf(pack.testing.suite);
    if (suite && suite.failures > 0) failures.push(`${suite.failures} of ${suite.tests} tests failed`);
    if (suite && suite.typecheckExitCode !== null && suite.typecheckExitCode !== 0) failures.push(`type check failed (exit ${suite.typecheckExitCode})`);
    const policies = valueOf(pack.testing.policies);
    if (policies && policies.mandatory.length > 0) failures.push(`${policies.mandatory.length} mandatory policy violation(s)`);
    const e2e = valueOf(pack.testing.e2e);
    if (e2e && !e2e.ok) failures.push(`e2e failed (${e2e.hops.filter((h) => !h.ok).map((h) => h.name).join(", ") || "no hop failed"})`);
    const schemas = valueOf(pack.changes.schemas);
    if (schemas && !schemas.ok) failures.push(`schema check failed (${schemas.subjects.filter((s) => !s.compatible).length} incompatible subject(s))`);
    const up = valueOf(pack.afterDeploy.up);
    if (up && up.result !== "succeeded") failures.push(`pulumi up ${up.result}`);
    const commit = valueOf(pack.identity.commit);
    if (up?.gitHead && commit && up.gitHead !== commit.sha) failures.push(`pulumi up ran ${up.gitHead.slice(0, 12)}, not ${commit.sha.slice(0, 12)}`);
    const drift = valueOf(pack.afterDeploy.drift);
    if (drift && !drift.ok) failures.push(`drift after deploy (${drift.changed.length} resource(s) differ)`);

    const required: [string, Fact<unknown>][] = [
        ["commit", pack.identity.commit],
        ["offline plan", pack.changes.offlinePlan],
        ["policy results", pack.testing.policies],
        ["test suite results", pack.testing.suite],
    ];
    if (pack.stage === "deployed") required.push(["pulumi up summary", pack.afterDeploy.up], ["drift check", pack.afterDeploy.drift], ["saved plan", pack.changes.savedPlan]);
    for (const [name, fact] of required) if (fact.status === "missing") gaps.push(`missing ${name}`);

    const verdict = failures.length > 0 ? "FAIL" : gaps.length > 0 ? "INCOMPLETE" : "PASS";
    const what = `${pack.stack} at ${commit ? commit.sha.slice(0, 12) : "unknown commit"} (${pack.stage})`;
    const reasons = [...failures, ...gaps];
    const headline = `${verdict}: ${what}${reasons.length > 0 ? ` — ${reasons.join("; ")}` : " — tests, policies and checks passed"}`;
    return { headline, verdict, reasons };
}

/** Builds the pack from its facts, the verdict computed last so it always matches them. */
export function assemblePack(body: Omit<EvidencePack, "headline" | "verdict" | "reasons">): EvidencePack {
    const { headline, verdict, reasons } = verdictOf(body);
    return { headline, verdict, reasons, ...body };
}

// ---------------------------------------------------------------------------------------------
// The readable page

const escapeMd = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

function factLines<T>(title: string, fact: Fact<T>, render: (value: T) => string[]): string[] {
    if (fact.status === "missing") return [`**${title}**: MISSING — ${fact.reason}`, `_source: ${fact.source}_`, ""];
    const body = render(fact.value);
    return [`**${title}**${body.length === 1 && !body[0].startsWith("|") && !body[0].startsWith("-") ? `: ${body[0]}` : ""}`, ...(body.length === 1 && !body[0].startsWith("|") && !body[0].startsWith("-") ? [] : ["", ...body]), `_source: ${fact.source}_`, ""];
}

const list = (items: readonly string[], empty = "none", max = 60): string[] =>
    items.length === 0 ? [empty] : [...items.slice(0, max).map((i) => `- ${i}`), ...(items.length > max ? [`- … and ${items.length - max} more (evidence.json has all)`] : [])];

/** An e2e difference: `{what, local, e2e, ...}` or a string. */
const differenceText = (d: unknown): string => {
    if (typeof d === "string") return d;
    const o = d as Record<string, unknown>;
    return typeof o?.what === "string" ? `${o.what}: ${[o.local && `local ${String(o.local)}`, o.e2e && `e2e ${String(o.e2e)}`, o.why && `(${String(o.why)})`].filter(Boolean).join("; ")}` : JSON.stringify(d);
};

const approvalsLine = (approvals: readonly Approval[]) => (approvals.length === 0 ? "none recorded" : approvals.map((a) => `${a.reviewer} (${a.state}${a.at ? `, ${a.at}` : ""})`).join(", "));

/** The page a quality reviewer reads; its first line is the headline. */
export function renderMarkdown(pack: EvidencePack): string {
    const id = pack.identity;
    const lines: string[] = [pack.headline, "", `# Evidence pack: stack ${pack.stack}`, ""];
    lines.push(`Generated ${pack.generated.at} by \`${pack.generated.command}\`; stage **${pack.stage}**; schema v${pack.schemaVersion}.`);
    lines.push(
        pack.attestation.expected
            ? `Meant to be signed by a GitHub artifact attestation from ${pack.attestation.signerWorkflow} in ${pack.attestation.repository}: check it with \`npm run evidence -- --verify <dir>\`.`
            : "Built outside the deploy workflow: no attestation is claimed; the manifest proves only that the files agree with each other.",
        "",
    );
    if (pack.reasons.length > 0) lines.push("Why not PASS:", "", ...list(pack.reasons), "");

    lines.push("## 1. Identity", "");
    lines.push(...factLines("Commit", id.commit, (c) => [`\`${c.sha}\` ${escapeMd(c.subject)}${c.worktreeClean ? "" : " (working tree had uncommitted changes; the plan is of the commit)"}`]));
    lines.push(...factLines("Ref", id.ref, (r) => [`\`${r}\``]));
    lines.push(...factLines("Workflow run", id.workflowRun, (w) => [`${w.url} (${w.workflowRef}, attempt ${w.runAttempt})`]));
    lines.push(...factLines("Pull request", id.pullRequest, (p) => [`#${p.number} ${escapeMd(p.title)} by ${p.author} (${p.url}); approvals: ${approvalsLine(p.approvals)}`]));
    lines.push(...factLines("Deployment approvals (prod environment gate)", id.deploymentApprovals, (a) => [approvalsLine(a)]));
    const t = id.tools;
    lines.push(...factLines("Node.js", t.node, (v) => [v]));
    lines.push(...factLines("Pulumi CLI", t.pulumiCli, (v) => [v]));
    lines.push(...factLines("Pulumi SDK", t.pulumiSdk, (v) => [v]));
    lines.push(...factLines("Providers (resource plugins)", t.providers, (p) => ["| package | version |", "| --- | --- |", ...Object.entries(p).map(([k, v]) => `| ${k} | ${v} |`)]));
    lines.push(...factLines("Policy pack", t.policyPack, (p) => [Object.entries(p).map(([k, v]) => `${k} ${v}`).join(", ")]));
    lines.push(...factLines("package-lock.json sha256", t.lockfileSha256, (v) => [`\`${v}\``]));
    lines.push(...factLines("Connectors", t.connectors, (c) => ["| resource | connector class |", "| --- | --- |", ...c.map((x) => `| ${x.resource} | ${x.connectorClass} |`)]));
    lines.push(...factLines("Kafka Streams app images", id.streamsImages, (imgs) => list(imgs.map((i) => `${i.resource}: \`${i.image}\``))));

    const ch = pack.changes;
    lines.push("## 2. What changes", "");
    lines.push(...factLines("Compared with", ch.against, (a) => [`\`${a.ref}\` = \`${a.commit}\``]));
    lines.push(...factLines("Saved update plan (what the approvers approve and `pulumi up --plan` runs)", ch.savedPlan, (p) => [
        `\`${p.file}\` sha256 \`${p.sha256}\`: ${p.create.length} create, ${p.update.length} update, ${p.replace.length} replace, ${p.delete.length} delete, ${p.same} unchanged`,
        ...list([...p.replace.map((u) => `replace ${u}`), ...p.delete.map((u) => `delete ${u}`), ...p.create.map((u) => `create ${u}`), ...p.update.map((u) => `update ${u}`)], "no resource changes"),
    ]));
    lines.push(...factLines("Offline plan diff (mock engine; replacements are not predicted offline)", ch.offlinePlan, (d) => [
        `${d.added.length} added, ${d.changed.length} changed, ${d.deleted.length} deleted; protected resources touched: ${d.protectedTouched.length}`,
        ...list([...d.protectedTouched.map((p) => `**protected** ${p.key}: ${p.how}`), ...d.deleted.map((k) => `deleted ${k}`), ...d.added.map((k) => `added ${k}`), ...d.changed.map((c) => `changed ${c.key}: ${c.paths.join(", ") || "(protect)"}`)], "no resource changes"),
    ]));
    lines.push(...factLines("Offline inventory sha256", ch.inventorySha256, (v) => [`\`${v}\``]));
    lines.push(...factLines("ksqlDB rebuild / replay effects", ch.ksql, (k) => list(k.map((e) => `${e.app}: ${e.statement}: ${e.action}: ${escapeMd(e.effect)}`), "no ksqlDB statement changes")));
    lines.push(...factLines("Schema verdicts per subject", ch.schemas, (s) => [
        ...(s.subjects.length === 0 ? ["no subject changed"] : ["| subject | mode | migration | verdict |", "| --- | --- | --- | --- |", ...s.subjects.map((v) => `| ${v.subject} | ${v.mode} | ${v.migration} | ${v.compatible ? "compatible" : `INCOMPATIBLE: ${escapeMd(v.problems.join("; "))}`} |`)]),
        ...s.errors.map((e) => `- error: ${escapeMd(e)}`),
    ]));
    lines.push(...factLines("Migrations applied by this change", ch.migrations, (m) => list(m, "none")));

    const te = pack.testing;
    lines.push("## 3. How it was tested", "");
    lines.push(...factLines("Test suite", te.suite, (s) => [
        `${s.tests} tests: ${s.passes} passed, ${s.failures} failed, ${s.pending} pending (${Math.round(s.durationMs / 1000)} s); type check: ${s.typecheckExitCode === null ? "not recorded" : s.typecheckExitCode === 0 ? "passed" : `FAILED (exit ${s.typecheckExitCode})`}`,
        ...s.failing.map((f) => `- FAILED ${escapeMd(f.title)}${f.file ? ` (${f.file})` : ""}: ${escapeMd(f.error)}`),
    ]));
    lines.push(...factLines("End-to-end data path (npm run e2e)", te.e2e, (e) => [
        `${e.ok ? "ok" : "FAILED"}`,
        "| hop | ok | latency ms | detail |",
        "| --- | --- | --- | --- |",
        ...e.hops.map((h) => `| ${h.name} | ${h.status === "not-run" ? "NOT RUN" : h.ok ? "yes" : "NO"} | ${h.latencyMs ?? "—"} | ${escapeMd(h.detail)} |`),
        ...(e.differences.length > 0 ? ["", "Differences from the deployed platform:", ...e.differences.map((d) => `- ${escapeMd(differenceText(d))}`)] : []),
    ]));
    lines.push(...factLines("Policy pack", te.policies, (p) => [
        `${p.checked.length} policies (${p.checked.filter((c) => c.level === "mandatory").length} mandatory): ${p.mandatory.length} mandatory violation(s), ${p.advisory.length} advisory`,
        ...p.mandatory.map((v) => `- MANDATORY ${v.policy}: ${escapeMd(v.message)}`),
        ...p.advisory.map((v) => `- advisory ${v.policy}: ${escapeMd(v.message)}`),
    ]));

    const ad = pack.afterDeploy;
    lines.push("## 4. After deploy", "");
    lines.push(...factLines("pulumi up", ad.up, (u) => [`${u.result}${u.version !== undefined ? ` (update #${u.version})` : ""}${u.gitHead ? ` from ${u.gitHead.slice(0, 12)}` : ""}${u.startTime ? `, ${u.startTime} – ${u.endTime ?? "?"}` : ""}: ${Object.entries(u.resourceChanges).map(([k, v]) => `${v} ${k}`).join(", ") || "no resource changes"}`]));
    lines.push(...factLines("Drift check (refresh --preview-only after the update)", ad.drift, (d) => [`${d.ok ? "prod matches the program" : `DRIFT: ${d.changed.join(", ")}`} (${Object.entries(d.changeSummary).map(([k, v]) => `${v} ${k}`).join(", ")})`]));
    return `${lines.join("\n").trimEnd()}\n`;
}

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The same page as standalone HTML (no scripts, no external resources): the Markdown, preformatted. */
export function renderHtml(pack: EvidencePack, markdown: string): string {
    const colour = pack.verdict === "PASS" ? "#0a7d28" : pack.verdict === "FAIL" ? "#b00020" : "#8a5a00";
    return [
        "<!doctype html>",
        `<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(pack.headline)}</title>`,
        `<style>body{font:14px/1.45 system-ui,sans-serif;max-width:72em;margin:2em auto;padding:0 1em}pre{white-space:pre-wrap}h1{color:${colour}}</style></head>`,
        `<body><h1>${escapeHtml(pack.headline)}</h1>`,
        `<pre>${escapeHtml(markdown.split("\n").slice(1).join("\n"))}</pre>`,
        "</body></html>",
        "",
    ].join("\n");
}

// ---------------------------------------------------------------------------------------------
// Integrity

export const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/** `<sha256>  <file>` lines (sha256sum's format, so `sha256sum -c MANIFEST.sha256` checks it too). */
export function manifestOf(files: { name: string; content: string | Buffer }[]): string {
    return `${[...files].sort((a, b) => a.name.localeCompare(b.name)).map((f) => `${sha256(f.content)}  ${f.name}`).join("\n")}\n`;
}

export function parseManifest(text: string): Map<string, string> {
    const entries = new Map<string, string>();
    for (const [i, line] of text.split("\n").entries()) {
        if (!line.trim()) continue;
        const m = /^([0-9a-f]{64}) {2}([\w.-]+)$/.exec(line);
        if (!m) throw new Error(`${PACK_FILES.manifest} line ${i + 1}: not "<sha256>  <file>": ${line}`);
        entries.set(m[2], m[1]);
    }
    return entries;
}

/** Canonical JSON (keys sorted) so a digest does not depend on key order. */
export function canonicalJson(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
    if (value && typeof value === "object") {
        return `{${Object.keys(value)
            .sort()
            .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
            .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
            .join(",")}}`;
    }
    return JSON.stringify(value);
}
