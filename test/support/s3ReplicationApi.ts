// The S3 API's documented constraints on a replication rule, as an oracle independent of the
// builder (components/sinks/auditReplication.ts): what PutBucketReplication rejects. Sources:
//   Destination / Metrics / ReplicationTime / ReplicationTimeValue (API reference):
//     https://docs.aws.amazon.com/AmazonS3/latest/API/API_Destination.html
//     https://docs.aws.amazon.com/AmazonS3/latest/API/API_Metrics.html
//     https://docs.aws.amazon.com/AmazonS3/latest/API/API_ReplicationTime.html
//     https://docs.aws.amazon.com/AmazonS3/latest/API/API_ReplicationTimeValue.html
//   ReplicationRule (Filter needs DeleteMarkerReplication; SseKmsEncryptedObjects needs a replica key):
//     https://docs.aws.amazon.com/AmazonS3/latest/API/API_ReplicationRule.html
//     https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-add-config.html
//     https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html
//   The rejection the issue quotes ("Metrics cannot contain an event threshold when
//   ReplicationTime is not specified or Disabled"): S3 RTC, https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-time-control.html
// Field names follow @pulumi/aws's BucketReplicationConfig rule (camelCase of the API's).

const enabled = (block: any) => block?.status === "Enabled";

/** Every documented constraint the rule breaks, as the API would word it; empty when S3 accepts it. */
export function s3ReplicationRuleProblems(rule: any): string[] {
    const problems: string[] = [];
    const d = rule.destination ?? {};
    if (!["Enabled", "Disabled"].includes(rule.status)) problems.push(`Status must be Enabled or Disabled (got ${rule.status})`);
    if (!d.bucket) problems.push("Destination.Bucket is required");
    if (rule.filter !== undefined) {
        // V2 schema: a rule with a Filter must state DeleteMarkerReplication (and rules are ordered by Priority).
        if (!rule.deleteMarkerReplication) problems.push("a rule with Filter must specify DeleteMarkerReplication");
        if (rule.priority === undefined) problems.push("a rule with Filter must specify Priority");
    }
    if (enabled(rule.sourceSelectionCriteria?.sseKmsEncryptedObjects) && !d.encryptionConfiguration?.replicaKmsKeyId) {
        problems.push("SseKmsEncryptedObjects Enabled requires Destination.EncryptionConfiguration.ReplicaKmsKeyID");
    }
    if (d.metrics && !["Enabled", "Disabled"].includes(d.metrics.status)) problems.push("Metrics.Status must be Enabled or Disabled");
    if (d.metrics?.eventThreshold && !enabled(d.replicationTime)) {
        problems.push("Metrics cannot contain an event threshold when ReplicationTime is not specified or Disabled");
    }
    if (d.replicationTime) {
        if (!d.metrics) problems.push("ReplicationTime must be specified together with a Metrics block");
        if (enabled(d.replicationTime) && !enabled(d.metrics)) problems.push("ReplicationTime Enabled requires Metrics Enabled");
        if (d.replicationTime.time?.minutes !== 15) problems.push(`ReplicationTime.Time.Minutes: the only valid value is 15 (got ${d.replicationTime.time?.minutes})`);
    }
    if (d.metrics?.eventThreshold && d.metrics.eventThreshold.minutes !== 15) {
        problems.push(`Metrics.EventThreshold.Minutes: the only valid value is 15 (got ${d.metrics.eventThreshold.minutes})`);
    }
    return problems;
}
