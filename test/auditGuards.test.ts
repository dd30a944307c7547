// Issue 22, items 8 and 9: nobody but the audit sink writes (or deletes) under audit/ in the
// staging bucket, whose files S3 Replication locks into the archive for years; the sinks' roles
// write only their own prefix; the archive has its own KMS key that no one but a named break-glass
// role may schedule for deletion, disable or re-police, and scheduling its deletion raises an alarm.
import { strict as assert } from "assert";
import { ARCHIVE_KEY_PROTECTED_ACTIONS, archiveKeyPolicy, auditStagingBucketPolicy, AUDIT_TOPICS_DIR, sinkKeyUseStatement } from "../components/sinks";
import { checkResources } from "../policy/rules";
import { inventoryPolicySubjects } from "../scripts/inventory";
import { identityPolicies, rolesAllowed, statementCovers } from "./support/iamPolicies";
import { StackRun, plain, runStack } from "./support/harness";

const T = {
    bucket: "aws:s3/bucket:Bucket",
    policy: "aws:s3/bucketPolicy:BucketPolicy",
    role: "aws:iam/role:Role",
    kmsKey: "aws:kms/key:Key",
    encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    replication: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
    eventRule: "aws:cloudwatch/eventRule:EventRule",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    connector: "confluentcloud:index/connector:Connector",
    integration: "confluentcloud:index/providerIntegration:ProviderIntegration",
};
const STAGING = "arn:aws:s3:::lifesci-dev-audit-staging-1";
const AUDIT_SINK_ROLE = "arn:aws:iam::1:role/lifesci-dev-confluent-s3-audit-sink";
const BREAK_GLASS = "arn:aws:iam::1:role/lifesci-break-glass";

describe("audit staging and archive key (pure builders)", () => {
    it("staging bucket policy: TLS only; writes and deletes under audit/ denied to every principal but the audit sink role", () => {
        const doc = auditStagingBucketPolicy(STAGING, AUDIT_SINK_ROLE, AUDIT_TOPICS_DIR);
        const guard = doc.Statement.find((s) => s.Sid === "OnlyAuditSinkWritesAudit")!;
        assert.deepEqual([guard.Effect, guard.Principal, guard.Condition], ["Deny", "*", { ArnNotEquals: { "aws:PrincipalArn": AUDIT_SINK_ROLE } }]);
        for (const action of ["s3:PutObject", "s3:PutObjectTagging", "s3:PutObjectAcl", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:ReplicateObject", "s3:RestoreObject"]) {
            assert.ok(statementCovers(guard as any, action, `${STAGING}/audit/lifesci.audit.cdc_changes/x.parquet`), action);
        }
        assert.ok(!statementCovers(guard as any, "s3:PutObject", `${STAGING}/other/x`), "only the audit prefix is guarded");
        assert.ok(doc.Statement.some((s) => s.Sid === "DenyInsecureTransport"));
        assert.throws(() => auditStagingBucketPolicy(STAGING, "", AUDIT_TOPICS_DIR), /audit sink role ARN is empty/);
    });

    it("archive key policy: account IAM may manage it, but ScheduleKeyDeletion, DisableKey and PutKeyPolicy only the break-glass role", () => {
        const doc = archiveKeyPolicy({ accountId: "111122223333", partition: "aws", breakGlassRoleArn: BREAK_GLASS });
        const deny = doc.Statement.find((s) => s.Effect === "Deny")!;
        assert.deepEqual(deny.Principal, { AWS: "*" });
        assert.deepEqual([...(deny.Action as string[])].sort(), ["kms:DisableKey", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"]);
        assert.deepEqual([...ARCHIVE_KEY_PROTECTED_ACTIONS].sort(), ["kms:DisableKey", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"]);
        assert.deepEqual(deny.Condition, { ArnNotEquals: { "aws:PrincipalArn": BREAK_GLASS } });
        const root = doc.Statement.find((s) => s.Effect === "Allow")!;
        assert.deepEqual(root.Principal, { AWS: "arn:aws:iam::111122223333:root" });
        assert.throws(() => archiveKeyPolicy({ accountId: "1", partition: "aws", breakGlassRoleArn: "" }), /break-glass role/);
    });

    it("sink key use: only through S3 in the region, only for the sink's buckets' encryption context", () => {
        const st = sinkKeyUseStatement("arn:aws:kms:eu-central-1:1:key/k", "eu-central-1", ["arn:aws:s3:::raw"]);
        assert.deepEqual(st.Condition, {
            StringEquals: { "kms:ViaService": "s3.eu-central-1.amazonaws.com" },
            StringLike: { "kms:EncryptionContext:aws:s3:arn": ["arn:aws:s3:::raw", "arn:aws:s3:::raw/*"] },
        });
    });
});

describe("audit staging and archive key under mocks (dev and prod)", function () {
    this.timeout(120_000);
    const runs: Record<string, StackRun> = {};
    before(async () => {
        for (const stack of ["dev", "prod"]) runs[stack] = await runStack(stack);
    });

    for (const stack of ["dev", "prod"]) {
        it(`${stack}: only the audit sink's role may write audit/ in staging; the raw sink's role only its own prefix`, () => {
            const run = runs[stack];
            const staging = run.one(T.bucket, "lake-audit-staging").state.arn;
            const raw = run.one(T.bucket, "lake-raw").state.arn;
            const policies = identityPolicies(run);
            assert.deepEqual(rolesAllowed(policies, ["s3:PutObject"], `${staging}/${AUDIT_TOPICS_DIR}/x.parquet`), ["lake-audit-sink-role"]);
            assert.deepEqual(rolesAllowed(policies, ["s3:PutObject"], `${raw}/cdc/x.parquet`), ["lake-sink-role"]);
            assert.deepEqual(rolesAllowed(policies, ["s3:PutObject"], `${staging}/other/x`), []);
            const auditRole = run.one(T.role, "lake-audit-sink-role");
            const bucketPolicy = run.ofType(T.policy).find((p) => p.inputs.bucket === run.one(T.bucket, "lake-audit-staging").id)!;
            assert.deepEqual(JSON.parse(bucketPolicy.inputs.policy), auditStagingBucketPolicy(staging, auditRole.state.arn, AUDIT_TOPICS_DIR));
            // Each S3 sink assumes its own role through its own provider integration.
            const integrationOf = (sink: string) => plain(run.one(T.connector, `sink-${sink}`).inputs.configNonsensitive)["provider.integration.id"];
            assert.notEqual(integrationOf("s3-audit"), integrationOf("s3-raw"));
        });

        it(`${stack}: the archive has its own key, break-glass protected; replicas are encrypted with it; deleting it raises an alarm`, () => {
            const run = runs[stack];
            const archiveKey = run.one(T.kmsKey, "lake-archive-key");
            const lakeKey = run.one(T.kmsKey, "lake-key");
            const encryptionOf = (bucket: string) =>
                run.ofType(T.encryption).find((e) => e.inputs.bucket === run.one(T.bucket, bucket).id)!.inputs.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId;
            assert.equal(encryptionOf("lake-audit"), archiveKey.state.arn);
            assert.equal(encryptionOf("lake-raw"), lakeKey.state.arn);
            assert.equal(run.one(T.replication).inputs.rules[0].destination.encryptionConfiguration.replicaKmsKeyId, archiveKey.state.arn);
            const policy = JSON.parse(archiveKey.inputs.policy);
            const deny = policy.Statement.find((s: any) => s.Effect === "Deny");
            assert.ok(deny && /break-glass/.test(JSON.stringify(deny.Condition)), JSON.stringify(policy));
            // No evidence writers configured (the default): the account's IAM policies are the only key users.
            assert.deepEqual(policy.Statement.filter((s: any) => s.Effect === "Allow").map((s: any) => s.Sid), ["EnableIamPolicies"]);
            assert.equal(archiveKey.protect, stack === "prod");
            const rule = run.ofType(T.eventRule).find((r) => r.inputs.eventPattern && JSON.parse(r.inputs.eventPattern).detail?.eventName?.includes("ScheduleKeyDeletion"))!;
            assert.ok(rule, "an EventBridge rule matches ScheduleKeyDeletion");
            const pattern = JSON.parse(rule.inputs.eventPattern);
            assert.deepEqual(pattern.source, ["aws.kms"]);
            assert.deepEqual(pattern["detail-type"], ["AWS API Call via CloudTrail"]);
            assert.ok(run.ofType(T.alarm).some((a) => a.inputs.dimensions?.RuleName === rule.inputs.name && a.inputs.threshold === 0), "an alarm on the rule's TriggeredRules");
            // The sink roles use their key only through S3, for their buckets.
            const sinkKeyUse = identityPolicies(run).filter((p) => /sink-access/.test(p.from)).flatMap((p) => p.statements).filter((s) => [s.Action].flat().some((a) => String(a).startsWith("kms:")));
            assert.ok(sinkKeyUse.length >= 2);
            for (const s of sinkKeyUse) assert.ok(s.Condition?.StringEquals?.["kms:ViaService"] && s.Condition?.StringLike?.["kms:EncryptionContext:aws:s3:arn"], JSON.stringify(s));
        });

        it(`${stack}: the policy pack passes the stack`, () => {
            const violations = checkResources(inventoryPolicySubjects(runs[stack])).filter((v) => ["audit-staging-write-guard", "audit-archive-key-protected"].includes(v.policy));
            assert.deepEqual(violations, []);
        });
    }
});
