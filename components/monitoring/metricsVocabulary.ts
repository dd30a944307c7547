// The PromQL vocabulary of each metrics source. Alert intents (alerts.ts) and dashboards
// (dashboards.ts) are written against this interface, so the same rules and panels work on
// Grafana Cloud fed by Confluent's export endpoint and on the local Prometheus fed by exporters.
//
// confluent-cloud: https://api.telemetry.confluent.cloud/v2/metrics/cloud/export returns, per
// scrape, the latest one-minute delta of each counter (not a monotonic counter). A window's total
// is therefore avg_over_time(x[W]) * W minutes, whatever the scrape interval. Labels: kafka_id,
// topic, consumer_group_id, connector_id, ksql_id, status, task. The export documentation shows
// neither the case of the `status` values nor the `ksql_id` label verbatim
// (https://docs.confluent.io/cloud/current/monitoring/metrics-api.html#export-metrics): status
// values are matched case-insensitively (a rule keyed on "RUNNING" would page forever on
// "Running"), and ksqlDB series are not filtered by `ksql_id` at all, since the scrape job only asks
// for the platform's own clusters (resource.ksql.id). RDS comes from Grafana Cloud's
// CloudWatch scrape job (aws_rds_<metric>_<statistic>, dimension_DBInstanceIdentifier).
//
// local: Prometheus scrapes real counters: kafka-exporter (kafka_topic_partition_current_offset,
// kafka_consumergroup_lag), the Kafka Connect JMX exporter (kafka_connect_connector_status,
// kafka_connect_task_error_metrics_*) and Debezium's MBeans (debezium_metrics_*, label name =
// the connector's topic.prefix). No RDS and no ksqlDB export locally.
//
// Kafka Streams apps' own gauges (batches by release status): names from the app's metrics.json
// (streamsMetrics.ts); locally scraped from the app's GET /metrics, in the cloud CloudWatch EMF
// metrics read by Grafana Cloud's CloudWatch scrape job. Both queries sum over stream tasks and
// instances and carry the status in the label `status`.
import { STREAMS_CLOUDWATCH_STATISTIC, StreamsAppMetrics, cloudwatchPromName } from "./streamsMetrics";

export const METRICS_SOURCES = ["confluent-cloud", "local"] as const;
export type MetricsSource = (typeof METRICS_SOURCES)[number];

/** A connector as the metrics see it: Confluent labels by id, Kafka Connect by name. */
export interface ConnectorRef {
    name: string;
    id: string;
}

/** The consumer group a sink connector reads with: Connect names it `connect-<connector>`. */
export function sinkConsumerGroup(source: MetricsSource, connector: ConnectorRef): string {
    return `connect-${source === "confluent-cloud" ? connector.id : connector.name}`;
}

/** A Streams app's metric names and, in the cloud, the CloudWatch namespace its tasks write to. */
export interface StreamsMetricsRef {
    metrics: StreamsAppMetrics;
    cloudwatchNamespace: string;
}

/** The label the by-status queries carry the release status in, whatever the source calls it. */
export const STREAMS_STATUS_LABEL = "status";

export interface MetricsVocabulary {
    source: MetricsSource;
    /** Records (or bytes) written to / read from the topics over the window, in total. */
    topicRecordsIn(topics: readonly string[], windowMinutes: number): string;
    topicRecordsOut(topics: readonly string[], windowMinutes: number): string;
    topicBytesIn?(topics: readonly string[], windowMinutes: number): string;
    topicBytesOut?(topics: readonly string[], windowMinutes: number): string;
    /** Consumer lag in records, one series per consumer group and topic. */
    consumerLag(topics: readonly string[]): string;
    /** Consumer lag in records of the groups matching a regex, per group and topic. */
    consumerGroupLag(groupRegex: string): string;
    /** 1 while the connector reports RUNNING, 0 otherwise (including when it reports nothing). */
    connectorRunning(connector: ConnectorRef): string;
    connectorRecords(connector: ConnectorRef, direction: "in" | "out", windowMinutes: number): string;
    dlqRecords(connector: ConnectorRef, windowMinutes: number): string;
    /** Evidence of a sink failing: failed tasks (cloud) or record errors (local). */
    sinkErrors(connector: ConnectorRef, windowMinutes: number): string;
    /** Change events captured from one domain's database over the window. */
    cdcEvents(cdcPrefix: string, topics: readonly string[], windowMinutes: number): string;
    ksqlSaturation?(ksqlIds: readonly string[]): string;
    ksqlStreamingUnits?(ksqlIds: readonly string[]): string;
    rdsFreeStorageGb?(instanceId: string): string;
    rdsBinlogDiskUsageGb?(instanceId: string): string;
    rdsCpuPercent?(instanceId: string): string;
    rdsConnections?(instanceId: string): string;
    /** Operations S3 Replication failed for one rule within the window (CloudWatch OperationsFailedReplication). */
    s3ReplicationFailed?(rule: { sourceBucket: string; destinationBucket: string; ruleId: string }, windowMinutes: number): string;
    /** Unhealthy targets of an NLB target group (CloudWatch UnHealthyHostCount, Maximum). */
    nlbUnhealthyHosts?(ref: { targetGroup: string; loadBalancer: string }): string;
    /** Batches of a Streams app per release status, summed over its stream tasks and instances; label `status`. */
    streamsBatchesByStatus(app: StreamsMetricsRef): string;
    /** Batches of a Streams app completed more than OVERDUE_AFTER ago and not READY, summed over tasks and instances. */
    streamsOverdueBatches(app: StreamsMetricsRef): string;
}

/** Sum per status over tasks and instances, the status copied into the common label first. */
function sumByStatus(series: string, statusLabel: string): string {
    return `sum by (${STREAMS_STATUS_LABEL}) (label_replace(${series}, ${promString(STREAMS_STATUS_LABEL)}, "$1", ${promString(statusLabel)}, "(.*)"))`;
}

/** A PromQL double-quoted string literal. */
export function promString(value: string): string {
    return JSON.stringify(value);
}

/**
 * A label matcher for a status value in any letter case: Prometheus label regexes are RE2, fully
 * anchored, and take the `(?i)` flag (https://prometheus.io/docs/prometheus/latest/querying/basics/#time-series-selectors).
 */
export function statusIs(value: string): string {
    return `status=~${promString(`(?i)${value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`)}`;
}

/** Regex that matches exactly these values (Prometheus anchors label regexes). */
export function exactAlternation(values: readonly string[]): string {
    if (values.length === 0) throw new Error("a label matcher needs at least one value");
    return values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
}

function matchAny(label: string, values: readonly string[]): string {
    return values.length === 1 ? `${label}=${promString(values[0])}` : `${label}=~${promString(exactAlternation(values))}`;
}

const GIB = "1073741824";

/** Confluent Cloud export (+ CloudWatch for RDS). `kafkaId` narrows server metrics to one cluster. */
export function confluentCloudVocabulary(kafkaId?: string): MetricsVocabulary {
    const server = (topics: readonly string[]) => [kafkaId ? `kafka_id=${promString(kafkaId)}` : "", matchAny("topic", topics)].filter(Boolean).join(", ");
    const windowTotal = (metric: string, selector: string, w: number) => `sum(avg_over_time(${metric}{${selector}}[${w}m])) * ${w}`;
    const connector = (c: ConnectorRef) => `connector_id=${promString(c.id)}`;
    const rds = (id: string) => `dimension_DBInstanceIdentifier=${promString(id)}`;
    return {
        source: "confluent-cloud",
        topicRecordsIn: (t, w) => windowTotal("confluent_kafka_server_received_records", server(t), w),
        topicRecordsOut: (t, w) => windowTotal("confluent_kafka_server_sent_records", server(t), w),
        topicBytesIn: (t, w) => windowTotal("confluent_kafka_server_received_bytes", server(t), w),
        topicBytesOut: (t, w) => windowTotal("confluent_kafka_server_sent_bytes", server(t), w),
        consumerLag: (t) => `sum by (consumer_group_id, topic) (confluent_kafka_server_consumer_lag_offsets{${server(t)}})`,
        consumerGroupLag: (g) => `sum by (consumer_group_id, topic) (confluent_kafka_server_consumer_lag_offsets{consumer_group_id=~${promString(g)}})`,
        connectorRunning: (c) => `max(confluent_kafka_connect_connector_status{${connector(c)}, ${statusIs("RUNNING")}}) or on() vector(0)`,
        connectorRecords: (c, dir, w) =>
            windowTotal(dir === "in" ? "confluent_kafka_connect_received_records" : "confluent_kafka_connect_sent_records", connector(c), w),
        dlqRecords: (c, w) => windowTotal("confluent_kafka_connect_dead_letter_queue_records", connector(c), w),
        // The export has no per-record error counter for managed connectors; a FAILED task is the signal.
        sinkErrors: (c) => `sum(confluent_kafka_connect_connector_task_status{${connector(c)}, ${statusIs("FAILED")}})`,
        cdcEvents: (_prefix, t, w) => windowTotal("confluent_kafka_server_received_records", server(t), w),
        // The scrape job requests exactly the platform's ksqlDB clusters; `by (ksql_id)` only names the legend.
        ksqlSaturation: () => `max by (ksql_id) (confluent_kafka_ksql_query_saturation)`,
        ksqlStreamingUnits: () => `max by (ksql_id) (confluent_kafka_ksql_streaming_unit_count)`,
        rdsFreeStorageGb: (id) => `min(aws_rds_free_storage_space_average{${rds(id)}}) / ${GIB}`,
        rdsBinlogDiskUsageGb: (id) => `max(aws_rds_bin_log_disk_usage_average{${rds(id)}}) / ${GIB}`,
        rdsCpuPercent: (id) => `max(aws_rds_cpuutilization_average{${rds(id)}})`,
        rdsConnections: (id) => `max(aws_rds_database_connections_average{${rds(id)}})`,
        // S3 replication metrics: namespace AWS/S3, dimensions SourceBucket, DestinationBucket, RuleId
        // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/metrics-dimensions.html#s3-cloudwatch-replication-metrics).
        s3ReplicationFailed: (r, w) =>
            `sum(max_over_time(aws_s3_operations_failed_replication_sum{dimension_SourceBucket=${promString(r.sourceBucket)}, dimension_RuleId=${promString(r.ruleId)}}[${w}m])) or on() vector(0)`,
        // NLB metrics: namespace AWS/NetworkELB, dimensions TargetGroup and LoadBalancer (arn suffixes)
        // (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-cloudwatch-metrics.html).
        nlbUnhealthyHosts: (n) =>
            `max(aws_networkelb_un_healthy_host_count_maximum{dimension_TargetGroup=${promString(n.targetGroup)}, dimension_LoadBalancer=${promString(n.loadBalancer)}}) or on() vector(0)`,
        // CloudWatch dimensions arrive as dimension_<Name> labels (YACE).
        streamsBatchesByStatus: (a) =>
            sumByStatus(
                cloudwatchPromName(a.cloudwatchNamespace, a.metrics.batchesByStatus.cloudwatch, STREAMS_CLOUDWATCH_STATISTIC),
                `dimension_${a.metrics.statusLabel.cloudwatch}`,
            ),
        streamsOverdueBatches: (a) => `sum(${cloudwatchPromName(a.cloudwatchNamespace, a.metrics.overdueBatches.cloudwatch, STREAMS_CLOUDWATCH_STATISTIC)})`,
    };
}

/** Local Docker stack: kafka-exporter, Kafka Connect JMX exporter, Debezium MBeans. */
export function localVocabulary(): MetricsVocabulary {
    const offsets = (t: readonly string[], w: number) => `sum(increase(kafka_topic_partition_current_offset{${matchAny("topic", t)}}[${w}m]))`;
    const connector = (c: ConnectorRef) => `connector=${promString(c.name)}`;
    return {
        source: "local",
        topicRecordsIn: offsets,
        // Records read: the consumer groups' committed offsets move.
        topicRecordsOut: (t, w) => `sum(increase(kafka_consumergroup_current_offset{${matchAny("topic", t)}}[${w}m]))`,
        consumerLag: (t) => `sum by (consumergroup, topic) (kafka_consumergroup_lag{${matchAny("topic", t)}})`,
        consumerGroupLag: (g) => `sum by (consumergroup, topic) (kafka_consumergroup_lag{consumergroup=~${promString(g)}})`,
        connectorRunning: (c) => `max(kafka_connect_connector_status{${connector(c)}, ${statusIs("running")}}) or on() vector(0)`,
        connectorRecords: (c, dir, w) =>
            `sum(increase(${dir === "in" ? "kafka_connect_sink_task_metrics_sink_record_read_total" : "kafka_connect_source_task_metrics_source_record_write_total"}{${connector(c)}}[${w}m]))`,
        dlqRecords: (c, w) => `sum(increase(kafka_connect_task_error_metrics_deadletterqueue_produce_requests{${connector(c)}}[${w}m]))`,
        sinkErrors: (c, w) => `sum(increase(kafka_connect_task_error_metrics_total_record_errors{${connector(c)}}[${w}m]))`,
        cdcEvents: (prefix, _t, w) =>
            `sum(increase(debezium_metrics_totalnumberofeventsseen{context="streaming", name=${promString(prefix)}}[${w}m]))`,
        streamsBatchesByStatus: (a) => sumByStatus(a.metrics.batchesByStatus.prometheus, a.metrics.statusLabel.prometheus),
        streamsOverdueBatches: (a) => `sum(${a.metrics.overdueBatches.prometheus})`,
    };
}

export function vocabulary(source: MetricsSource, kafkaId?: string): MetricsVocabulary {
    return source === "confluent-cloud" ? confluentCloudVocabulary(kafkaId) : localVocabulary();
}
