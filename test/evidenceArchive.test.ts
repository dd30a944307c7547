// Evidence packs in the audit archive (issue 25): only the configured writers (the prod deploy
// role) may add objects, only under evidence/, only with PutObject (so the bucket's default
// retention applies); the replication role never writes there; nobody deletes. The archive's bucket
// policy is evaluated statement by statement for a principal, an action and a key.
import { strict as assert } from "assert";
import { ARCHIVE_DELETE_ACTIONS, ARCHIVE_WRITE_ACTIONS, EVIDENCE_PREFIX, PolicyDocument, PolicyStatement, archiveKeyPolicy, auditArchiveBucketPolicy, evidenceWriterKeyStatement } from "../components/sinks";
import { checkResources } from "../policy/rules";
import { inventoryPolicySubjects } from "../scripts/inventory";
import { readStackConfig, runStack } from "./support/harness";
import { actionMatches, resourceMatches } from "./support/iamPolicies";

const ARCHIVE = "arn:aws:s3:::lifesci-prod-audit-archive";
const REPLICATION = "arn:aws:iam::123456789012:role/lifesci-prod-audit-replication";
const DEPLOY = "arn:aws:iam::123456789012:role/lifesci-prod-deploy";
const OTHER = "arn:aws:iam::123456789012:role/admin";

const list = (v: string | string[] | undefined) => (v === undefined ? [] : [v].flat());

/** Whether a Deny statement of the bucket policy applies (conditions: ArnEquals/ArnNotEquals on aws:PrincipalArn, aws:SecureTransport). */
function denies(statement: PolicyStatement, principal: string, action: string, key: string, archive: string): boolean {
    if (statement.Effect !== "Deny" || !list(statement.Action).some((a) => actionMatches(a, action))) return false;
    const object = `${archive}/${key}`;
    if (statement.Resource !== undefined && !list(statement.Resource).some((r) => resourceMatches(r, object))) return false;
    if (statement.NotResource !== undefined && list(statement.NotResource).some((r) => resourceMatches(r, object))) return false;
    for (const [operator, clause] of Object.entries(statement.Condition ?? {})) {
        for (const [conditionKey, value] of Object.entries(clause)) {
            if (conditionKey === "aws:SecureTransport") return false; // the request is over TLS
            assert.equal(conditionKey, "aws:PrincipalArn", `unexpected condition key ${conditionKey}`);
            const matches = list(value as string | string[]).includes(principal);
            if (operator === "ArnEquals" && !matches) return false;
            if (operator === "ArnNotEquals" && matches) return false;
            if (operator !== "ArnEquals" && operator !== "ArnNotEquals") assert.fail(`unexpected operator ${operator}`);
        }
    }
    return true;
}
/** An SSE-KMS request S3 makes to KMS on a caller's behalf: the caller, the KMS action, the service and S3's encryption context. */
interface KeyUse {
    principal: string;
    action: string;
    viaService: string;
    /** aws:s3:arn: the bucket ARN (S3 Bucket Keys, as the archive uses) or the object ARN. */
    s3Arn: string;
}

/** Whether a key policy lets the principal itself (not through the account's IAM policies) make this call; Deny wins. */
function keyPolicyAllows(doc: PolicyDocument, use: KeyUse): boolean {
    const applies = (st: PolicyStatement) => {
        const principals = list((st.Principal as { AWS?: string | string[] } | undefined)?.AWS);
        if (!principals.includes(use.principal) && !principals.includes("*")) return false;
        if (!list(st.Action).some((a) => actionMatches(a, use.action))) return false;
        for (const [operator, clause] of Object.entries(st.Condition ?? {})) {
            for (const [key, value] of Object.entries(clause)) {
                const actual = key === "kms:ViaService" ? use.viaService : key === "kms:EncryptionContext:aws:s3:arn" ? use.s3Arn : key === "aws:PrincipalArn" ? use.principal : assert.fail(`unexpected condition key ${key}`);
                const values = list(value as string | string[]);
                const hit = operator.startsWith("StringLike") || operator.startsWith("ArnLike") ? values.some((v) => resourceMatches(v, actual)) : values.includes(actual);
                if (operator.includes("Not") ? hit : !hit) return false;
            }
        }
        return true;
    };
    const statements = doc.Statement.filter(applies);
    return statements.some((s) => s.Effect === "Allow") && !statements.some((s) => s.Effect === "Deny");
}

const deniedBy = (policy: PolicyDocument, principal: string, action: string, key: string, archive = ARCHIVE) =>
    policy.Statement.filter((s) => denies(s, principal, action, key, archive)).map((s) => s.Sid);

describe("evidence packs in the audit archive: bucket policy", () => {
    const policy = auditArchiveBucketPolicy(ARCHIVE, REPLICATION, [DEPLOY]);
    const pack = `${EVIDENCE_PREFIX}/prod/2026/12/03/abc-1-1/evidence.json`;

    it("the deploy role may only PutObject under evidence/ (no own retention, tags or legal hold)", () => {
        assert.deepEqual(deniedBy(policy, DEPLOY, "s3:PutObject", pack), []);
        assert.notDeepEqual(deniedBy(policy, DEPLOY, "s3:PutObject", "audit/cdc/x.parquet"), [], "not into the audit trail");
        assert.notDeepEqual(deniedBy(policy, DEPLOY, "s3:PutObject", "evidence-forged/x"), [], "not a look-alike prefix");
        for (const action of ARCHIVE_WRITE_ACTIONS.filter((a) => a !== "s3:PutObject")) assert.notDeepEqual(deniedBy(policy, DEPLOY, action, pack), [], action);
        for (const action of ARCHIVE_DELETE_ACTIONS) assert.notDeepEqual(deniedBy(policy, DEPLOY, action, pack), [], action);
    });

    it("nobody else writes evidence: not the replication role, not an admin; the replication path is unchanged", () => {
        assert.deepEqual(deniedBy(policy, REPLICATION, "s3:ReplicateObject", pack), ["ReplicationNeverWritesEvidence"]);
        assert.deepEqual(deniedBy(policy, REPLICATION, "s3:ReplicateObject", "audit/cdc/x.parquet"), []);
        assert.notDeepEqual(deniedBy(policy, OTHER, "s3:PutObject", pack), []);
        assert.notDeepEqual(deniedBy(policy, OTHER, "s3:DeleteObjectVersion", pack), []);
    });

    it("without writers (the default) nobody may write evidence", () => {
        const closed = auditArchiveBucketPolicy(ARCHIVE, REPLICATION);
        assert.notDeepEqual(deniedBy(closed, DEPLOY, "s3:PutObject", pack), []);
        assert.deepEqual(deniedBy(closed, REPLICATION, "s3:ReplicateObject", "audit/cdc/x.parquet"), []);
    });

    it("a writer that is not an IAM role ARN is refused, naming the key", () => {
        assert.throws(() => auditArchiveBucketPolicy(ARCHIVE, REPLICATION, ["arn:aws:iam::123456789012:user/alice"]), /lake\.evidenceWriterArns: .* is not an IAM role ARN/);
    });
});

describe("evidence packs in the audit archive: the archive key (SSE-KMS PutObject)", () => {
    const keyPolicy = archiveKeyPolicy({
        accountId: "123456789012",
        partition: "aws",
        breakGlassRoleArn: "arn:aws:iam::123456789012:role/break-glass",
        evidenceWriters: { writerArns: [DEPLOY], archiveBucketArn: ARCHIVE, region: "eu-central-1" },
    });
    const put: KeyUse = { principal: DEPLOY, action: "kms:GenerateDataKey", viaService: "s3.eu-central-1.amazonaws.com", s3Arn: ARCHIVE };

    it("a writer may GenerateDataKey for a PutObject into the archive, with S3 Bucket Keys or without (an object under evidence/)", () => {
        assert.equal(keyPolicyAllows(keyPolicy, put), true);
        assert.equal(keyPolicyAllows(keyPolicy, { ...put, s3Arn: `${ARCHIVE}/${EVIDENCE_PREFIX}/prod/2026/12/03/abc-1-1/evidence.json` }), true);
    });

    it("only that: not outside S3 or in another region, not for another bucket or the audit trail, no Decrypt, no management; nobody else", () => {
        assert.equal(keyPolicyAllows(keyPolicy, { ...put, viaService: "s3.us-east-1.amazonaws.com" }), false, "S3 of another region");
        assert.equal(keyPolicyAllows(keyPolicy, { ...put, viaService: "lambda.eu-central-1.amazonaws.com" }), false, "another service");
        assert.equal(keyPolicyAllows(keyPolicy, { ...put, s3Arn: "arn:aws:s3:::lifesci-prod-lake-raw" }), false, "another bucket");
        assert.equal(keyPolicyAllows(keyPolicy, { ...put, s3Arn: `${ARCHIVE}/audit/cdc/x.parquet` }), false, "an audit trail object");
        for (const action of ["kms:Decrypt", "kms:Encrypt", "kms:ReEncryptFrom", "kms:CreateGrant", "kms:ScheduleKeyDeletion", "kms:PutKeyPolicy"]) assert.equal(keyPolicyAllows(keyPolicy, { ...put, action }), false, action);
        assert.equal(keyPolicyAllows(keyPolicy, { ...put, principal: OTHER }), false);
        const st = evidenceWriterKeyStatement([DEPLOY], ARCHIVE, "eu-central-1")!;
        assert.deepEqual(st.Action, ["kms:GenerateDataKey"], "a single PutObject needs GenerateDataKey only (Decrypt would read the audit trail)");
        // The break-glass guard still holds for the writers.
        assert.ok(keyPolicy.Statement.some((s) => s.Effect === "Deny" && list(s.Action).includes("kms:PutKeyPolicy")));
    });

    it("without writers the key policy names no key user; a writer that is not a role is refused, naming the key", () => {
        const closed = archiveKeyPolicy({ accountId: "123456789012", partition: "aws", breakGlassRoleArn: "arn:aws:iam::123456789012:role/break-glass", evidenceWriters: { writerArns: [], archiveBucketArn: ARCHIVE, region: "eu-central-1" } });
        assert.equal(keyPolicyAllows(closed, put), false);
        assert.deepEqual(closed.Statement.map((s) => s.Sid), ["EnableIamPolicies", "OnlyBreakGlassDeletesDisablesOrRepolices"]);
        assert.throws(() => evidenceWriterKeyStatement(["arn:aws:iam::123456789012:user/alice"], ARCHIVE, "eu-central-1"), /lake\.evidenceWriterArns: .* is not an IAM role ARN/);
    });
});

describe("evidence packs in the audit archive: the prod stack", function () {
    this.timeout(120_000);
    const lakeKey = "lifesci-streaming:lake";
    const lakeWith = (extra: Record<string, unknown>) => ({ ...JSON.parse(readStackConfig("prod").values[lakeKey]), ...extra });

    it("lake.evidenceWriterArns reaches the archive's bucket policy; a bad ARN fails naming the key", async () => {
        const run = await runStack("prod", { set: { [lakeKey]: lakeWith({ evidenceWriterArns: [DEPLOY] }) }, fresh: true });
        const archive = run.one("aws:s3/bucket:Bucket", "lake-audit");
        const bucketPolicy = run.ofType("aws:s3/bucketPolicy:BucketPolicy").find((p) => p.inputs.bucket === archive.id)!;
        const doc = JSON.parse(bucketPolicy.inputs.policy) as PolicyDocument;
        const arn = archive.state.arn as string;
        assert.deepEqual(deniedBy(doc, DEPLOY, "s3:PutObject", `${EVIDENCE_PREFIX}/prod/x`, arn), []);
        assert.notDeepEqual(deniedBy(doc, DEPLOY, "s3:PutObject", "audit/x", arn), []);
        // The archive's key lets the writer encrypt what it puts there: through S3 of prod's region, for this bucket.
        const key = run.one("aws:kms/key:Key", "lake-archive-key");
        const keyPolicy = JSON.parse(key.inputs.policy) as PolicyDocument;
        const region = readStackConfig("prod").values["aws:region"];
        assert.equal(region, "eu-central-1");
        assert.equal(keyPolicyAllows(keyPolicy, { principal: DEPLOY, action: "kms:GenerateDataKey", viaService: `s3.${region}.amazonaws.com`, s3Arn: arn }), true, JSON.stringify(keyPolicy));
        assert.equal(keyPolicyAllows(keyPolicy, { principal: DEPLOY, action: "kms:Decrypt", viaService: `s3.${region}.amazonaws.com`, s3Arn: arn }), false);
        // The program's policy pack accepts that key policy (only GenerateDataKey through S3 for named users).
        assert.deepEqual(checkResources(inventoryPolicySubjects(run)).filter((v) => v.policy === "audit-archive-key-protected"), []);
        await assert.rejects(runStack("prod", { set: { [lakeKey]: lakeWith({ evidenceWriterArns: ["deploy-role"] }) }, fresh: true }), /lake\.evidenceWriterArns.*IAM role ARN/s);
    });
});
