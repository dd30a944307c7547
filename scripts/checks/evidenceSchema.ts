// The JSON Schema (2020-12) of evidence.json. Built here with small helpers so every fact has the same
// present/missing shape; the committed copy is docs/evidence-pack.schema.json (a test fails when it
// is stale: `npm run evidence -- --write-schema` renews it). Every pack carries a copy.
import { PACK_SCHEMA_VERSION } from "./evidencePack";

type Schema = Record<string, unknown>;

const str: Schema = { type: "string" };
const nonEmpty: Schema = { type: "string", minLength: 1 };
const int: Schema = { type: "integer", minimum: 0 };
const bool: Schema = { type: "boolean" };
const sha: Schema = { type: "string", pattern: "^[0-9a-f]{64}$" };
const commitSha: Schema = { type: "string", pattern: "^[0-9a-f]{40}$" };
const arr = (items: Schema, extra: Schema = {}): Schema => ({ type: "array", items, ...extra });
const obj = (properties: Record<string, Schema>, optional: string[] = []): Schema => ({
    type: "object",
    properties,
    required: Object.keys(properties).filter((k) => !optional.includes(k)),
    additionalProperties: false,
});
const record = (values: Schema): Schema => ({ type: "object", additionalProperties: values });

/** A fact: present with its source and value, or missing with its source and the reason. */
const fact = (value: Schema): Schema => ({
    oneOf: [
        obj({ status: { const: "present" }, source: nonEmpty, value }),
        { $ref: "#/$defs/missing" },
    ],
});

const approval = obj({ reviewer: nonEmpty, state: nonEmpty, at: str, comment: str }, ["at", "comment"]);
const violation = obj({ policy: nonEmpty, message: str, urn: str }, ["urn"]);

export function evidencePackSchema(): Schema {
    return {
        $schema: "https://json-schema.org/draft/2020-12/schema",
        $id: "https://github.com/lifesci/lifesci-streaming/docs/evidence-pack.schema.json",
        title: "lifesci-streaming evidence pack",
        description: "What was planned, approved, tested and deployed for one change of a stack (README: Evidence packs for quality reviewers).",
        $defs: { missing: obj({ status: { const: "missing" }, source: nonEmpty, reason: nonEmpty }) },
        ...obj({
            headline: { type: "string", pattern: "^(PASS|FAIL|INCOMPLETE): " },
            verdict: { enum: ["PASS", "FAIL", "INCOMPLETE"] },
            reasons: arr(nonEmpty),
            schemaVersion: { const: PACK_SCHEMA_VERSION },
            stage: { enum: ["planned", "deployed"] },
            stack: nonEmpty,
            generated: obj({ at: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}" }, command: nonEmpty }),
            identity: obj({
                commit: fact(obj({ sha: commitSha, subject: str, worktreeClean: bool })),
                ref: fact(nonEmpty),
                workflowRun: fact(obj({ repository: nonEmpty, runId: nonEmpty, runAttempt: nonEmpty, workflowRef: nonEmpty, url: nonEmpty })),
                pullRequest: fact(obj({ number: int, title: str, url: str, author: str, mergedAt: str, approvals: arr(approval) }, ["mergedAt"])),
                deploymentApprovals: fact(arr(approval)),
                tools: obj({
                    node: fact(nonEmpty),
                    pulumiCli: fact(nonEmpty),
                    pulumiSdk: fact(nonEmpty),
                    providers: fact(record(nonEmpty)),
                    policyPack: fact(record(nonEmpty)),
                    lockfileSha256: fact(sha),
                    connectors: fact(arr(obj({ resource: nonEmpty, connectorClass: nonEmpty }))),
                }),
                streamsImages: fact(arr(obj({ resource: nonEmpty, image: { type: "string", pattern: "@sha256:[0-9a-f]{64}$" } }))),
            }),
            changes: obj({
                against: fact(obj({ ref: nonEmpty, commit: commitSha })),
                inventorySha256: fact(sha),
                offlinePlan: fact(
                    obj({
                        added: arr(nonEmpty),
                        deleted: arr(nonEmpty),
                        changed: arr(obj({ key: nonEmpty, paths: arr(str) })),
                        protectedTouched: arr(obj({ key: nonEmpty, how: { enum: ["deleted", "changed", "protect flag changed"] } })),
                    }),
                ),
                savedPlan: fact(obj({ file: nonEmpty, sha256: sha, create: arr(str), update: arr(str), replace: arr(str), delete: arr(str), same: int })),
                ksql: fact(arr(obj({ app: nonEmpty, statement: nonEmpty, action: nonEmpty, effect: str }))),
                schemas: fact(obj({ ok: bool, subjects: arr(obj({ subject: nonEmpty, mode: nonEmpty, migration: str, compatible: bool, problems: arr(str) })), errors: arr(str) })),
                migrations: fact(arr(nonEmpty)),
            }),
            testing: obj({
                suite: fact(obj({ tests: int, passes: int, failures: int, pending: int, durationMs: { type: "number", minimum: 0 }, failing: arr(obj({ title: nonEmpty, file: str, error: str }, ["file"])), typecheckExitCode: { type: ["integer", "null"] } })),
                e2e: fact(obj({ ok: bool, hops: arr(obj({ name: nonEmpty, ok: bool, status: nonEmpty, latencyMs: { type: ["number", "null"] }, detail: str }, ["status"])), differences: arr({}) })),
                policies: fact(obj({ checked: arr(obj({ policy: nonEmpty, level: { enum: ["mandatory", "advisory"] } }), { minItems: 1 }), mandatory: arr(violation), advisory: arr(violation) })),
            }),
            afterDeploy: obj({
                up: fact(obj({ result: nonEmpty, version: int, gitHead: str, startTime: str, endTime: str, resourceChanges: record(int) }, ["version", "gitHead", "startTime", "endTime"])),
                drift: fact(obj({ ok: bool, changeSummary: record(int), changed: arr(str) })),
            }),
            attestation: {
                oneOf: [obj({ expected: { const: false } }), obj({ expected: { const: true }, repository: { type: "string", pattern: "^[\\w.-]+/[\\w.-]+$" }, signerWorkflow: nonEmpty })],
            },
        }),
    };
}

export const schemaText = () => `${JSON.stringify(evidencePackSchema(), null, 2)}\n`;
