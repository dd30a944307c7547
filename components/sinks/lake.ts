// The S3 data lake: a raw bucket for every CDC topic (Parquet, cheaper tiers over time) and an
// audit archive whose objects cannot be changed or deleted for the configured period (Object
// Lock), all encrypted with the lake's own KMS key, private and TLS-only. Confluent's S3 sinks
// reach the raw bucket and the audit staging bucket by assuming an IAM role through a provider
// integration (no access keys exist); only S3 Replication writes into the archive
// (auditReplication.ts says why).
import * as aws from "@pulumi/aws";
import * as confluent from "@pulumi/confluentcloud";
import * as pulumi from "@pulumi/pulumi";
import {
    AUDIT_REPLICATION_RULE_ID,
    auditArchiveBucketPolicy,
    auditReplicationRule,
    replicationRolePolicy,
    replicationTrustPolicy,
} from "./auditReplication";
import { LakeConfig } from "../config";
import { evidenceWriterKeyStatement } from "./evidenceArchive";

/** Prefixes inside the buckets the sinks write under (`topics.dir`); the role may write nowhere else. */
export const RAW_TOPICS_DIR = "cdc";
export const AUDIT_TOPICS_DIR = "audit";

export interface PolicyStatement {
    Sid: string;
    Effect: "Allow" | "Deny";
    Principal?: unknown;
    Action: string | string[];
    Resource?: string | string[];
    NotResource?: string | string[];
    Condition?: Record<string, Record<string, unknown>>;
}

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: PolicyStatement[];
}

/** Denies every request to the bucket that does not use TLS. */
export function tlsOnlyBucketPolicy(bucketArn: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [bucketArn, `${bucketArn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ],
    };
}

/** Trust policy: only Confluent's integration role may assume ours, and only with its external id. */
export function confluentTrustPolicy(integrationRoleArn: string, externalId: string): PolicyDocument {
    if (!integrationRoleArn || !externalId) {
        throw new Error("the Confluent provider integration returned no iamRoleArn/externalId; the S3 role cannot be trusted safely");
    }
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ConfluentProviderIntegration",
                Effect: "Allow",
                Principal: { AWS: integrationRoleArn },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "sts:ExternalId": externalId } },
            },
        ],
    };
}

export interface SinkBucketAccess {
    bucketArn: string;
    /** The sink's `topics.dir`. */
    prefix: string;
}

/**
 * What the S3 sinks may do, following Confluent's documented policy for the S3 sink
 * (https://docs.confluent.io/cloud/current/connectors/cc-s3-sink/cc-s3-sink.html#user-account-iam-policy,
 * as in terraform-provider-confluent's examples/configurations/connectors/s3-sink-connector-assume-role):
 * list all buckets (the connector's validation does; the action has no narrower resource), list
 * their buckets, write and read back objects under their prefixes, and use the lake key.
 */
export function sinkAccessPolicy(buckets: readonly SinkBucketAccess[], kmsKeyArn: string, region = "eu-central-1"): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ListAllBuckets",
                Effect: "Allow",
                Action: ["s3:ListAllMyBuckets"],
                // ListAllMyBuckets takes no bucket resource (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html).
                Resource: "*",
            },
            {
                Sid: "ListLakeBuckets",
                Effect: "Allow",
                Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
                Resource: buckets.map((b) => b.bucketArn),
            },
            {
                Sid: "WriteUnderSinkPrefixes",
                Effect: "Allow",
                Action: ["s3:PutObject", "s3:PutObjectTagging", "s3:GetObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
                Resource: buckets.map((b) => `${b.bucketArn}/${b.prefix}/*`),
            },
            sinkKeyUseStatement(kmsKeyArn, region, buckets.map((b) => b.bucketArn)),
        ],
    };
}

/**
 * The sink's use of the lake key (issue 22, item 9): only through S3 in the stack's region
 * (kms:ViaService) and only for its own buckets (S3 sets the encryption context aws:s3:arn to the
 * bucket ARN with S3 Bucket Keys, to the object ARN without). Multipart uploads to SSE-KMS buckets
 * need Decrypt as well as GenerateDataKey.
 *   https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context
 */
export function sinkKeyUseStatement(kmsKeyArn: string, region: string, bucketArns: readonly string[]): PolicyStatement {
    return {
        Sid: "UseLakeKeyThroughS3ForItsBuckets",
        Effect: "Allow",
        Action: ["kms:GenerateDataKey", "kms:Decrypt"],
        Resource: kmsKeyArn,
        Condition: {
            StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` },
            StringLike: { "kms:EncryptionContext:aws:s3:arn": bucketArns.flatMap((arn) => [arn, `${arn}/*`]) },
        },
    };
}

/**
 * Object actions that put or change data under the audit prefix of the staging bucket (and, via
 * replication, into the 10-year archive), or remove it. Only the audit sink's role may perform
 * them there (issue 22, item 8); it is granted only PutObject/PutObjectTagging by its own policy.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
 */
export const STAGING_GUARDED_ACTIONS = [
    "s3:PutObject",
    "s3:PutObjectAcl",
    "s3:PutObjectVersionAcl",
    "s3:PutObjectTagging",
    "s3:PutObjectVersionTagging",
    "s3:PutObjectRetention",
    "s3:PutObjectLegalHold",
    "s3:RestoreObject",
    "s3:ReplicateObject",
    "s3:ReplicateTags",
    "s3:ReplicateDelete",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:DeleteObjectTagging",
    "s3:DeleteObjectVersionTagging",
] as const;

/**
 * The audit staging bucket's policy: TLS only, and under `<prefix>/` no principal but the audit
 * sink's role writes or deletes (a bucket-policy Deny overrides any identity policy in the
 * account, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
 */
export function auditStagingBucketPolicy(stagingBucketArn: string, auditSinkRoleArn: string, prefix: string): PolicyDocument {
    if (!auditSinkRoleArn) throw new Error("audit staging bucket policy: the audit sink role ARN is empty");
    return {
        Version: "2012-10-17",
        Statement: [
            ...tlsOnlyBucketPolicy(stagingBucketArn).Statement,
            {
                Sid: "OnlyAuditSinkWritesAudit",
                Effect: "Deny",
                Principal: "*",
                Action: [...STAGING_GUARDED_ACTIONS],
                Resource: `${stagingBucketArn}/${prefix}/*`,
                Condition: { ArnNotEquals: { "aws:PrincipalArn": auditSinkRoleArn } },
            },
        ],
    };
}

/** What only the break-glass role may do to the archive key (Object Lock does not protect the key). */
export const ARCHIVE_KEY_PROTECTED_ACTIONS = ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy"] as const;

/**
 * The archive key's policy: the account's IAM policies govern its use as usual (the documented
 * default statement), but scheduling its deletion, disabling it or changing this policy is denied
 * to every principal except the named break-glass role. The key is created with
 * bypassPolicyLockoutSafetyCheck because the deployer itself cannot PutKeyPolicy afterwards:
 * changing this policy later is a break-glass operation.
 *   https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
 *   https://docs.aws.amazon.com/kms/latest/developerguide/conditions-aws.html (aws:PrincipalArn)
 *   https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html (BypassPolicyLockoutSafetyCheck)
 */
export function archiveKeyPolicy(p: {
    accountId: string;
    partition: string;
    breakGlassRoleArn: string;
    /** lake.evidenceWriterArns: may encrypt evidence packs into the archive (evidenceWriterKeyStatement). */
    evidenceWriters?: { writerArns: readonly string[]; archiveBucketArn: string; region: string };
}): PolicyDocument {
    if (!p.breakGlassRoleArn) throw new Error("archive key policy: the break-glass role ARN is empty (lifesci-streaming:lake.breakGlassRoleArn)");
    const writers = p.evidenceWriters && evidenceWriterKeyStatement(p.evidenceWriters.writerArns, p.evidenceWriters.archiveBucketArn, p.evidenceWriters.region);
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "EnableIamPolicies",
                Effect: "Allow",
                Principal: { AWS: `arn:${p.partition}:iam::${p.accountId}:root` },
                Action: "kms:*",
                Resource: "*",
            },
            {
                Sid: "OnlyBreakGlassDeletesDisablesOrRepolices",
                Effect: "Deny",
                Principal: { AWS: "*" },
                Action: [...ARCHIVE_KEY_PROTECTED_ACTIONS],
                Resource: "*",
                Condition: { ArnNotEquals: { "aws:PrincipalArn": p.breakGlassRoleArn } },
            },
            ...(writers ? [writers] : []),
        ],
    };
}

/**
 * EventBridge pattern for CloudTrail's record of a protected call on the archive key (KMS
 * management events reach EventBridge as "AWS API Call via CloudTrail" when a trail logs them):
 *   https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-kms.html
 *   https://docs.aws.amazon.com/kms/latest/developerguide/ct-schedule-key-deletion.html
 */
export function archiveKeyTamperPattern(): Record<string, unknown> {
    return {
        source: ["aws.kms"],
        "detail-type": ["AWS API Call via CloudTrail"],
        detail: { eventSource: ["kms.amazonaws.com"], eventName: [...ARCHIVE_KEY_PROTECTED_ACTIONS].map((a) => a.replace("kms:", "")) },
    };
}

/** Raw CDC files move to cheaper tiers as they age; old versions and stale uploads are cleaned up. */
export function rawLifecycleRules(cfg: LakeConfig): aws.types.input.s3.BucketLifecycleConfigurationRule[] {
    return [
        {
            id: "tiering",
            status: "Enabled",
            filter: { prefix: "" },
            transitions: [
                { days: cfg.rawInfrequentAccessDays, storageClass: "STANDARD_IA" },
                { days: cfg.rawGlacierDays, storageClass: "GLACIER_IR" },
            ],
            expiration: cfg.rawExpirationDays !== undefined ? { days: cfg.rawExpirationDays } : undefined,
            noncurrentVersionExpiration: { noncurrentDays: 30 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
        },
    ];
}

/**
 * The staging bucket only holds audit files until replication copied them into the archive:
 * generous, because a failed replication is not retried by itself (operators re-run it with S3
 * Batch Replication, https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-batch-replication-batch.html).
 */
export const AUDIT_STAGING_KEEP_DAYS = 30;

export function auditStagingLifecycleRules(): aws.types.input.s3.BucketLifecycleConfigurationRule[] {
    return [
        {
            id: "expire-replicated",
            status: "Enabled",
            filter: { prefix: "" },
            expiration: { days: AUDIT_STAGING_KEEP_DAYS },
            noncurrentVersionExpiration: { noncurrentDays: AUDIT_STAGING_KEEP_DAYS },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
        },
    ];
}

/** Default retention of every object version written to the audit bucket. */
export function auditObjectLockRule(cfg: LakeConfig): { defaultRetention: { mode: string; days?: number; years?: number } } {
    const period = cfg.auditLockYears !== undefined ? { years: cfg.auditLockYears } : { days: cfg.auditLockDays };
    return { defaultRetention: { mode: cfg.auditLockMode, ...period } };
}

/** `arn:<partition>:iam::<account>:role/<name>`, known before the role exists. */
export function iamRoleArn(callerArn: string, accountId: string, roleName: string): string {
    const partition = callerArn.split(":")[1] || "aws";
    return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

export interface LakeArgs {
    namePrefix: string;
    config: LakeConfig;
    region: string;
    environmentId: pulumi.Input<string>;
    protect: boolean;
    tags: Record<string, string>;
}

interface GuardedBucket {
    bucket: aws.s3.Bucket;
    /** Settings resources the sinks must wait for. */
    settings: pulumi.Resource[];
}

export class Lake extends pulumi.ComponentResource {
    readonly kmsKey: aws.kms.Key;
    /** The audit archive's own key (break-glass protected). */
    readonly archiveKey: aws.kms.Key;
    /** Where the archive key's tamper alarm notifies. */
    readonly securityAlerts: aws.sns.Topic;
    /** The audit sink's own integration and role: only it writes audit/ in staging. */
    readonly auditProviderIntegration: confluent.ProviderIntegration;
    readonly auditSinkRole: aws.iam.Role;
    readonly rawBucket: aws.s3.Bucket;
    readonly auditBucket: aws.s3.Bucket;
    /** Where the `s3-audit` sink writes; S3 Replication copies every object into `auditBucket`. */
    readonly auditStagingBucket: aws.s3.Bucket;
    readonly replicationRole: aws.iam.Role;
    readonly replication: aws.s3.BucketReplicationConfig;
    readonly providerIntegration: confluent.ProviderIntegration;
    readonly sinkRole: aws.iam.Role;
    /** Everything an S3 sink needs in place before it starts. */
    readonly ready: pulumi.Resource[];

    constructor(name: string, args: LakeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("lifesci:lake:Lake", name, {}, opts);
        const { namePrefix, tags } = args;
        const stateful = { parent: this, protect: args.protect };
        const caller = aws.getCallerIdentityOutput({}, { parent: this });

        this.kmsKey = new aws.kms.Key(
            `${name}-key`,
            { description: `${namePrefix} data lake (raw + audit) encryption`, enableKeyRotation: true, deletionWindowInDays: 30, tags },
            stateful,
        );
        new aws.kms.Alias(`${name}-key-alias`, { name: `alias/${namePrefix}-lake`, targetKeyId: this.kmsKey.keyId }, { parent: this });

        // The archive's own key (issue 22, item 9): Object Lock keeps the objects, not the key.
        const partition = caller.arn.apply((arn) => arn.split(":")[1] || "aws");
        if (!args.config.breakGlassRoleArn) throw new Error("lifesci-streaming:lake.breakGlassRoleArn: required for the audit archive key");
        const breakGlassRoleArn = args.config.breakGlassRoleArn;
        // Bucket names are global: the account id keeps them unique.
        const bucketName = (kind: string) => pulumi.interpolate`${namePrefix}-${kind}-${caller.accountId}`;
        const archiveBucketName = bucketName("audit-archive");
        // The key policy names the archive's ARN before the bucket exists (the bucket is encrypted with this key).
        const evidenceWriters = pulumi.all([partition, archiveBucketName]).apply(([part, bucket]) => ({
            writerArns: args.config.evidenceWriterArns ?? [],
            archiveBucketArn: `arn:${part}:s3:::${bucket}`,
            region: args.region,
        }));
        this.archiveKey = new aws.kms.Key(
            `${name}-archive-key`,
            {
                description: `${namePrefix} audit archive encryption (deletion, disabling and policy changes: break-glass role only)`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: pulumi
                    .all([caller.accountId, partition, evidenceWriters])
                    .apply(([accountId, part, writers]) => JSON.stringify(archiveKeyPolicy({ accountId, partition: part, breakGlassRoleArn, evidenceWriters: writers }))),
                bypassPolicyLockoutSafetyCheck: true,
                tags: { ...tags, purpose: "audit-archive" },
            },
            stateful,
        );
        new aws.kms.Alias(`${name}-archive-key-alias`, { name: `alias/${namePrefix}-audit-archive`, targetKeyId: this.archiveKey.keyId }, { parent: this });
        // An alarm on any attempt: EventBridge matches CloudTrail's record, a CloudWatch alarm on the
        // rule's TriggeredRules notifies (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html).
        const tamperRule = new aws.cloudwatch.EventRule(
            `${name}-archive-key-tamper`,
            {
                name: `${namePrefix}-archive-key-tamper`,
                description: "ScheduleKeyDeletion, DisableKey or PutKeyPolicy on a KMS key (the audit archive key's alarm)",
                eventPattern: JSON.stringify(archiveKeyTamperPattern()),
                tags,
            },
            { parent: this },
        );
        // Not encrypted with the AWS-managed SNS key: EventBridge and CloudWatch alarms cannot publish to such a topic.
        this.securityAlerts = new aws.sns.Topic(`${name}-security-alerts`, { name: `${namePrefix}-security-alerts`, tags }, { parent: this });
        new aws.cloudwatch.EventTarget(`${name}-archive-key-tamper-target`, { rule: tamperRule.name, arn: this.securityAlerts.arn }, { parent: this });
        new aws.sns.TopicPolicy(
            `${name}-security-alerts-policy`,
            {
                arn: this.securityAlerts.arn,
                policy: pulumi.all([this.securityAlerts.arn, tamperRule.arn]).apply(([topicArn, ruleArn]) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Sid: "EventBridgeTamperRule",
                                Effect: "Allow",
                                Principal: { Service: "events.amazonaws.com" },
                                Action: "sns:Publish",
                                Resource: topicArn,
                                Condition: { ArnEquals: { "aws:SourceArn": ruleArn } },
                            },
                        ],
                    }),
                ),
            },
            { parent: this },
        );
        new aws.cloudwatch.MetricAlarm(
            `${name}-archive-key-tamper-alarm`,
            {
                name: `${namePrefix}-archive-key-tamper`,
                alarmDescription: "Someone tried to schedule deletion of, disable or re-police a KMS key (audit archive key: break-glass only). Runbook: docs/runbook.md",
                namespace: "AWS/Events",
                metricName: "TriggeredRules",
                dimensions: { RuleName: tamperRule.name },
                statistic: "Sum",
                period: 300,
                evaluationPeriods: 1,
                comparisonOperator: "GreaterThanThreshold",
                threshold: 0,
                treatMissingData: "notBreaching",
                alarmActions: [this.securityAlerts.arn],
                tags,
            },
            { parent: this },
        );

        const raw = this.guardedBucket(`${name}-raw`, {
            bucket: bucketName("lake-raw"),
            // dev data is disposable; prod keeps every version until the lifecycle removes it.
            forceDestroy: !args.protect,
            tags: { ...tags, purpose: "raw-cdc-lake" },
        }, stateful);
        raw.settings.push(
            new aws.s3.BucketLifecycleConfiguration(
                `${name}-raw-lifecycle`,
                { bucket: raw.bucket.id, rules: rawLifecycleRules(args.config) },
                { parent: this, dependsOn: raw.settings },
            ),
        );

        // Only S3 Replication writes the archive; its role is known before the archive's policy.
        const replicationRoleName = `${namePrefix}-audit-replication`;
        this.replicationRole = new aws.iam.Role(
            `${name}-replication-role`,
            {
                name: replicationRoleName,
                description: "Assumed by S3 Replication to copy audit files from staging into the object-locked archive",
                assumeRolePolicy: JSON.stringify(replicationTrustPolicy()),
                tags,
            },
            { parent: this },
        );
        const replicationRoleArn = this.replicationRole.arn;

        const audit = this.guardedBucket(
            `${name}-audit`,
            {
                bucket: archiveBucketName,
                // Object Lock can only be switched on when the bucket is created.
                objectLockEnabled: true,
                forceDestroy: false,
                tags: { ...tags, purpose: "audit-archive" },
            },
            stateful,
            (arn) => replicationRoleArn.apply((roleArn) => auditArchiveBucketPolicy(arn, roleArn, args.config.evidenceWriterArns ?? [])),
            this.archiveKey,
        );
        audit.settings.push(
            new aws.s3.BucketObjectLockConfiguration(
                `${name}-audit-object-lock`,
                { bucket: audit.bucket.id, objectLockEnabled: "Enabled", rule: auditObjectLockRule(args.config) },
                // Object Lock needs versioning, which guardedBucket enables first.
                { parent: this, protect: args.protect, dependsOn: audit.settings },
            ),
        );
        this.rawBucket = raw.bucket;
        this.auditBucket = audit.bucket;

        // Role ARNs first: each integration must name its role, and each role's trust needs its integration.
        const roleName = `${namePrefix}-confluent-s3-sink`;
        const auditRoleName = `${namePrefix}-confluent-s3-audit-sink`;
        const roleArnOf = (n: string) => pulumi.all([caller.arn, caller.accountId]).apply(([arn, account]) => iamRoleArn(arn, account, n));
        const auditSinkRoleArn = roleArnOf(auditRoleName);
        const staging = this.guardedBucket(
            `${name}-audit-staging`,
            {
                bucket: bucketName("audit-staging"),
                forceDestroy: !args.protect,
                tags: { ...tags, purpose: "audit-staging" },
            },
            stateful,
            (arn) => auditSinkRoleArn.apply((roleArn) => auditStagingBucketPolicy(arn, roleArn, AUDIT_TOPICS_DIR)),
        );
        staging.settings.push(
            new aws.s3.BucketLifecycleConfiguration(
                `${name}-audit-staging-lifecycle`,
                { bucket: staging.bucket.id, rules: auditStagingLifecycleRules() },
                { parent: this, dependsOn: staging.settings },
            ),
        );
        this.auditStagingBucket = staging.bucket;

        const replicationAccess = new aws.iam.RolePolicy(
            `${name}-replication-access`,
            {
                role: this.replicationRole.name,
                policy: pulumi
                    .all([staging.bucket.arn, audit.bucket.arn, this.kmsKey.arn, this.archiveKey.arn])
                    .apply(([stagingBucketArn, archiveBucketArn, kmsKeyArn, archiveKmsKeyArn]) =>
                        JSON.stringify(replicationRolePolicy({ stagingBucketArn, archiveBucketArn, kmsKeyArn, archiveKmsKeyArn, region: args.region })),
                    ),
            },
            { parent: this },
        );
        // Replication needs versioning on both buckets and the archive's lock in place first.
        this.replication = new aws.s3.BucketReplicationConfig(
            `${name}-audit-replication`,
            {
                bucket: staging.bucket.id,
                role: this.replicationRole.arn,
                rules: pulumi
                    .all([audit.bucket.arn, this.archiveKey.arn])
                    .apply(([archiveBucketArn, kmsKeyArn]) => [auditReplicationRule({ archiveBucketArn, kmsKeyArn, prefix: AUDIT_TOPICS_DIR })]),
            },
            { parent: this, protect: args.protect, dependsOn: [...staging.settings, ...audit.settings, replicationAccess] },
        );

        const sinkRole = (id: string, n: string, roleArn: pulumi.Output<string>, description: string, bucket: { arn: pulumi.Output<string>; prefix: string }) => {
            const integration = new confluent.ProviderIntegration(
                `${name}-${id === "sink" ? "" : "audit-"}confluent-integration`,
                { displayName: `${namePrefix}-s3-${id}`, environment: { id: args.environmentId }, aws: { customerRoleArn: roleArn } },
                { parent: this },
            );
            const role = new aws.iam.Role(
                `${name}-${id}-role`,
                {
                    name: n,
                    description,
                    assumeRolePolicy: integration.aws.apply((a) => JSON.stringify(confluentTrustPolicy(a.iamRoleArn, a.externalId))),
                    maxSessionDuration: 3600,
                    tags,
                },
                { parent: this },
            );
            const access = new aws.iam.RolePolicy(
                `${name}-${id}-access`,
                {
                    role: role.name,
                    policy: pulumi
                        .all([bucket.arn, this.kmsKey.arn])
                        .apply(([bucketArn, keyArn]) => JSON.stringify(sinkAccessPolicy([{ bucketArn, prefix: bucket.prefix }], keyArn, args.region))),
                },
                { parent: this },
            );
            return { integration, role, access };
        };
        // One role per S3 sink, each writing only its own prefix (issue 22, item 8): the raw sink's
        // role cannot reach the audit prefix whose files are locked for years.
        const rawSink = sinkRole("sink", roleName, roleArnOf(roleName), "Assumed by the Confluent Cloud raw S3 sink through its provider integration (raw bucket, cdc/ only)", {
            arn: this.rawBucket.arn,
            prefix: RAW_TOPICS_DIR,
        });
        const auditSink = sinkRole("audit-sink", auditRoleName, auditSinkRoleArn, "Assumed by the Confluent Cloud audit S3 sink through its provider integration (staging bucket, audit/ only)", {
            arn: this.auditStagingBucket.arn,
            prefix: AUDIT_TOPICS_DIR,
        });
        this.providerIntegration = rawSink.integration;
        this.sinkRole = rawSink.role;
        this.auditProviderIntegration = auditSink.integration;
        this.auditSinkRole = auditSink.role;
        const access = rawSink.access;
        const auditAccess = auditSink.access;

        this.ready = [...raw.settings, ...audit.settings, ...staging.settings, this.replication, this.sinkRole, access, this.auditSinkRole, auditAccess];
        this.registerOutputs({
            rawBucket: this.rawBucket.bucket,
            auditBucket: this.auditBucket.bucket,
            auditStagingBucket: this.auditStagingBucket.bucket,
            auditReplicationRuleId: AUDIT_REPLICATION_RULE_ID,
            kmsKeyArn: this.kmsKey.arn,
            archiveKmsKeyArn: this.archiveKey.arn,
            sinkRoleArn: this.sinkRole.arn,
            auditSinkRoleArn: this.auditSinkRole.arn,
            providerIntegrationId: this.providerIntegration.id,
        });
    }

    /** A bucket with the guards every lake bucket has: versioning, SSE-KMS, no public access, no ACLs, TLS only (or a stricter policy). */
    private guardedBucket(
        name: string,
        args: aws.s3.BucketArgs,
        stateful: pulumi.CustomResourceOptions,
        bucketPolicy: (bucketArn: string) => pulumi.Input<PolicyDocument> = tlsOnlyBucketPolicy,
        key: aws.kms.Key = this.kmsKey,
    ): GuardedBucket {
        const bucket = new aws.s3.Bucket(name, args, stateful);
        const child = { parent: this };
        const publicAccess = new aws.s3.BucketPublicAccessBlock(
            `${name}-public-access`,
            { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            child,
        );
        const ownership = new aws.s3.BucketOwnershipControls(
            `${name}-ownership`,
            { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
            child,
        );
        const versioning = new aws.s3.BucketVersioning(
            `${name}-versioning`,
            { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
            child,
        );
        const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            {
                bucket: bucket.id,
                rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }],
            },
            child,
        );
        const policy = new aws.s3.BucketPolicy(
            `${name}-tls-only`,
            { bucket: bucket.id, policy: bucket.arn.apply((arn) => pulumi.output(bucketPolicy(arn))).apply((doc) => JSON.stringify(doc)) },
            // A bucket policy is refused while the public access block is still being applied.
            { parent: this, dependsOn: [publicAccess] },
        );
        return { bucket, settings: [publicAccess, ownership, versioning, encryption, policy] };
    }
}
