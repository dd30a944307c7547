// Sink connectors: S3 (raw lake, audit archive) and Snowflake. Config builders are pure functions
// (tests check every key against the documented key list); settings every sink shares are
// written once here and used by both builders.
import * as confluent from "@pulumi/confluentcloud";
import * as pulumi from "@pulumi/pulumi";
import { SinkName } from "../catalog";
import { RoleGrant, WorkloadIdentity, crn } from "../streaming";

/** The name of a sink connector (what Kafka Connect and the alert rules know it by). */
export function sinkConnectorName(namePrefix: string, sink: SinkName): string {
    return `${namePrefix}-${sink}`;
}

/**
 * Error handling of every sink: bad records go to the sink's own dead-letter topic instead of
 * stopping it (alert on DLQ growth), and tombstones are skipped, so deletes never stop a sink.
 */
export function sinkCommonConfig(s: {
    connectorClass: "S3_SINK" | "SnowflakeSink";
    connectorName: string;
    serviceAccountId: string;
    topics: readonly string[];
    dlqTopic: string;
    /** AVRO (CDC and ksqlDB topics, Schema Registry) or JSON (the Kafka Streams apps' schemaless values). */
    inputFormat?: "AVRO" | "JSON";
}): Record<string, string> {
    if (s.topics.length === 0) throw new Error(`sink ${s.connectorName}: no topics to read`);
    return {
        "connector.class": s.connectorClass,
        name: s.connectorName,
        "kafka.auth.mode": "SERVICE_ACCOUNT",
        "kafka.service.account.id": s.serviceAccountId,
        topics: s.topics.join(","),
        "input.data.format": s.inputFormat ?? "AVRO",
        "errors.tolerance": "all",
        "errors.deadletterqueue.topic.name": s.dlqTopic,
        // The S3 and Snowflake sinks spell the same choice differently. Snowflake: IGNORE skips a
        // tombstone, DEFAULT would insert an empty row
        // (https://docs.confluent.io/cloud/current/connectors/cc-snowflake-sink/cc-snowflake-sink.html#configuration-properties).
        // Deliberate for every warehouse table: CDC deletes arrive as __deleted rows (unwrap
        // rewrite), ksqlDB streams write none, and a deleted batch's BATCH_RELEASE_STATUS history
        // stays (the table is the decision record; the local Postgres stand-in deletes the row).
        // S3: https://docs.confluent.io/cloud/current/connectors/cc-s3-sink/cc-s3-sink.html#configuration-properties
        "behavior.on.null.values": s.connectorClass === "S3_SINK" ? "ignore" : "IGNORE",
        "tasks.max": "1",
    };
}

export interface S3SinkSettings {
    connectorName: string;
    serviceAccountId: string;
    topics: readonly string[];
    dlqTopic: string;
    bucket: string;
    region: string;
    /** Top-level prefix inside the bucket; the IAM policy allows writes under it only. */
    topicsDir: string;
    providerIntegrationId: string;
    kmsKeyArn: string;
    flushSize: number;
    rotateIntervalMs: number;
    timeInterval: "HOURLY" | "DAILY";
}

/** Hive-style time partitions, as deep as the time interval. */
export function s3PathFormat(timeInterval: "HOURLY" | "DAILY"): string {
    const daily = "'year'=YYYY/'month'=MM/'day'=dd";
    return timeInterval === "HOURLY" ? `${daily}/'hour'=HH` : daily;
}

/** Non-sensitive config of a Confluent `S3_SINK`: AVRO topics -> Parquet files partitioned by time. */
export function s3SinkConfig(s: S3SinkSettings): Record<string, string> {
    return {
        ...sinkCommonConfig({ connectorClass: "S3_SINK", ...s }),
        // No access keys: Confluent assumes our IAM role through the provider integration.
        "authentication.method": "IAM Roles",
        "provider.integration.id": s.providerIntegrationId,
        "s3.bucket.name": s.bucket,
        "s3.region": s.region,
        "s3.ssea.name": "aws:kms",
        "s3.sse.kms.key.id": s.kmsKeyArn,
        "topics.dir": s.topicsDir,
        "output.data.format": "PARQUET",
        "compression.codec": "PARQUET - snappy",
        "partitioner.class": "TimeBasedPartitioner",
        "time.interval": s.timeInterval,
        "path.format": s3PathFormat(s.timeInterval),
        timezone: "UTC",
        "flush.size": String(s.flushSize),
        "rotate.interval.ms": String(s.rotateIntervalMs),
    };
}

export interface SnowflakeSinkSettings {
    connectorName: string;
    serviceAccountId: string;
    dlqTopic: string;
    /** Topic -> table, in catalog order. */
    tables: readonly { topic: string; table: string }[];
    accountUrl: string;
    user: string;
    role: string;
    database: string;
    schema: string;
    bufferFlushSeconds: number;
    /** CDC topics carry Debezium envelopes; land the current row state instead. */
    unwrapCdcEnvelope: boolean;
    /** Value format of the topics (default AVRO). */
    inputFormat?: "AVRO" | "JSON";
}

/**
 * How the Snowflake sink reads record keys (`input.key.format`, default STRING): CDC keys are AVRO
 * (the CDC connector's `output.key.format`), or they land garbled in RECORD_METADATA; the curated
 * ksqlDB streams have no key columns, so their keys are null and STRING reads them.
 */
export function snowflakeInputKeyFormat(unwrapCdcEnvelope: boolean): "AVRO" | "STRING" {
    return unwrapCdcEnvelope ? "AVRO" : "STRING";
}

/**
 * The value format a warehouse sink reads: the Kafka Streams apps write JSON (flat in the cloud,
 * where schematization maps its top-level fields to the declared columns); CDC topics and ksqlDB
 * outputs are AVRO.
 */
export function snowflakeInputFormat(kind: "cdc" | "ksql" | "streams"): "AVRO" | "JSON" {
    return kind === "streams" ? "JSON" : "AVRO";
}

/** `<org>-<account>.snowflakecomputing.com:443`, the connector's `snowflake.url.name`. */
export function snowflakeAccountUrl(organizationName: string, accountName: string): string {
    return `${organizationName}-${accountName}.snowflakecomputing.com:443`.toLowerCase();
}

/** Non-sensitive config of a Confluent `SnowflakeSink` (Snowpipe Streaming, schematized tables). */
export function snowflakeSinkConfig(s: SnowflakeSinkSettings): Record<string, string> {
    const config: Record<string, string> = {
        ...sinkCommonConfig({ connectorClass: "SnowflakeSink", ...s, topics: s.tables.map((t) => t.topic) }),
        "snowflake.url.name": s.accountUrl,
        "snowflake.user.name": s.user,
        "snowflake.role.name": s.role,
        "snowflake.database.name": s.database,
        "snowflake.schema.name": s.schema,
        "snowflake.ingestion.method": "SNOWPIPE_STREAMING",
        // One column per record field. CDC tables have ENABLE_SCHEMA_EVOLUTION (new source columns
        // are added); curated tables do not (their columns come from the catalog): warehouse.ts.
        "snowflake.enable.schematization": "true",
        "snowflake.topic2table.map": s.tables.map((t) => `${t.topic}:${t.table}`).join(","),
        "input.key.format": snowflakeInputKeyFormat(s.unwrapCdcEnvelope),
        "buffer.flush.time": String(s.bufferFlushSeconds),
        // Every row carries RECORD_METADATA {topic, partition, offset, CreateTime, key}: a row
        // loaded twice by the connector is the same topic/partition/offset (Snowpipe Streaming
        // loads each offset once), while a ksqlDB replay is the same business key under a new
        // offset and CreateTime, so either kind of duplicate is recognisable in the table.
        // Keys: https://docs.snowflake.com/en/user-guide/kafka-connector-install#kafka-configuration-properties ;
        // RECORD_METADATA: https://docs.snowflake.com/en/user-guide/kafka-connector-overview#schema-of-tables-for-kafka-topics
        "snowflake.metadata.all": "true",
        "snowflake.metadata.topic": "true",
        "snowflake.metadata.offset.and.partition": "true",
        "snowflake.metadata.createtime": "true",
    };
    if (s.unwrapCdcEnvelope) {
        Object.assign(config, {
            transforms: "unwrap",
            "transforms.unwrap.type": "io.debezium.transforms.ExtractNewRecordState",
            // Deletes arrive as the last row state with __deleted=true (column __DELETED); tombstones
            // are dropped. `delete.tombstone.handling.mode` replaces `delete.handling.mode` and
            // `drop.tombstones` (deprecated since Debezium 2.5; from 3.2 on they no longer apply and a
            // delete became a tombstone the sink ignores). Managed SMT:
            // https://docs.confluent.io/cloud/current/connectors/transforms/extractnewrecordstate.html
            // modes: https://debezium.io/documentation/reference/stable/transformations/event-flattening.html#extract-new-record-state-delete-tombstone-handling-mode
            // test/unwrapDeletes.integration.test.ts runs Debezium's SMT on a delete with these keys.
            "transforms.unwrap.delete.tombstone.handling.mode": "rewrite",
        });
    }
    return config;
}

/** Keys that carry secrets; they go in `configSensitive`, never in `configNonsensitive`. */
export const SNOWFLAKE_SINK_SENSITIVE_KEYS = ["snowflake.private.key"] as const;

/** The base64 body of a PEM block, on one line: the form the Snowflake sink and user expect. */
export function pemBody(pem: string): string {
    return pem
        .split("\n")
        .filter((line) => line.trim() !== "" && !line.startsWith("-----"))
        .map((line) => line.trim())
        .join("");
}

/**
 * Role bindings of a sink: read exactly its topics and their value subjects and write its own
 * dead-letter topic. Its consumer group is bound once the connector exists (sinkGroupGrant).
 */
export function sinkConnectorGrants(
    cluster: confluent.KafkaCluster,
    schemaRegistryCrn: pulumi.Input<string>,
    topics: readonly string[],
    dlqTopic: string,
    /** The sink reads AVRO keys (`input.key.format=AVRO`): it also looks up the `<topic>-key` subjects. */
    avroKeys = false,
    /** The values are schemaless JSON (no `<topic>-value` subject to read). */
    jsonValues = false,
): RoleGrant[] {
    return [
        ...topics.flatMap((topic) => [
            { label: `read-${topic}`, role: "DeveloperRead", crnPattern: crn.topic(cluster, topic) },
            ...(jsonValues ? [] : [{ label: `read-subject-${topic}`, role: "DeveloperRead", crnPattern: crn.subject(schemaRegistryCrn, `${topic}-value`) }]),
            ...(avroKeys ? [{ label: `read-key-subject-${topic}`, role: "DeveloperRead", crnPattern: crn.subject(schemaRegistryCrn, `${topic}-key`) }] : []),
        ]),
        { label: "write-dlq", role: "DeveloperWrite", crnPattern: crn.topic(cluster, dlqTopic) },
    ];
}

/**
 * A managed sink consumes as group `connect-<its connector id>`; the binding names exactly that
 * group, so no sink can read (or reset) another connector's offsets. The id exists only after
 * creation, so this binding follows the connector.
 * https://docs.confluent.io/cloud/current/connectors/service-account.html
 */
export function sinkGroupGrant(cluster: confluent.KafkaCluster, connectorId: pulumi.Input<string>): RoleGrant {
    return {
        label: "consumer-group",
        role: "DeveloperRead",
        crnPattern: crn.group(
            cluster,
            pulumi.output(connectorId).apply((id) => {
                if (!/^lcc-[a-z0-9]+$/.test(id)) throw new Error(`not a managed connector id: "${id}"`);
                return `connect-${id}`;
            }),
        ),
    };
}

export interface SinkConnectorArgs {
    displayName: string;
    description: string;
    environmentId: pulumi.Input<string>;
    cluster: confluent.KafkaCluster;
    schemaRegistryCrn: pulumi.Input<string>;
    topics: readonly string[];
    dlqTopic: string;
    /** The connector reads AVRO keys: grant read on the `<topic>-key` subjects too. */
    avroKeys?: boolean;
    /** The topics carry schemaless JSON values: no value subjects to read. */
    jsonValues?: boolean;
    /** Builds the non-sensitive config once the service account id is known. */
    config: (serviceAccountId: string) => pulumi.Output<Record<string, string>>;
    configSensitive?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Topics, IAM role, tables... that must exist before the connector starts. */
    dependsOn: pulumi.Resource[];
}

/** A managed sink connector with its own service account. */
export class SinkConnector extends pulumi.ComponentResource {
    readonly connector: confluent.Connector;
    readonly identity: WorkloadIdentity;

    constructor(name: string, args: SinkConnectorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("lifesci:connectors:SinkConnector", name, {}, opts);
        this.identity = new WorkloadIdentity(
            `${name}-identity`,
            {
                displayName: args.displayName,
                description: args.description,
                grants: sinkConnectorGrants(args.cluster, args.schemaRegistryCrn, args.topics, args.dlqTopic, args.avroKeys, args.jsonValues),
            },
            { parent: this },
        );
        this.connector = new confluent.Connector(
            name,
            {
                environment: { id: args.environmentId },
                kafkaCluster: { id: args.cluster.id },
                configNonsensitive: this.identity.serviceAccount.id.apply((id) => args.config(id)),
                configSensitive: args.configSensitive ? pulumi.secret(args.configSensitive) : undefined,
            },
            { parent: this, dependsOn: [...args.dependsOn, ...this.identity.roleBindings] },
        );
        this.identity.addGrants([sinkGroupGrant(args.cluster, this.connector.id)]);
        this.registerOutputs({ connectorId: this.connector.id, status: this.connector.status });
    }
}
