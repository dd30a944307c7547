// Managed connectors. Config builders are pure functions (tests call them directly and check
// every key against the documented key list); the resources only wire them to live values.
import * as confluent from "@pulumi/confluentcloud";
import * as pulumi from "@pulumi/pulumi";
import { Domain, SinkName, cdcTopicPrefix, schemaHistoryTopic, tableIncludeList } from "./catalog";
import { CdcConfig } from "./config";
import { RoleGrant, WorkloadIdentity, crn } from "./streaming";

export interface CdcSourceSettings {
    connectorName: string;
    domain: Domain;
    basePrefix: string;
    hostname: string;
    port: number;
    user: string;
    serviceAccountId: string;
    cdc: CdcConfig;
}

/** Non-sensitive config of a Confluent `MySqlCdcSourceV2` connector for one domain. */
export function cdcSourceConfig(s: CdcSourceSettings): Record<string, string> {
    return {
        "connector.class": "MySqlCdcSourceV2",
        name: s.connectorName,
        "kafka.auth.mode": "SERVICE_ACCOUNT",
        "kafka.service.account.id": s.serviceAccountId,
        "database.hostname": s.hostname,
        "database.port": String(s.port),
        "database.user": s.user,
        "database.ssl.mode": s.cdc.sslMode,
        "database.include.list": s.domain.database,
        "table.include.list": tableIncludeList(s.domain),
        "topic.prefix": cdcTopicPrefix(s.basePrefix, s.domain),
        "schema.history.internal.kafka.topic": schemaHistoryTopic(s.basePrefix, s.domain),
        "output.data.format": "AVRO",
        "output.key.format": "AVRO",
        "snapshot.mode": s.cdc.snapshotMode,
        // Keep before and after images: the audit trail and OOS detection need both.
        "after.state.only": "false",
        // Deletes produce a tombstone after the delete event so compacted consumers forget the key.
        "tombstones.on.delete": "true",
        "decimal.handling.mode": "precise",
        // DATETIME(6) keeps its microseconds.
        "time.precision.mode": "adaptive_time_microseconds",
        "heartbeat.interval.ms": String(s.cdc.heartbeatIntervalMs),
        // MySQL binlog reading is single-threaded by design.
        "tasks.max": "1",
    };
}

/** The connector's name: `<namePrefix>-<domain>-cdc` (Kafka Connect and dashboards know it by this). */
export function cdcConnectorName(namePrefix: string, domain: Domain): string {
    return `${namePrefix}-${domain.name}-cdc`;
}

/** The name of a sink connector (what Kafka Connect and the alert rules know it by). */
export function sinkConnectorName(namePrefix: string, sink: SinkName): string {
    return `${namePrefix}-${sink}`;
}

/** Keys that carry secrets; they go in `configSensitive`, never in `configNonsensitive`. */
export const CDC_SOURCE_SENSITIVE_KEYS = ["database.password", "database.ssl.truststore", "database.ssl.truststore.password"] as const;

/** The trust store the connector verifies the server certificate with (documented sensitive keys). */
export interface CdcTruststore {
    /** The trust store file, base64 (PKCS12 holding the RDS CA bundle). */
    truststore: pulumi.Input<string>;
    password: pulumi.Input<string>;
}

/** `configSensitive` of a CDC source: the password, and the trust store when one is configured. */
export function cdcSensitiveConfig(password: pulumi.Input<string>, truststore?: CdcTruststore): Record<string, pulumi.Output<string>> {
    return {
        "database.password": pulumi.secret(password),
        ...(truststore
            ? { "database.ssl.truststore": pulumi.secret(truststore.truststore), "database.ssl.truststore.password": pulumi.secret(truststore.password) }
            : {}),
    };
}

/** Role bindings the CDC connector of one domain needs, and nothing more. */
export function cdcConnectorGrants(
    cluster: confluent.KafkaCluster,
    schemaRegistryCrn: pulumi.Input<string>,
    basePrefix: string,
    domain: Domain,
): RoleGrant[] {
    const prefix = cdcTopicPrefix(basePrefix, domain);
    const history = schemaHistoryTopic(basePrefix, domain);
    return [
        { label: "write-topics", role: "DeveloperWrite", crnPattern: crn.topic(cluster, `${prefix}.*`) },
        { label: "read-history", role: "DeveloperRead", crnPattern: crn.topic(cluster, history) },
        { label: "write-history", role: "DeveloperWrite", crnPattern: crn.topic(cluster, history) },
        // The schema history reader's consumer group.
        { label: "history-group", role: "DeveloperRead", crnPattern: crn.group(cluster, `${prefix}-schemahistory`) },
        // AVRO: the converter registers and looks up `<topic>-key` / `<topic>-value` subjects.
        { label: "read-subjects", role: "DeveloperRead", crnPattern: crn.subject(schemaRegistryCrn, `${prefix}.*`) },
        { label: "write-subjects", role: "DeveloperWrite", crnPattern: crn.subject(schemaRegistryCrn, `${prefix}.*`) },
    ];
}

export interface CdcSourceConnectorArgs {
    namePrefix: string;
    domain: Domain;
    basePrefix: string;
    environmentId: pulumi.Input<string>;
    cluster: confluent.KafkaCluster;
    schemaRegistryCrn: pulumi.Input<string>;
    hostname: pulumi.Input<string>;
    port: pulumi.Input<number>;
    user: string;
    password: pulumi.Input<string>;
    cdc: CdcConfig;
    /** The CA trust store for `verify_ca`/`verify_identity` (stack secrets cdcTruststore*). */
    truststore?: CdcTruststore;
    /** The topics this connector writes; it is created after them. */
    topics: pulumi.Resource[];
    /** What must exist on the database first (the SQL bootstrap that creates the CDC user). */
    sourceReady: pulumi.Resource[];
}

/** One MySqlCdcSourceV2 connector (and its identity) per catalog domain. */
export class CdcSourceConnector extends pulumi.ComponentResource {
    readonly connector: confluent.Connector;
    readonly identity: WorkloadIdentity;
    readonly connectorName: string;

    constructor(name: string, args: CdcSourceConnectorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("lifesci:connectors:CdcSourceConnector", name, {}, opts);
        const connectorName = cdcConnectorName(args.namePrefix, args.domain);
        this.connectorName = connectorName;

        this.identity = new WorkloadIdentity(
            `${name}-identity`,
            {
                displayName: connectorName,
                description: `CDC source connector for ${args.domain.database}`,
                grants: cdcConnectorGrants(args.cluster, args.schemaRegistryCrn, args.basePrefix, args.domain),
            },
            { parent: this },
        );

        const configNonsensitive = pulumi
            .all([args.hostname, args.port, this.identity.serviceAccount.id])
            .apply(([hostname, port, serviceAccountId]) =>
                cdcSourceConfig({
                    connectorName,
                    domain: args.domain,
                    basePrefix: args.basePrefix,
                    hostname,
                    port,
                    user: args.user,
                    serviceAccountId,
                    cdc: args.cdc,
                }),
            );

        this.connector = new confluent.Connector(
            name,
            {
                environment: { id: args.environmentId },
                kafkaCluster: { id: args.cluster.id },
                configNonsensitive,
                configSensitive: cdcSensitiveConfig(args.password, args.truststore),
            },
            { parent: this, dependsOn: [...args.topics, ...this.identity.roleBindings, ...args.sourceReady] },
        );
        this.registerOutputs({ connectorId: this.connector.id, status: this.connector.status });
    }
}

// ---------------------------------------------------------------------------------------------
// Sink connectors: S3 (raw lake, audit archive) and Snowflake. Settings every sink shares are
// written once here and used by both builders.

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
}): Record<string, string> {
    if (s.topics.length === 0) throw new Error(`sink ${s.connectorName}: no topics to read`);
    return {
        "connector.class": s.connectorClass,
        name: s.connectorName,
        "kafka.auth.mode": "SERVICE_ACCOUNT",
        "kafka.service.account.id": s.serviceAccountId,
        topics: s.topics.join(","),
        "input.data.format": "AVRO",
        "errors.tolerance": "all",
        "errors.deadletterqueue.topic.name": s.dlqTopic,
        // The S3 and Snowflake sinks spell the same choice differently.
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
        // One column per record field; the tables are created with ENABLE_SCHEMA_EVOLUTION.
        "snowflake.enable.schematization": "true",
        "snowflake.topic2table.map": s.tables.map((t) => `${t.topic}:${t.table}`).join(","),
        "buffer.flush.time": String(s.bufferFlushSeconds),
    };
    if (s.unwrapCdcEnvelope) {
        Object.assign(config, {
            transforms: "unwrap",
            "transforms.unwrap.type": "io.debezium.transforms.ExtractNewRecordState",
            // Deletes arrive as the last row state with __deleted=true; tombstones are dropped.
            "transforms.unwrap.delete.handling.mode": "rewrite",
            "transforms.unwrap.drop.tombstones": "true",
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
): RoleGrant[] {
    return [
        ...topics.flatMap((topic) => [
            { label: `read-${topic}`, role: "DeveloperRead", crnPattern: crn.topic(cluster, topic) },
            { label: `read-subject-${topic}`, role: "DeveloperRead", crnPattern: crn.subject(schemaRegistryCrn, `${topic}-value`) },
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
                grants: sinkConnectorGrants(args.cluster, args.schemaRegistryCrn, args.topics, args.dlqTopic),
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
