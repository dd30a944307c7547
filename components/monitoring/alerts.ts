// Alert intents, as data: what is wrong, how bad, what to do, and how to see it in each metrics
// source. From the intents and the monitored estate (connectors, topics, databases) come the
// concrete rules: Grafana rule groups (monitoring.ts) and Prometheus rule files
// (scripts/exportAlerts.ts). Pure: no resources, no I/O.
import { DERIVED_TOPICS, DOMAINS, DomainName, STREAMS_APPS, cdcTopicPrefix, cdcTopics, derivedTopicName, streamsApplicationId } from "../catalog";
import { MetricsSource, MetricsVocabulary, exactAlternation, vocabulary } from "./metricsVocabulary";
import type { AlertThresholds, OperatingHours } from "../config";

export type Severity = "critical" | "warning" | "info";
export const SEVERITIES: readonly Severity[] = ["critical", "warning", "info"];
/** Alerts about shared infrastructure (RDS, derived topics) route as this domain. */
export const PLATFORM_DOMAIN = "platform";

export interface MonitoredConnector {
    /** Connector name (Kafka Connect labels by it). */
    name: string;
    /** Confluent connector id, lcc-... (the export labels by it). */
    id: string;
    kind: "source" | "sink";
    domain?: DomainName;
}

/** Everything the rules and dashboards watch, with resolved ids. */
export interface MonitoredEstate {
    basePrefix: string;
    kafkaClusterId?: string;
    connectors: readonly MonitoredConnector[];
    ksqlClusterIds: readonly string[];
    rdsInstanceIds: readonly string[];
    /** S3 Replication rules to watch (the audit archive's), by source bucket and rule id. */
    s3Replications?: readonly S3ReplicationRef[];
    /** The PrivateLink NLB target groups in front of RDS (CloudWatch dimensions: arn suffixes). */
    nlbTargetGroups?: readonly NlbTargetGroupRef[];
}

export interface NlbTargetGroupRef {
    /** `targetgroup/<name>/<id>` */
    targetGroup: string;
    /** `net/<name>/<id>` */
    loadBalancer: string;
}

export interface S3ReplicationRef {
    sourceBucket: string;
    destinationBucket: string;
    ruleId: string;
}

/** One thing an intent watches: a connector, a domain's topics, a database. */
export interface AlertTarget {
    /** Unique within the intent; part of the rule name. */
    key: string;
    domain: string;
    /** Extra labels identifying the target (e.g. connector). */
    labels: Record<string, string>;
    connector?: MonitoredConnector;
    topics?: readonly string[];
    cdcPrefix?: string;
    rdsInstanceId?: string;
    replication?: S3ReplicationRef;
    nlb?: NlbTargetGroupRef;
    /** A Kafka Streams app's consumer group (its application.id). */
    consumerGroup?: string;
}

interface QueryContext {
    metrics: MetricsVocabulary;
    t: AlertThresholds;
    hours: OperatingHours;
}

export interface AlertIntent {
    key: string;
    alertName: string;
    severity: Severity;
    /** What an on-call engineer does first. */
    runbook: string;
    summary(target: AlertTarget, t: AlertThresholds): string;
    targets(estate: MonitoredEstate): AlertTarget[];
    /** Sources the intent has an expression for; the value query per target. */
    sources: readonly MetricsSource[];
    query(target: AlertTarget, ctx: QueryContext): string;
    op: ">" | "<";
    threshold(t: AlertThresholds): number;
    forMinutes(t: AlertThresholds): number;
    /** What a query that returns nothing means: all quiet, or something to look at. */
    noData: "OK" | "Alerting";
}

/** The rule a (intent, target, source) triple produces. */
export interface AlertRule {
    intent: string;
    alertName: string;
    /** Unique rule title: `<AlertName> <target>`. */
    title: string;
    query: string;
    op: ">" | "<";
    threshold: number;
    forMinutes: number;
    noData: "OK" | "Alerting";
    labels: Record<string, string>;
    /** `description` carries the runbook text (the annotation Grafana and Alertmanager templates show). */
    annotations: { summary: string; description: string };
}

/** PromQL filter that keeps a value only inside operating hours (UTC). */
export function duringOperatingHours(hours: OperatingHours): string {
    const parts = [`hour() >= ${hours.startHourUtc}`, `hour() < ${hours.endHourUtc}`];
    if (hours.weekdaysOnly) parts.push("day_of_week() >= 1", "day_of_week() <= 5");
    return parts.join(" and ");
}

function derivedTopic(estate: MonitoredEstate, suffix: string): string {
    if (!DERIVED_TOPICS.some((d) => d.suffix === suffix)) {
        throw new Error(`alert intent needs the derived topic "${suffix}", which the catalog (DERIVED_TOPICS) does not declare`);
    }
    return derivedTopicName(estate.basePrefix, suffix);
}

const connectorTargets = (estate: MonitoredEstate, kind?: "source" | "sink"): AlertTarget[] =>
    estate.connectors
        .filter((c) => kind === undefined || c.kind === kind)
        .map((c) => ({ key: c.name, domain: c.domain ?? PLATFORM_DOMAIN, labels: { connector: c.name }, connector: c }));

const domainTargets = (estate: MonitoredEstate): AlertTarget[] =>
    DOMAINS.map((d) => ({
        key: d.name,
        domain: d.name,
        labels: {},
        topics: cdcTopics(estate.basePrefix, d).map((t) => t.name),
        cdcPrefix: cdcTopicPrefix(estate.basePrefix, d),
    }));

const rdsTargets = (estate: MonitoredEstate): AlertTarget[] =>
    estate.rdsInstanceIds.map((id) => ({ key: id, domain: PLATFORM_DOMAIN, labels: { db_instance: id }, rdsInstanceId: id }));

const replicationTargets = (estate: MonitoredEstate): AlertTarget[] =>
    (estate.s3Replications ?? []).map((r) => ({
        key: `${r.sourceBucket}->${r.destinationBucket}`,
        domain: PLATFORM_DOMAIN,
        labels: { source_bucket: r.sourceBucket, rule_id: r.ruleId },
        replication: r,
    }));

const nlbTargets = (estate: MonitoredEstate): AlertTarget[] =>
    (estate.nlbTargetGroups ?? []).map((n) => ({ key: n.targetGroup, domain: PLATFORM_DOMAIN, labels: { target_group: n.targetGroup }, nlb: n }));

const topicTarget = (estate: MonitoredEstate, suffix: string, domain: DomainName): AlertTarget[] => [
    { key: suffix, domain, labels: { topic: derivedTopic(estate, suffix) }, topics: [derivedTopic(estate, suffix)] },
];

/** Each Kafka Streams app, watched through its consumer group (= application.id); routed as the domain of its first input. */
const streamsAppTargets = (estate: MonitoredEstate): AlertTarget[] =>
    STREAMS_APPS.map((app) => ({
        key: app.name,
        domain: app.inputs[0].table.domain,
        labels: { consumer_group: streamsApplicationId(estate.basePrefix, app) },
        consumerGroup: streamsApplicationId(estate.basePrefix, app),
    }));

/** The Streams apps' outputs that an alert intent fires on (StreamsOutput.alert). */
const streamsAlertTopics = (estate: MonitoredEstate, alert: string): AlertTarget[] =>
    STREAMS_APPS.flatMap((app) =>
        app.outputs
            .filter((o) => o.alert === alert)
            .map((o) => ({ key: o.suffix, domain: app.inputs[0].table.domain, labels: { topic: derivedTopicName(estate.basePrefix, o.suffix) }, topics: [derivedTopicName(estate.basePrefix, o.suffix)] })),
    );

export const ALERT_INTENTS: readonly AlertIntent[] = [
    {
        key: "consumer_lag",
        alertName: "ConsumerLagHigh",
        severity: "warning",
        runbook:
            "A consumer (sink connector or ksqlDB query) falls behind. Check the group's connector/query status and throughput; " +
            "scale tasks or CSUs, or look for a poison record in the DLQ. Lag beyond topic retention loses data.",
        summary: (target, t) => `Consumer lag on ${target.domain} topics above ${t.consumerLagRecords} records for ${t.consumerLagMinutes} min`,
        targets: (estate) => [
            ...domainTargets(estate),
            {
                key: "derived",
                domain: PLATFORM_DOMAIN,
                labels: {},
                topics: DERIVED_TOPICS.map((d) => derivedTopicName(estate.basePrefix, d.suffix)),
            },
        ],
        sources: ["confluent-cloud", "local"],
        query: (target, { metrics }) => metrics.consumerLag(target.topics!),
        op: ">",
        threshold: (t) => t.consumerLagRecords,
        forMinutes: (t) => t.consumerLagMinutes,
        noData: "OK",
    },
    {
        key: "connector_not_running",
        alertName: "ConnectorNotRunning",
        severity: "critical",
        runbook:
            "The connector is not RUNNING (FAILED, PAUSED or gone). Read its status and trace in Confluent Cloud (or GET /connectors/<name>/status locally); " +
            "fix the cause (credentials, binlog purged, schema), then restart it. CDC resumes from the stored offset if the binlog still has it.",
        summary: (target, t) => `Connector ${target.key} not RUNNING for ${t.connectorDownMinutes} min`,
        targets: (estate) => connectorTargets(estate),
        sources: ["confluent-cloud", "local"],
        query: (target, { metrics }) => metrics.connectorRunning(target.connector!),
        op: "<",
        threshold: () => 1,
        forMinutes: (t) => t.connectorDownMinutes,
        noData: "Alerting",
    },
    {
        key: "dlq_growth",
        alertName: "DeadLetterQueueGrowing",
        severity: "warning",
        runbook:
            "Records land in the sink's dead-letter topic (<prefix>.dlq.<sink>). Read a few (headers carry the error), fix the schema or " +
            "target table, then replay them. Each is a row missing from the lake or warehouse.",
        summary: (target, t) => `More than ${t.dlqRecords} records in the DLQ of ${target.key} within ${t.dlqWindowMinutes} min`,
        targets: (estate) => connectorTargets(estate, "sink"),
        sources: ["confluent-cloud", "local"],
        query: (target, { metrics, t }) => metrics.dlqRecords(target.connector!, t.dlqWindowMinutes),
        op: ">",
        threshold: (t) => t.dlqRecords,
        forMinutes: () => 0,
        noData: "OK",
    },
    {
        // Issue 22, item 3: with errors.tolerance=all a sink keeps RUNNING while records go to its
        // DLQ (a refused Snowflake schema evolution sends every record of the table there), so a
        // single record is a missing row in the lake, archive or warehouse and pages at once,
        // whatever the tier's growth threshold. DLQ metrics: Confluent's export
        // (https://docs.confluent.io/cloud/current/monitoring/metrics-api.html, dead_letter_queue_records)
        // and Kafka Connect's task error metrics (https://kafka.apache.org/documentation/#connect_monitoring).
        key: "dlq_record",
        alertName: "DeadLetterQueueRecord",
        severity: "critical",
        runbook:
            "A record reached the sink's dead-letter topic (<prefix>.dlq.<sink>): a row is missing downstream. Read it (headers carry " +
            "the error; a Snowflake 'insufficient privileges' or schema evolution error points at the table grants), fix the cause, " +
            "then replay the DLQ into the sink's topic.",
        summary: (target, t) => `A record reached the DLQ of ${target.key} within ${t.dlqWindowMinutes} min`,
        targets: (estate) => connectorTargets(estate, "sink"),
        sources: ["confluent-cloud", "local"],
        query: (target, { metrics, t }) => metrics.dlqRecords(target.connector!, t.dlqWindowMinutes),
        op: ">",
        threshold: () => 0,
        forMinutes: () => 0,
        noData: "OK",
    },
    {
        key: "sink_errors",
        alertName: "SinkTaskErrors",
        severity: "critical",
        runbook:
            "A sink connector task failed (cloud) or reports record errors (local). Check the task trace; common causes: revoked " +
            "S3/Snowflake credentials, missing table or bucket, tombstones without behavior.on.null.values=ignore.",
        summary: (target) => `Sink connector ${target.key} reports errors`,
        targets: (estate) => connectorTargets(estate, "sink"),
        sources: ["confluent-cloud", "local"],
        query: (target, { metrics, t }) => metrics.sinkErrors(target.connector!, t.dlqWindowMinutes),
        op: ">",
        threshold: () => 0,
        forMinutes: (t) => t.connectorDownMinutes,
        noData: "OK",
    },
    {
        key: "cdc_silence",
        alertName: "CdcSourceSilent",
        severity: "critical",
        runbook:
            "No change events from this domain's database during operating hours. Check the CDC connector status, the source " +
            "application (is it writing?), MySQL binlog settings and network reachability from Confluent's egress IPs.",
        summary: (target, t) => `No CDC records from ${target.domain} for ${t.cdcSilenceMinutes} min during operating hours`,
        targets: (estate) => domainTargets(estate),
        sources: ["confluent-cloud", "local"],
        query: (target, { metrics, t, hours }) =>
            `(${metrics.cdcEvents(target.cdcPrefix!, target.topics!, t.cdcSilenceMinutes)} or on() vector(0)) and on() (${duringOperatingHours(hours)})`,
        op: "<",
        threshold: () => 1,
        forMinutes: () => 0,
        noData: "OK",
    },
    {
        key: "lab_out_of_spec",
        alertName: "LabResultsOutOfSpec",
        severity: "critical",
        runbook:
            "Lab results outside their specification limits (lab_validation app). Notify QA: open a deviation for the batch; " +
            "the records are in the lab_results_oos topic and the audit archive.",
        summary: (target, t) => `More than ${t.labOosRecords} out-of-spec lab results within ${t.eventWindowMinutes} min`,
        targets: (estate) => topicTarget(estate, "ksql.lab_results_oos", "lims"),
        sources: ["confluent-cloud", "local"],
        query: (target, { metrics, t }) => metrics.topicRecordsIn(target.topics!, t.eventWindowMinutes),
        op: ">",
        threshold: (t) => t.labOosRecords,
        forMinutes: () => 0,
        noData: "OK",
    },
    {
        key: "machine_alarms",
        alertName: "MachineAlarms",
        severity: "warning",
        runbook:
            "Machine events of severity ALARM/CRITICAL exceed the usual rate (manufacturing_events app). Inform the line's shift " +
            "lead; the events, with machine, line and batch, are in the machine_alarms topic.",
        summary: (target, t) => `More than ${t.machineAlarmRecords} machine alarms within ${t.eventWindowMinutes} min`,
        targets: (estate) => topicTarget(estate, "ksql.machine_alarms", "mes"),
        sources: ["confluent-cloud", "local"],
        query: (target, { metrics, t }) => metrics.topicRecordsIn(target.topics!, t.eventWindowMinutes),
        op: ">",
        threshold: (t) => t.machineAlarmRecords,
        forMinutes: () => 0,
        noData: "OK",
    },
    {
        key: "streams_consumer_lag",
        alertName: "StreamsAppLagging",
        severity: "warning",
        runbook:
            "A Kafka Streams app (its consumer group is its application.id) falls behind its inputs: batch release statuses are late. " +
            "Check the ECS service (tasks RUNNING and healthy, restarts in the CloudWatch log group), a rebalance loop or a state restore; " +
            "scale streams.desiredCount up to the input partition count. Lag beyond topic retention loses data.",
        summary: (target, t) => `Kafka Streams app ${target.key} lags more than ${t.consumerLagRecords} records for ${t.consumerLagMinutes} min`,
        targets: streamsAppTargets,
        sources: ["confluent-cloud", "local"],
        query: (target, { metrics }) => metrics.consumerGroupLag(exactAlternation([target.consumerGroup!])),
        op: ">",
        threshold: (t) => t.consumerLagRecords,
        forMinutes: (t) => t.consumerLagMinutes,
        noData: "OK",
    },
    {
        key: "batch_release_overdue",
        alertName: "BatchReleaseOverdue",
        severity: "warning",
        runbook:
            "A batch completed more than OVERDUE_AFTER ago and is still not READY (batch_release app). Tell QA: the record on the " +
            "overdue topic (and the status topic / CURATED.BATCH_RELEASE_STATUS) names the batch and why it is BLOCKED or PENDING " +
            "(missing or out-of-spec tests, alarms). Release stays a QA decision; this only says nobody has closed the gaps yet.",
        summary: (target, t) => `Batches overdue for release within ${t.eventWindowMinutes} min (${target.key})`,
        targets: (estate) => streamsAlertTopics(estate, "batch_release_overdue"),
        sources: ["confluent-cloud", "local"],
        query: (target, { metrics, t }) => metrics.topicRecordsIn(target.topics!, t.eventWindowMinutes),
        op: ">",
        threshold: () => 0,
        forMinutes: () => 0,
        noData: "OK",
    },
    {
        key: "rds_free_storage",
        alertName: "RdsFreeStorageLow",
        severity: "critical",
        runbook:
            "RDS free storage is low. Check binlog usage (a stopped connector keeps binlogs for binlog retention hours) and table " +
            "growth; raise maxAllocatedStorageGb or storage. A full disk stops the source applications.",
        summary: (target, t) => `RDS ${target.key} free storage below ${t.rdsFreeStorageGb} GiB`,
        targets: rdsTargets,
        sources: ["confluent-cloud"],
        query: (target, { metrics }) => metrics.rdsFreeStorageGb!(target.rdsInstanceId!),
        op: "<",
        threshold: (t) => t.rdsFreeStorageGb,
        forMinutes: () => 10,
        noData: "OK",
    },
    {
        key: "rds_binlog_usage",
        alertName: "RdsBinlogDiskUsageHigh",
        severity: "warning",
        runbook:
            "Binlog files use a lot of RDS storage: usually a CDC connector is stopped or lagging and RDS keeps binlogs for it. " +
            "Restart the connector, or lower mysql.binlogRetentionHours if the retention is larger than needed.",
        summary: (target, t) => `RDS ${target.key} binlog disk usage above ${t.rdsBinlogDiskUsageGb} GiB`,
        targets: rdsTargets,
        sources: ["confluent-cloud"],
        query: (target, { metrics }) => metrics.rdsBinlogDiskUsageGb!(target.rdsInstanceId!),
        op: ">",
        threshold: (t) => t.rdsBinlogDiskUsageGb,
        forMinutes: () => 10,
        noData: "OK",
    },
    {
        // Issue 22, item 5: the NLB in front of RDS no longer reaches a healthy primary (a failover
        // the re-targeting Lambda did not follow, or RDS down): every CDC connector of prod stops.
        // https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-cloudwatch-metrics.html
        key: "privatelink_target_unhealthy",
        alertName: "PrivateLinkTargetUnhealthy",
        severity: "critical",
        runbook:
            "The PrivateLink NLB's RDS target is unhealthy: after a failover the retargeting Lambda (<prefix>-mysql-retarget) should " +
            "have moved it to the new primary. Check its logs and `aws elbv2 describe-target-health`; invoke it by hand, or register " +
            "the IP the RDS endpoint resolves to inside the VPC.",
        summary: (target) => `PrivateLink target group ${target.key} reports unhealthy targets`,
        targets: nlbTargets,
        // CloudWatch (Grafana Cloud's scrape job); locally there is no NLB.
        sources: ["confluent-cloud"],
        query: (target, { metrics }) => metrics.nlbUnhealthyHosts!(target.nlb!),
        op: ">",
        threshold: () => 0,
        forMinutes: () => 5,
        noData: "OK",
    },
    {
        key: "audit_replication_failed",
        alertName: "AuditReplicationFailed",
        severity: "critical",
        runbook:
            "S3 Replication failed to copy audit files from the staging bucket into the object-locked archive. Read the failure " +
            "reason (S3 event s3:Replication:OperationFailedReplication, or the objects' replication status FAILED); fix it (role, " +
            "KMS key, archive policy), then re-replicate the failed objects with S3 Batch Replication before the staging copies expire.",
        summary: (target, t) => `S3 Replication ${target.key} reports failed operations within ${t.dlqWindowMinutes} min`,
        targets: replicationTargets,
        // CloudWatch (Grafana Cloud's scrape job); locally MinIO has no replication.
        sources: ["confluent-cloud"],
        query: (target, { metrics, t }) => metrics.s3ReplicationFailed!(target.replication!, t.dlqWindowMinutes),
        op: ">",
        threshold: () => 0,
        forMinutes: () => 0,
        noData: "OK",
    },
];

/** Every rule for a metrics source: one per intent per target the intent watches. */
export function alertRules(source: MetricsSource, estate: MonitoredEstate, t: AlertThresholds, hours: OperatingHours): AlertRule[] {
    const metrics = vocabulary(source, estate.kafkaClusterId);
    const rules: AlertRule[] = [];
    for (const intent of ALERT_INTENTS) {
        if (!intent.sources.includes(source)) continue;
        for (const target of intent.targets(estate)) {
            rules.push({
                intent: intent.key,
                alertName: intent.alertName,
                title: `${intent.alertName} ${target.key}`,
                query: intent.query(target, { metrics, t, hours }),
                op: intent.op,
                threshold: intent.threshold(t),
                forMinutes: intent.forMinutes(t),
                noData: intent.noData,
                labels: { severity: intent.severity, domain: target.domain, intent: intent.key, ...target.labels },
                annotations: { summary: intent.summary(target, t), description: intent.runbook },
            });
        }
    }
    return rules;
}

/** The rule as one PromQL alert expression: the value query compared with the threshold. */
export function alertExpression(rule: AlertRule): string {
    return `(${rule.query}) ${rule.op} ${rule.threshold}`;
}

/** Prometheus rule file content (one group per intent), for Prometheus/Alertmanager users. */
export function prometheusRuleFile(rules: readonly AlertRule[], evaluationInterval = "1m"): { groups: object[] } {
    const intents = [...new Set(rules.map((r) => r.intent))];
    return {
        groups: intents.map((intent) => ({
            name: `lifesci-${intent}`,
            interval: evaluationInterval,
            rules: rules
                .filter((r) => r.intent === intent)
                .map((r) => ({
                    alert: r.alertName,
                    expr: alertExpression(r),
                    ...(r.forMinutes > 0 ? { for: `${r.forMinutes}m` } : {}),
                    labels: r.labels,
                    annotations: { ...r.annotations, title: r.title },
                })),
        })),
    };
}
