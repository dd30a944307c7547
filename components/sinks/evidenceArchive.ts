// Evidence packs (issue 25) in the audit archive: the prod deploy workflow writes each signed pack
// under its own prefix of the Object-Locked archive, where the bucket's default retention (prod:
// COMPLIANCE, lake.auditLockYears, 10 years) keeps it like the audit trail. Kept apart from the
// replication path (auditReplication.ts): only the principals in lake.evidenceWriterArns (the prod
// deploy role) may add objects, only under this prefix, only with s3:PutObject (no retention or
// legal-hold header of their own, so the bucket's default retention applies), and the replication
// role may never write here. Pure: bucket policy statements; auditArchiveBucketPolicy adds them.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-managing.html#object-lock-put-object
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
import type { PolicyStatement } from "./lake";

/** Key prefix of the evidence packs in the archive: evidence/<stack>/<yyyy>/<mm>/<dd>/<commit>-<run>/. */
export const EVIDENCE_PREFIX = "evidence";

/** An IAM role ARN (a writer must be a role: the deploy workflow assumes one through OIDC). */
export const IAM_ROLE_ARN = /^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/**
 * Archive bucket statements for the evidence prefix. `writeActions` are the actions that create or
 * change object versions (auditReplication's ARCHIVE_WRITE_ACTIONS).
 */
export function evidenceArchiveStatements(archiveBucketArn: string, replicationRoleArn: string, writerArns: readonly string[], writeActions: readonly string[]): PolicyStatement[] {
    for (const arn of writerArns) if (!IAM_ROLE_ARN.test(arn)) throw new Error(`lake.evidenceWriterArns: "${arn}" is not an IAM role ARN`);
    const evidenceObjects = `${archiveBucketArn}/${EVIDENCE_PREFIX}/*`;
    const statements: PolicyStatement[] = [
        {
            Sid: "ReplicationNeverWritesEvidence",
            Effect: "Deny",
            Principal: "*",
            Action: [...writeActions],
            Resource: evidenceObjects,
            Condition: { ArnEquals: { "aws:PrincipalArn": replicationRoleArn } },
        },
    ];
    if (writerArns.length === 0) return statements;
    const writers = writerArns.length === 1 ? writerArns[0] : [...writerArns];
    statements.push(
        {
            Sid: "EvidenceWritersOnlyPutEvidence",
            Effect: "Deny",
            Principal: "*",
            Action: writeActions.filter((a) => a !== "s3:PutObject"),
            Resource: `${archiveBucketArn}/*`,
            Condition: { ArnEquals: { "aws:PrincipalArn": writers } },
        },
        {
            Sid: "EvidenceWritersOnlyUnderEvidence",
            Effect: "Deny",
            Principal: "*",
            Action: ["s3:PutObject"],
            NotResource: evidenceObjects,
            Condition: { ArnEquals: { "aws:PrincipalArn": writers } },
        },
    );
    return statements;
}

/**
 * The archive key's statement for the evidence writers (a key policy statement: the writers are
 * roles this program does not own, and the key policy is where the archive key's users are named).
 * A PutObject into a bucket whose default encryption is SSE-KMS needs kms:GenerateDataKey on the
 * key, and nothing more; kms:Decrypt is for reading objects and for multipart uploads, which the
 * deploy workflow avoids (one PutObject per pack file), so the writers get no way to read the audit
 * trail through the key. Only through S3 of the stack's region (kms:ViaService), and only for the
 * archive (S3's encryption context aws:s3:arn: the bucket ARN with S3 Bucket Keys, the object ARN
 * without, which can only be under evidence/ for these writers).
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#aws-managed-customer-managed-keys (permissions: upload needs kms:GenerateDataKey, download kms:Decrypt)
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html#mpuAndPermissions (multipart upload with SSE-KMS: kms:Decrypt too)
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context
 *   https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
 *   https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html (in a key policy the resource is "*": this key)
 */
export function evidenceWriterKeyStatement(writerArns: readonly string[], archiveBucketArn: string, region: string): PolicyStatement | undefined {
    if (writerArns.length === 0) return undefined;
    for (const arn of writerArns) if (!IAM_ROLE_ARN.test(arn)) throw new Error(`lake.evidenceWriterArns: "${arn}" is not an IAM role ARN`);
    if (!archiveBucketArn || !region) throw new Error("evidence writers' key statement: the archive bucket ARN and the region are required");
    return {
        Sid: "EvidenceWritersEncryptThroughS3ForTheArchive",
        Effect: "Allow",
        Principal: { AWS: writerArns.length === 1 ? writerArns[0] : [...writerArns] },
        Action: ["kms:GenerateDataKey"],
        Resource: "*",
        Condition: {
            StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` },
            StringLike: { "kms:EncryptionContext:aws:s3:arn": [archiveBucketArn, `${archiveBucketArn}/${EVIDENCE_PREFIX}/*`] },
        },
    };
}
