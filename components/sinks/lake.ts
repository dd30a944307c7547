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
export function sinkAccessPolicy(buckets: readonly SinkBucketAccess[], kmsKeyArn: string): PolicyDocument {
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
            {
                Sid: "UseLakeKey",
                Effect: "Allow",
                // Multipart uploads to SSE-KMS buckets need Decrypt as well as GenerateDataKey.
                Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                Resource: kmsKeyArn,
            },
        ],
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

        // Bucket names are global: the account id keeps them unique.
        const bucketName = (kind: string) => pulumi.interpolate`${namePrefix}-${kind}-${caller.accountId}`;

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
                bucket: bucketName("audit-archive"),
                // Object Lock can only be switched on when the bucket is created.
                objectLockEnabled: true,
                forceDestroy: false,
                tags: { ...tags, purpose: "audit-archive" },
            },
            stateful,
            (arn) => replicationRoleArn.apply((roleArn) => auditArchiveBucketPolicy(arn, roleArn, args.config.evidenceWriterArns ?? [])),
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

        const staging = this.guardedBucket(`${name}-audit-staging`, {
            bucket: bucketName("audit-staging"),
            forceDestroy: !args.protect,
            tags: { ...tags, purpose: "audit-staging" },
        }, stateful);
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
                    .all([staging.bucket.arn, audit.bucket.arn, this.kmsKey.arn])
                    .apply(([stagingBucketArn, archiveBucketArn, kmsKeyArn]) =>
                        JSON.stringify(replicationRolePolicy({ stagingBucketArn, archiveBucketArn, kmsKeyArn, region: args.region })),
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
                    .all([audit.bucket.arn, this.kmsKey.arn])
                    .apply(([archiveBucketArn, kmsKeyArn]) => [auditReplicationRule({ archiveBucketArn, kmsKeyArn, prefix: AUDIT_TOPICS_DIR })]),
            },
            { parent: this, protect: args.protect, dependsOn: [...staging.settings, ...audit.settings, replicationAccess] },
        );

        // Role ARN first: the integration must name it, and the role's trust needs the integration.
        const roleName = `${namePrefix}-confluent-s3-sink`;
        const roleArn = pulumi.all([caller.arn, caller.accountId]).apply(([arn, account]) => iamRoleArn(arn, account, roleName));
        this.providerIntegration = new confluent.ProviderIntegration(
            `${name}-confluent-integration`,
            { displayName: `${namePrefix}-s3-sink`, environment: { id: args.environmentId }, aws: { customerRoleArn: roleArn } },
            { parent: this },
        );
        this.sinkRole = new aws.iam.Role(
            `${name}-sink-role`,
            {
                name: roleName,
                description: "Assumed by Confluent Cloud S3 sink connectors through the provider integration",
                assumeRolePolicy: this.providerIntegration.aws.apply((a) => JSON.stringify(confluentTrustPolicy(a.iamRoleArn, a.externalId))),
                maxSessionDuration: 3600,
                tags,
            },
            { parent: this },
        );
        const access = new aws.iam.RolePolicy(
            `${name}-sink-access`,
            {
                role: this.sinkRole.name,
                policy: pulumi
                    .all([this.rawBucket.arn, this.auditStagingBucket.arn, this.kmsKey.arn])
                    .apply(([rawArn, stagingArn, keyArn]) =>
                        JSON.stringify(
                            sinkAccessPolicy(
                                [
                                    { bucketArn: rawArn, prefix: RAW_TOPICS_DIR },
                                    // The sink never touches the archive: replication does.
                                    { bucketArn: stagingArn, prefix: AUDIT_TOPICS_DIR },
                                ],
                                keyArn,
                            ),
                        ),
                    ),
            },
            { parent: this },
        );

        this.ready = [...raw.settings, ...audit.settings, ...staging.settings, this.replication, this.sinkRole, access];
        this.registerOutputs({
            rawBucket: this.rawBucket.bucket,
            auditBucket: this.auditBucket.bucket,
            auditStagingBucket: this.auditStagingBucket.bucket,
            auditReplicationRuleId: AUDIT_REPLICATION_RULE_ID,
            kmsKeyArn: this.kmsKey.arn,
            sinkRoleArn: this.sinkRole.arn,
            providerIntegrationId: this.providerIntegration.id,
        });
    }

    /** A bucket with the guards every lake bucket has: versioning, SSE-KMS, no public access, no ACLs, TLS only (or a stricter policy). */
    private guardedBucket(
        name: string,
        args: aws.s3.BucketArgs,
        stateful: pulumi.CustomResourceOptions,
        bucketPolicy: (bucketArn: string) => pulumi.Input<PolicyDocument> = tlsOnlyBucketPolicy,
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
                rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: this.kmsKey.arn }, bucketKeyEnabled: true }],
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
