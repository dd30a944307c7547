// Evidence packs in the audit archive (issue 25): only the configured writers (the prod deploy
// role) may add objects, only under evidence/, only with PutObject (so the bucket's default
// retention applies); the replication role never writes there; nobody deletes. The archive's bucket
// policy is evaluated statement by statement for a principal, an action and a key.
import { strict as assert } from "assert";
import { ARCHIVE_DELETE_ACTIONS, ARCHIVE_WRITE_ACTIONS, EVIDENCE_PREFIX, PolicyDocument, PolicyStatement, auditArchiveBucketPolicy } from "../components/sinks";
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
        await assert.rejects(runStack("prod", { set: { [lakeKey]: lakeWith({ evidenceWriterArns: ["deploy-role"] }) }, fresh: true }), /lake\.evidenceWriterArns.*IAM role ARN/s);
    });
});
