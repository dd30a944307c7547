// The audit archive path (issue 15, finding 2) and the S3 sink role (finding 3): the managed S3 sink
// writes to a staging bucket, S3 Replication copies into the object-locked archive, and no principal
// but the replication role may write the archive. Pure builders and the dev/prod stacks under mocks.
import { strict as assert } from "assert";
import {
    ARCHIVE_DELETE_ACTIONS,
    ARCHIVE_WRITE_ACTIONS,
    AUDIT_REPLICATION_RULE_ID,
    auditArchiveBucketPolicy,
    auditReplicationRule,
    replicationRolePolicy,
} from "../components/sinks";
import { auditArchiveTopics } from "../components/catalog";
import { AUDIT_TOPICS_DIR, sinkAccessPolicy, tlsOnlyBucketPolicy } from "../components/sinks";
import { StackRun, runStack } from "./support/harness";
import { identityPolicies, rolesAllowed, statementCovers } from "./support/iamPolicies";
import { s3ReplicationRuleProblems } from "./support/s3ReplicationApi";

const T = {
    bucket: "aws:s3/bucket:Bucket",
    policy: "aws:s3/bucketPolicy:BucketPolicy",
    replication: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    objectLock: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    role: "aws:iam/role:Role",
    kmsKey: "aws:kms/key:Key",
    connector: "confluentcloud:index/connector:Connector",
};

/**
 * Confluent's documented IAM policy for the S3 sink (cc-s3-sink "User account IAM policy", the same
 * statements as terraform-provider-confluent's s3-sink-connector-assume-role example): action ->
 * what it applies to.
 */
const DOCUMENTED_S3_SINK_POLICY: Record<string, "all-buckets" | "bucket" | "objects"> = {
    "s3:ListAllMyBuckets": "all-buckets",
    "s3:ListBucket": "bucket",
    "s3:GetBucketLocation": "bucket",
    "s3:ListBucketMultipartUploads": "bucket",
    "s3:PutObject": "objects",
    "s3:PutObjectTagging": "objects",
    "s3:GetObject": "objects",
    "s3:AbortMultipartUpload": "objects",
    "s3:ListMultipartUploadParts": "objects",
};

const ARCHIVE = "arn:aws:s3:::lifesci-dev-audit-archive-1";
const REPLICATION_ROLE = "arn:aws:iam::1:role/lifesci-dev-audit-replication";

describe("audit archive path and S3 sink IAM (pure builders)", () => {
    it("S3 sink role: grants every action of Confluent's documented policy (incl. s3:ListAllMyBuckets), objects only under the sink prefix", () => {
        const bucketArn = "arn:aws:s3:::raw";
        const policy = sinkAccessPolicy([{ bucketArn, prefix: "cdc" }], "arn:aws:kms:r:1:key/k");
        const target = { "all-buckets": "arn:aws:s3:::some-other-bucket", bucket: bucketArn, objects: `${bucketArn}/cdc/x.parquet` };
        for (const [action, scope] of Object.entries(DOCUMENTED_S3_SINK_POLICY)) {
            assert.ok(
                policy.Statement.some((s) => s.Effect === "Allow" && statementCovers(s as any, action, target[scope])),
                `${action} on ${scope} is in Confluent's documented policy but not granted`,
            );
        }
        // Scoped as tightly as the documentation allows: objects outside the prefix, and other buckets, stay closed.
        for (const action of ["s3:PutObject", "s3:GetObject"]) {
            assert.ok(!policy.Statement.some((s) => statementCovers(s as any, action, `${bucketArn}/other/x`)), action);
            assert.ok(!policy.Statement.some((s) => statementCovers(s as any, action, "arn:aws:s3:::other/cdc/x")), action);
        }
        const listAll = policy.Statement.filter((s) => statementCovers(s as any, "s3:ListAllMyBuckets", "*"));
        assert.deepEqual(listAll.map((s) => s.Action), [["s3:ListAllMyBuckets"]], "ListAllMyBuckets stands alone");
    });

    it("archive bucket policy: TLS only, writes only by the replication role, deletes and governance bypass by nobody", () => {
        const policy = auditArchiveBucketPolicy(ARCHIVE, REPLICATION_ROLE);
        assert.deepEqual(policy.Statement[0], tlsOnlyBucketPolicy(ARCHIVE).Statement[0]);
        const writes = policy.Statement.find((s) => s.Sid === "OnlyReplicationWrites")!;
        assert.equal(writes.Effect, "Deny");
        assert.equal(writes.Principal, "*");
        assert.deepEqual(writes.Condition, { ArnNotEquals: { "aws:PrincipalArn": REPLICATION_ROLE } });
        for (const action of ["s3:PutObject", "s3:ReplicateObject", "s3:PutObjectRetention", "s3:PutObjectLegalHold"]) {
            assert.ok(statementCovers(writes as any, action, `${ARCHIVE}/audit/x`), action);
        }
        const deletes = policy.Statement.find((s) => s.Sid === "NoDeletes")!;
        assert.equal(deletes.Effect, "Deny");
        assert.equal(deletes.Condition, undefined, "no exception: nobody deletes");
        for (const action of ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:BypassGovernanceRetention", "s3:ReplicateDelete"]) {
            assert.ok(statementCovers(deletes as any, action, `${ARCHIVE}/audit/x`), action);
        }
        assert.throws(() => auditArchiveBucketPolicy(ARCHIVE, ""), /replication role ARN is empty/);
    });

    it("replication role: reads staging versions, replicates objects and tags (never deletes) into the archive, uses the key through S3", () => {
        const policy = replicationRolePolicy({ stagingBucketArn: "arn:aws:s3:::staging", archiveBucketArn: ARCHIVE, kmsKeyArn: "arn:aws:kms:eu-central-1:1:key/k", region: "eu-central-1" });
        const allows = (action: string, resource: string) => policy.Statement.some((s) => s.Effect === "Allow" && statementCovers(s as any, action, resource));
        assert.ok(allows("s3:GetReplicationConfiguration", "arn:aws:s3:::staging"));
        assert.ok(allows("s3:GetObjectVersionForReplication", "arn:aws:s3:::staging/audit/x"));
        assert.ok(allows("s3:ReplicateObject", `${ARCHIVE}/audit/x`));
        assert.ok(!allows("s3:ReplicateDelete", `${ARCHIVE}/audit/x`), "deletes are never replicated");
        assert.ok(!allows("s3:PutObject", `${ARCHIVE}/audit/x`));
        const kms = policy.Statement.find((s) => s.Sid === "UseLakeKeyThroughS3")!;
        assert.deepEqual(kms.Condition, { StringEquals: { "kms:ViaService": "s3.eu-central-1.amazonaws.com" } });
    });

    it("the S3 API oracle rejects what S3 rejected: an event threshold without Replication Time Control (issue 22, item 1)", () => {
        const rejected = { id: "r", status: "Enabled", priority: 1, filter: { prefix: "audit/" }, deleteMarkerReplication: { status: "Disabled" }, destination: { bucket: ARCHIVE, metrics: { status: "Enabled", eventThreshold: { minutes: 15 } } } };
        assert.deepEqual(s3ReplicationRuleProblems(rejected), ["Metrics cannot contain an event threshold when ReplicationTime is not specified or Disabled"]);
        const rtcOff = { ...rejected, destination: { ...rejected.destination, replicationTime: { status: "Disabled", time: { minutes: 15 } } } };
        assert.ok(s3ReplicationRuleProblems(rtcOff).some((p) => p.startsWith("Metrics cannot contain an event threshold")));
        const rtcAlone = { ...rejected, destination: { bucket: ARCHIVE, replicationTime: { status: "Enabled", time: { minutes: 15 } } } };
        assert.ok(s3ReplicationRuleProblems(rtcAlone).includes("ReplicationTime must be specified together with a Metrics block"));
        const noMarker = { ...rejected, deleteMarkerReplication: undefined, destination: { bucket: ARCHIVE } };
        assert.deepEqual(s3ReplicationRuleProblems(noMarker), ["a rule with Filter must specify DeleteMarkerReplication"]);
    });

    it("replication rule: accepted by the S3 API's documented constraints", () => {
        const rule = auditReplicationRule({ archiveBucketArn: ARCHIVE, kmsKeyArn: "arn:k", prefix: "audit" });
        assert.deepEqual(s3ReplicationRuleProblems(rule), []);
    });

    it("replication rule: the audit prefix, into the archive, re-encrypted, delete markers kept back, RTC (15 min) with metrics and missed-threshold events", () => {
        const rule = auditReplicationRule({ archiveBucketArn: ARCHIVE, kmsKeyArn: "arn:k", prefix: "audit" }) as any;
        assert.equal(rule.id, AUDIT_REPLICATION_RULE_ID);
        assert.equal(rule.status, "Enabled");
        assert.deepEqual(rule.filter, { prefix: "audit/" });
        assert.deepEqual(rule.deleteMarkerReplication, { status: "Disabled" });
        assert.deepEqual(rule.sourceSelectionCriteria, { sseKmsEncryptedObjects: { status: "Enabled" } });
        assert.deepEqual(rule.destination, {
            bucket: ARCHIVE,
            encryptionConfiguration: { replicaKmsKeyId: "arn:k" },
            replicationTime: { status: "Enabled", time: { minutes: 15 } },
            metrics: { status: "Enabled", eventThreshold: { minutes: 15 } },
        });
    });
});

describe("audit archive under mocks (dev and prod)", function () {
    this.timeout(60_000);
    const runs: Record<string, StackRun> = {};
    before(async () => {
        for (const stack of ["dev", "prod"]) runs[stack] = await runStack(stack);
    });

    for (const stack of ["dev", "prod"] as const) {
        it(`${stack}: no principal but the replication role may write the archive; the S3 sinks write the staging bucket`, () => {
            const run = runs[stack];
            const archive = run.one(T.bucket, "lake-audit").state.arn;
            const staging = run.one(T.bucket, "lake-audit-staging").state.arn;
            const replicationRole = run.one(T.role, "lake-replication-role");
            const objectInArchive = `${archive}/${AUDIT_TOPICS_DIR}/x.parquet`;

            // Identity policies: exactly one role may write or replicate into the archive, and nobody may delete there.
            const policies = identityPolicies(run);
            assert.ok(policies.length >= 3, "the run records the lake's and Grafana's role policies");
            assert.deepEqual(rolesAllowed(policies, ARCHIVE_WRITE_ACTIONS, objectInArchive), [replicationRole.name]);
            assert.deepEqual(rolesAllowed(policies, ARCHIVE_DELETE_ACTIONS, objectInArchive), []);
            assert.deepEqual(rolesAllowed(policies, ["s3:PutObject"], `${staging}/${AUDIT_TOPICS_DIR}/x.parquet`), ["lake-sink-role"]);

            // Resource policy: every other principal is denied, whatever its identity policy says.
            const bucketPolicy = run.ofType(T.policy).find((p) => p.inputs.bucket === run.one(T.bucket, "lake-audit").id)!;
            assert.deepEqual(JSON.parse(bucketPolicy.inputs.policy), auditArchiveBucketPolicy(archive, replicationRole.state.arn));
            assert.ok(bucketPolicy.dependsOn.length > 0);

            // The audit sink's config names the staging bucket, never the archive.
            const sink = run.ofType(T.connector).find((c) => c.name === "sink-s3-audit")!;
            const config = sink.inputs.configNonsensitive;
            assert.equal(config["s3.bucket.name"], run.one(T.bucket, "lake-audit-staging").inputs.bucket);
            assert.equal(config.topics, auditArchiveTopics("lifesci").join(","));
            assert.ok(!JSON.stringify(run.ofType(T.connector).map((c) => c.inputs.configNonsensitive)).includes(run.one(T.bucket, "lake-audit").inputs.bucket));
        });

        it(`${stack}: S3 Replication copies staging into the locked archive, after versioning, lock and role are in place`, () => {
            const run = runs[stack];
            const replication = run.one(T.replication);
            assert.equal(replication.inputs.bucket, run.one(T.bucket, "lake-audit-staging").id);
            assert.equal(replication.inputs.role, run.one(T.role, "lake-replication-role").state.arn);
            assert.equal(replication.inputs.token, undefined, "no Object Lock token: the source bucket is not locked");
            const [rule] = replication.inputs.rules;
            assert.deepEqual(s3ReplicationRuleProblems(rule), [], "the rule as the engine receives it passes the S3 API's constraints");
            assert.equal(rule.destination.bucket, run.one(T.bucket, "lake-audit").state.arn);
            assert.equal(rule.destination.encryptionConfiguration.replicaKmsKeyId, run.one(T.kmsKey, "lake-key").state.arn);
            for (const dep of ["lake-audit-staging-versioning", "lake-audit-versioning", "lake-audit-object-lock"]) {
                assert.ok(replication.dependsOn.some((d) => d.endsWith(`::${dep}`)), `replication waits for ${dep}`);
            }
            assert.equal(replication.protect, stack === "prod");
            // The archive keeps its guarantees: lock from creation, COMPLIANCE for years in prod, never force-destroyed.
            const archive = run.one(T.bucket, "lake-audit");
            assert.equal(archive.inputs.objectLockEnabled, true);
            assert.equal(archive.inputs.forceDestroy, false);
            const lock = run.one(T.objectLock).inputs.rule.defaultRetention;
            assert.equal(lock.mode, stack === "prod" ? "COMPLIANCE" : "GOVERNANCE");
            // The staging bucket has no lock (uploads need no checksum header) and forgets replicated files.
            assert.equal(run.one(T.bucket, "lake-audit-staging").inputs.objectLockEnabled, undefined);
            const lifecycle = run.ofType(T.lifecycle).find((l) => l.name === "lake-audit-staging-lifecycle")!;
            assert.ok(lifecycle.inputs.rules[0].expiration.days >= 30);
        });

        it(`${stack}: a failed replication pages: CloudWatch replication metrics are scraped and one rule watches the archive's rule`, () => {
            const run = runs[stack];
            const job = run.one("grafana:cloudProvider/awsCloudwatchScrapeJob:AwsCloudwatchScrapeJob");
            const s3 = job.inputs.services.find((svc: any) => svc.name === "AWS/S3");
            assert.ok(s3, "the CloudWatch scrape job collects AWS/S3");
            assert.ok(s3.metrics.some((m: any) => m.name === "OperationsFailedReplication" && m.statistics.includes("Sum")));
            const [rule] = run.one("grafana:alerting/ruleGroup:RuleGroup", "monitoring-rules-audit_replication_failed").inputs.rules;
            const staging = run.one(T.bucket, "lake-audit-staging").inputs.bucket;
            const query: string = JSON.parse(rule.datas[0].model).expr;
            assert.ok(query.includes("aws_s3_operations_failed_replication_sum"), query);
            assert.ok(query.includes(`dimension_SourceBucket="${staging}"`), query);
            assert.ok(query.includes(`dimension_RuleId="${AUDIT_REPLICATION_RULE_ID}"`), query);
            assert.equal(rule.labels.severity, "critical");
        });
    }
});
