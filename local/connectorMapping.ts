// The cloud connector settings (components/source/cdcConnectors.ts and components/sinks/sinkConnectors.ts builders, derived from the catalog)
// mapped to the open-source connectors the local Kafka Connect runs: Debezium MySQL source,
// Confluent S3 sink (aimed at MinIO with store.url) and Debezium's JDBC sink (Postgres as the
// warehouse stand-in; from Maven Central, so the e2e run executes the same plugin). Pure functions: every cloud key must have a rule here, so a new cloud
// setting cannot silently go missing locally.
import { Domain, WarehouseTable, warehouseRecordKey, warehouseTopic } from "../components/catalog";
import { CdcConfig, LakeConfig } from "../components/config";
import { cdcConnectorName, cdcSourceConfig } from "../components/source";
import { s3SinkConfig, snowflakeInputFormat, snowflakeSinkConfig } from "../components/sinks";

export const DEBEZIUM_MYSQL_CLASS = "io.debezium.connector.mysql.MySqlConnector";
export const S3_SINK_CLASS = "io.confluent.connect.s3.S3SinkConnector";
/**
 * Debezium's JDBC sink (io.debezium:debezium-connector-jdbc, Maven Central, Apache 2.0), not
 * Confluent's (Confluent Hub only): the same plugin runs in the local image and in `npm run e2e`.
 * Keys: https://debezium.io/documentation/reference/2.7/connectors/jdbc.html#jdbc-connector-properties
 */
export const JDBC_SINK_CLASS = "io.debezium.connector.jdbc.JdbcSinkConnector";

/** Where the local Connect worker reaches Kafka and Schema Registry (container network names). */
export interface LocalKafka {
    bootstrapServers: string;
    schemaRegistryUrl: string;
}

export interface LocalConnectorConfig {
    config: Record<string, string>;
    /** Keys that carry secrets: passed to the Connect provider as secrets. */
    sensitiveKeys: string[];
}

/** A cloud key is copied, dropped (with the reason), or rewritten into local keys. */
type Rule = { keep: true } | { drop: string } | { map: (value: string) => Record<string, string> };

const keep: Rule = { keep: true };
const drop = (why: string): Rule => ({ drop: why });
const map = (fn: (value: string) => Record<string, string>): Rule => ({ map: fn });

/** Applies the rules; a cloud key without a rule is an error naming the key and the connector. */
export function translateCloudConfig(cloud: Record<string, string>, rules: Record<string, Rule>, what: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(cloud)) {
        const rule = rules[key] ?? (key.startsWith("transforms.") ? keep : undefined);
        if (!rule) throw new Error(`${what}: cloud key "${key}" has no local mapping; add a rule in local/connectorMapping.ts`);
        if ("keep" in rule) out[key] = value;
        else if ("map" in rule) Object.assign(out, rule.map(value));
    }
    return out;
}

const requireValue = (what: string, key: string, expected: string) => (value: string) => {
    if (value !== expected) throw new Error(`${what}: cloud ${key}=${value} has no local equivalent (expected ${expected})`);
    return {};
};

const AVRO = "io.confluent.connect.avro.AvroConverter";
const BYTES = "org.apache.kafka.connect.converters.ByteArrayConverter";
const STRING = "org.apache.kafka.connect.storage.StringConverter";
const JSON_CONVERTER = "org.apache.kafka.connect.json.JsonConverter";

/** Converters for AVRO topics; ksqlDB outputs may have KAFKA-format keys, read as bytes. */
function converters(kafka: LocalKafka, keys: "avro" | "bytes"): Record<string, string> {
    return {
        "key.converter": keys === "avro" ? AVRO : BYTES,
        ...(keys === "avro" ? { "key.converter.schema.registry.url": kafka.schemaRegistryUrl } : {}),
        "value.converter": AVRO,
        "value.converter.schema.registry.url": kafka.schemaRegistryUrl,
    };
}

const MANAGED_AUTH = {
    "kafka.auth.mode": drop("Confluent Cloud service-account auth; the local worker uses its own Kafka client"),
    "kafka.service.account.id": drop("Confluent Cloud service account"),
};

export interface LocalCdcSettings {
    namePrefix: string;
    basePrefix: string;
    domain: Domain;
    /** MySQL as the Connect container sees it. */
    mysqlHost: string;
    mysqlPort: number;
    user: string;
    cdc: CdcConfig;
    /** Unique per connector in the MySQL replication topology. */
    serverId: number;
    kafka: LocalKafka;
}

/** Debezium MySQL source config from the cloud MySqlCdcSourceV2 settings of the same domain. */
export function localCdcSourceConfig(s: LocalCdcSettings): LocalConnectorConfig {
    const what = `local CDC connector ${s.domain.name}`;
    const cloud = cdcSourceConfig({
        connectorName: cdcConnectorName(s.namePrefix, s.domain),
        domain: s.domain,
        basePrefix: s.basePrefix,
        hostname: s.mysqlHost,
        port: s.mysqlPort,
        user: s.user,
        serviceAccountId: "self-managed",
        cdc: s.cdc,
    });
    const config = translateCloudConfig(
        cloud,
        {
            ...MANAGED_AUTH,
            "connector.class": map(() => ({ "connector.class": DEBEZIUM_MYSQL_CLASS })),
            "output.data.format": map(requireValue(what, "output.data.format", "AVRO")),
            "output.key.format": map(requireValue(what, "output.key.format", "AVRO")),
            // Debezium always emits before and after images, which is what after.state.only=false asks for.
            "after.state.only": map(requireValue(what, "after.state.only", "false")),
            name: keep,
            "database.hostname": keep,
            "database.port": keep,
            "database.user": keep,
            // The local MySQL container signs its own certificate at first start and is reached only
            // on the stack's Docker network: encrypted, deliberately unverified (local only; the
            // cloud connectors verify: verify_ca in dev, verify_identity in prod).
            "database.ssl.mode": map(() => ({ "database.ssl.mode": "required" })),
            "database.include.list": keep,
            "table.include.list": keep,
            "topic.prefix": keep,
            "schema.history.internal.kafka.topic": keep,
            "snapshot.mode": keep,
            "tombstones.on.delete": keep,
            "decimal.handling.mode": keep,
            "time.precision.mode": keep,
            "heartbeat.interval.ms": keep,
            // Same heartbeat topic as the cloud (a catalog topic), and no schema-change topic
            // (Debezium's default include.schema.changes=true would add one the cloud never has).
            "topic.heartbeat.prefix": keep,
            "include.schema.changes": keep,
            // Same key and meaning in Debezium MySQL: the signal table of the source database.
            "signal.data.collection": keep,
            "tasks.max": keep,
        },
        what,
    );
    return {
        config: {
            ...config,
            "database.server.id": String(s.serverId),
            "schema.history.internal.kafka.bootstrap.servers": s.kafka.bootstrapServers,
            ...converters(s.kafka, "avro"),
        },
        sensitiveKeys: ["database.password"],
    };
}

/**
 * The value format of the local CDC topics, read off the converter the local CDC source writes them
 * with: what a Kafka Streams app reads locally (VALUE_FORMAT).
 */
export function localCdcValueFormat(kafka: LocalKafka): "avro" | "json" {
    const converter = converters(kafka, "avro")["value.converter"];
    if (converter === AVRO) return "avro";
    if (converter === "org.apache.kafka.connect.json.JsonConverter") return "json";
    throw new Error(`local CDC value converter ${converter} has no Kafka Streams VALUE_FORMAT`);
}

export interface LocalS3SinkSettings {
    connectorName: string;
    topics: readonly string[];
    dlqTopic: string;
    bucket: string;
    topicsDir: string;
    lake: LakeConfig;
    /** MinIO as the Connect container sees it, e.g. http://minio:9000. */
    storeUrl: string;
    /** CDC topics carry AVRO keys; ksqlDB outputs are read with byte keys. */
    keys: "avro" | "bytes";
    kafka: LocalKafka;
}

const TIME_INTERVAL_MS = { HOURLY: 3_600_000, DAILY: 86_400_000 } as const;

/** Confluent S3 sink (self-managed) on MinIO, from the cloud S3_SINK settings of the same sink. */
export function localS3SinkConfig(s: LocalS3SinkSettings): LocalConnectorConfig {
    const what = `local S3 sink ${s.connectorName}`;
    const cloud = s3SinkConfig({
        connectorName: s.connectorName,
        serviceAccountId: "self-managed",
        topics: s.topics,
        dlqTopic: s.dlqTopic,
        bucket: s.bucket,
        region: "us-east-1",
        topicsDir: s.topicsDir,
        providerIntegrationId: "none",
        kmsKeyArn: "none",
        flushSize: s.lake.flushSize,
        rotateIntervalMs: s.lake.rotateIntervalMs,
        timeInterval: s.lake.timeInterval,
    });
    const config = translateCloudConfig(
        cloud,
        {
            ...MANAGED_AUTH,
            "connector.class": map(() => ({ "connector.class": S3_SINK_CLASS })),
            "input.data.format": map(requireValue(what, "input.data.format", "AVRO")),
            "authentication.method": drop("IAM role through a provider integration; MinIO takes access keys (sensitive)"),
            "provider.integration.id": drop("Confluent provider integration"),
            "s3.ssea.name": drop("SSE-KMS: MinIO runs without a KMS locally"),
            "s3.sse.kms.key.id": drop("SSE-KMS key"),
            "output.data.format": map((v) => ({ "format.class": `io.confluent.connect.s3.format.${v.toLowerCase()}.${v[0]}${v.slice(1).toLowerCase()}Format` })),
            "compression.codec": map((v) => ({ "parquet.codec": v.replace(/^PARQUET - /, "") })),
            "partitioner.class": map((v) => ({ "partitioner.class": `io.confluent.connect.storage.partitioner.${v}` })),
            "time.interval": map((v) => ({ "partition.duration.ms": String(TIME_INTERVAL_MS[v as keyof typeof TIME_INTERVAL_MS]) })),
            name: keep,
            topics: keep,
            "errors.tolerance": keep,
            "errors.deadletterqueue.topic.name": keep,
            "behavior.on.null.values": keep,
            "tasks.max": keep,
            "s3.bucket.name": keep,
            "s3.region": keep,
            "topics.dir": keep,
            "path.format": keep,
            timezone: keep,
            "flush.size": keep,
            "rotate.interval.ms": keep,
        },
        what,
    );
    return {
        config: {
            ...config,
            "storage.class": "io.confluent.connect.s3.storage.S3Storage",
            "store.url": s.storeUrl,
            "s3.path.style.access.enabled": "true",
            locale: "en-US",
            "timestamp.extractor": "Record",
            "errors.deadletterqueue.topic.replication.factor": "1",
            // Uploads into a bucket with Object Lock default retention need Content-MD5 (MinIO's audit
            // bucket is locked like the cloud archive). The self-managed sink can send it; the managed
            // one cannot, which is why the cloud feeds its archive through S3 Replication instead.
            "s3.send.digest": "true",
            ...converters(s.kafka, s.keys),
        },
        sensitiveKeys: ["aws.access.key.id", "aws.secret.access.key"],
    };
}

export interface LocalJdbcSinkSettings {
    connectorName: string;
    dlqTopic: string;
    basePrefix: string;
    tables: readonly WarehouseTable[];
    /** Postgres schema, the stand-in for the Snowflake schema. */
    schema: string;
    jdbcUrl: string;
    user: string;
    kind: WarehouseTable["source"]["kind"];
    kafka: LocalKafka;
}

/**
 * How each kind of warehouse table is written (Debezium JDBC sink 2.7, the version e2e/pom.xml and
 * the Connect image pin; every key: https://debezium.io/documentation/reference/2.7/connectors/jdbc.html#jdbc-connector-properties):
 * - cdc: one row per source key (`insert.mode=upsert` on `primary.key.mode=record_key`, the Avro
 *   key struct's fields); a delete arrives as the unwrap transform's `__deleted=true` row, as in
 *   Snowflake, so `delete.enabled=false`.
 * - ksql: every record is a row (`insert`, no key).
 * - streams: the current state per record key, like the compacted topic: `upsert` on the record
 *   key, its column named by `primary.key.fields` (#jdbc-property-primary-key-fields); a deleted
 *   batch deletes the row (`delete.enabled=true`, which needs `primary.key.mode=record_key`:
 *   #jdbc-delete-mode, #jdbc-property-delete-enabled). The sink deletes on a null value that has a
 *   schema and skips a bare tombstone (no schema), so the local app writes the schema'd null before
 *   the tombstone (streams/batch-release StatusRecords.deletion). Upsert: #jdbc-idempotent-writes,
 *   #jdbc-property-insert-mode; key modes: #jdbc-primary-key-handling. The apps key by a plain
 *   string; the docs allow a primitive key named by primary.key.fields, but the 2.7.0 sink fails
 *   the upsert on one ("No struct-based primary key defined for record key", seen in npm run e2e),
 *   so Kafka's HoistField$Key wraps the string into a one-field struct named after the column
 *   (https://kafka.apache.org/37/documentation.html#org.apache.kafka.connect.transforms.HoistField).
 */
function jdbcWriteMode(s: LocalJdbcSinkSettings, what: string): { config: Record<string, string>; transforms: Record<string, Record<string, string>> } {
    if (s.kind === "cdc") return { config: { "insert.mode": "upsert", "primary.key.mode": "record_key", "delete.enabled": "false" }, transforms: {} };
    if (s.kind === "ksql") return { config: { "insert.mode": "insert", "primary.key.mode": "none", "delete.enabled": "false" }, transforms: {} };
    const keys = [...new Set(s.tables.map((t) => warehouseRecordKey(t)))];
    if (keys.length !== 1 || !keys[0]) throw new Error(`${what}: the Kafka Streams tables ${s.tables.map((t) => t.name).join(", ")} must share one key column, got ${keys.join(", ")}`);
    return {
        config: { "insert.mode": "upsert", "primary.key.mode": "record_key", "primary.key.fields": keys[0], "delete.enabled": "true" },
        transforms: { keyStruct: { type: "org.apache.kafka.connect.transforms.HoistField$Key", field: keys[0] } },
    };
}

/**
 * The value converter for the cloud sink's `input.data.format`: AVRO through the local Schema
 * Registry; JSON (the Kafka Streams outputs) through Kafka's JsonConverter with
 * `schemas.enable=true`: the JDBC sink maps fields to columns by the record's Connect schema, which
 * the local target's apps write inline (STATUS_JSON_SCHEMAS, catalog streamsAppEnvironment).
 * JsonConverter and its schemas.enable: https://kafka.apache.org/37/documentation.html#connect_running
 */
function jdbcValueConverter(format: string, s: LocalJdbcSinkSettings, what: string): Record<string, string> {
    if (format === "AVRO") return { "value.converter": AVRO, "value.converter.schema.registry.url": s.kafka.schemaRegistryUrl };
    if (format === "JSON") return { "value.converter": JSON_CONVERTER, "value.converter.schemas.enable": "true" };
    throw new Error(`${what}: cloud input.data.format=${format} has no local converter`);
}

/**
 * pgjdbc binds strings as varchar unless `stringtype=unspecified`, which lets the server cast them
 * to the column's type: the Streams apps' timestamps are ISO-8601 strings (Connect type string) and
 * land in TIMESTAMP columns, as Snowflake casts them into TIMESTAMP_NTZ.
 * https://jdbc.postgresql.org/documentation/use/#connection-parameters
 */
export function jdbcUrlFor(kind: LocalJdbcSinkSettings["kind"], jdbcUrl: string): string {
    if (kind !== "streams") return jdbcUrl;
    return `${jdbcUrl}${jdbcUrl.includes("?") ? "&" : "?"}stringtype=unspecified`;
}

const regexLiteral = (text: string) => `^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`;

/** Debezium JDBC sink into Postgres, from the cloud SnowflakeSink settings of the same sink. */
export function localJdbcSinkConfig(s: LocalJdbcSinkSettings): LocalConnectorConfig {
    const what = `local JDBC sink ${s.connectorName}`;
    const routes = s.tables.map((t) => ({ topic: warehouseTopic(s.basePrefix, t), table: t.name }));
    const cloud = snowflakeSinkConfig({
        connectorName: s.connectorName,
        serviceAccountId: "self-managed",
        dlqTopic: s.dlqTopic,
        tables: routes,
        accountUrl: "none",
        user: s.user,
        role: "none",
        database: "none",
        schema: s.schema,
        bufferFlushSeconds: 1,
        unwrapCdcEnvelope: s.kind === "cdc",
        inputFormat: snowflakeInputFormat(s.kind),
    });
    // Topic -> table exactly as snowflake.topic2table.map says, as one RegexRouter per table.
    const routeTransforms = (mapValue: string) => {
        const out: Record<string, string> = {};
        mapValue.split(",").forEach((pair, i) => {
            const [topic, table] = pair.split(":");
            out[`transforms.route${i}.type`] = "org.apache.kafka.connect.transforms.RegexRouter";
            out[`transforms.route${i}.regex`] = regexLiteral(topic);
            out[`transforms.route${i}.replacement`] = table;
        });
        return out;
    };
    const snowflakeOnly = drop("Snowflake connection/ingestion setting");
    const config = translateCloudConfig(
        cloud,
        {
            ...MANAGED_AUTH,
            "connector.class": map(() => ({ "connector.class": JDBC_SINK_CLASS })),
            "input.data.format": map((format) => jdbcValueConverter(format, s, what)),
            // Tombstones: the CDC sink drops them in the unwrap transform; ksqlDB streams emit none;
            // a Streams app's tombstone deletes its row locally (delete.enabled, jdbcWriteMode).
            "behavior.on.null.values": drop("no JDBC equivalent; tombstones are dropped by the unwrap transform (cdc) or delete the row (streams)"),
            "snowflake.url.name": snowflakeOnly,
            "snowflake.user.name": snowflakeOnly,
            "snowflake.role.name": snowflakeOnly,
            "snowflake.database.name": snowflakeOnly,
            "snowflake.ingestion.method": snowflakeOnly,
            "snowflake.enable.schematization": snowflakeOnly,
            "buffer.flush.time": snowflakeOnly,
            // The Postgres stand-in has no RECORD_METADATA column: the JDBC sink writes value columns only.
            ...Object.fromEntries(
                ["snowflake.metadata.all", "snowflake.metadata.topic", "snowflake.metadata.offset.and.partition", "snowflake.metadata.createtime"].map((k) => [
                    k,
                    drop("RECORD_METADATA is Snowflake's; the local warehouse has no such column"),
                ]),
            ),
            "snowflake.schema.name": map((schema) => ({ "table.name.format": `${schema}.\${topic}` })),
            "snowflake.topic2table.map": map(routeTransforms),
            // The key format the cloud sink reads keys with, as the worker's key converter.
            "input.key.format": map((format): Record<string, string> => {
                if (format === "AVRO") return { "key.converter": AVRO, "key.converter.schema.registry.url": s.kafka.schemaRegistryUrl };
                if (format === "STRING") return { "key.converter": STRING };
                throw new Error(`${what}: cloud input.key.format=${format} has no local converter`);
            }),
            name: keep,
            topics: keep,
            "errors.tolerance": keep,
            "errors.deadletterqueue.topic.name": keep,
            "tasks.max": keep,
            transforms: keep,
        },
        what,
    );
    const routeNames = routes.map((_, i) => `route${i}`);
    const write = jdbcWriteMode(s, what);
    const writeTransforms = Object.fromEntries(
        Object.entries(write.transforms).flatMap(([alias, keys]) => Object.entries(keys).map(([k, v]) => [`transforms.${alias}.${k}`, v])),
    );
    return {
        config: {
            ...config,
            transforms: [...(config.transforms ? config.transforms.split(",") : []), ...Object.keys(write.transforms), ...routeNames].join(","),
            ...writeTransforms,
            "connection.url": jdbcUrlFor(s.kind, s.jdbcUrl),
            "connection.username": s.user,
            ...write.config,
            // New source columns are added to the warehouse table, like Snowflake's schema evolution.
            // (Debezium has no "evolve but never create": the warehouse DDL creates every table first.)
            "schema.evolution": "basic",
            // The warehouse DDL quotes its upper-case schema and table names ("CDC"."SAP_SALES_ORDERS"), as Snowflake stores them.
            "quote.identifiers": "true",
            "errors.deadletterqueue.topic.replication.factor": "1",
        },
        sensitiveKeys: ["connection.password"],
    };
}
