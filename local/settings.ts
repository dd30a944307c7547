// Pure builders for the local containers' settings, derived from the catalog and the stack
// config: MySQL binlog flags, Kafka KRaft environment, topic creation, MinIO buckets, the
// Postgres warehouse tables and the Prometheus scrape config.
import { DOMAINS, DomainName, STREAMS_METRICS_PATH, TopicSpec, WAREHOUSE_TABLES, WarehouseTable, allTopics, cleanupPolicyOf, retentionMsOf, warehouseSchemaKind } from "../components/catalog";
import { LakeConfig, TopicsConfig } from "../components/config";
import { DdlTable, domainTables } from "../components/ddl";
import { ksqlToPostgresType, ksqlTypesFor } from "../components/sqlTypes";
import { WAREHOUSE_SCHEMAS } from "../components/sinks";

/** Container names double as host names on the stack's network. */
export const HOSTS = {
    mysql: "mysql",
    kafka: "kafka",
    schemaRegistry: "schema-registry",
    connect: "connect",
    ksqldb: "ksqldb",
    minio: "minio",
    postgres: "postgres",
    kafkaExporter: "kafka-exporter",
    prometheus: "prometheus",
    grafana: "grafana",
    batchRelease: "batch-release",
} as const;

export const KAFKA_INTERNAL_BOOTSTRAP = `${HOSTS.kafka}:29092`;
export const SCHEMA_REGISTRY_INTERNAL_URL = `http://${HOSTS.schemaRegistry}:8081`;
export const CONNECT_JMX_PORT = 9404;
export const KAFKA_EXPORTER_PORT = 9308;
export const WAREHOUSE_DATABASE = "warehouse";

/** The server flags Debezium needs: ROW/FULL binlog with metadata, GTIDs, a server id. */
export function mysqlServerFlags(serverId: number): string[] {
    return [
        `--server-id=${serverId}`,
        "--log-bin=mysql-bin",
        "--binlog-format=ROW",
        "--binlog-row-image=FULL",
        "--binlog-row-metadata=FULL",
        "--gtid-mode=ON",
        "--enforce-gtid-consistency=ON",
    ];
}

/** A fixed KRaft cluster id (22 characters, base64url of 16 bytes), so the volume survives restarts. */
export const KRAFT_CLUSTER_ID = "bGlmZXNjaS1sb2NhbC0wMQ";

/** Kafka in KRaft mode (combined broker + controller, no ZooKeeper); containers use 29092, the laptop 9092. */
export function kafkaEnv(hostPort: number): Record<string, string> {
    return {
        CLUSTER_ID: KRAFT_CLUSTER_ID,
        KAFKA_NODE_ID: "1",
        KAFKA_PROCESS_ROLES: "broker,controller",
        KAFKA_CONTROLLER_QUORUM_VOTERS: `1@${HOSTS.kafka}:29093`,
        KAFKA_CONTROLLER_LISTENER_NAMES: "CONTROLLER",
        KAFKA_LISTENERS: `INTERNAL://0.0.0.0:29092,CONTROLLER://0.0.0.0:29093,EXTERNAL://0.0.0.0:${hostPort}`,
        KAFKA_ADVERTISED_LISTENERS: `INTERNAL://${KAFKA_INTERNAL_BOOTSTRAP},EXTERNAL://127.0.0.1:${hostPort}`,
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: "INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT,EXTERNAL:PLAINTEXT",
        KAFKA_INTER_BROKER_LISTENER_NAME: "INTERNAL",
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: "1",
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: "1",
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: "1",
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: "0",
        // Like Confluent Cloud, no topic appears by accident: a write to a topic nobody created fails
        // instead of creating it with broker defaults (https://kafka.apache.org/documentation/#brokerconfigs_auto.create.topics.enable).
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: "false",
        KAFKA_LOG_DIRS: "/var/lib/kafka/data",
    };
}

export const asEnv = (env: Record<string, string>) => Object.entries(env).map(([k, v]) => `${k}=${v}`);

/** retention.ms of a catalog topic: standard, audit, or forever for schema history. */
export function retentionMs(topic: TopicSpec, cfg: TopicsConfig): number {
    return retentionMsOf(topic.retention, cfg);
}

/** Shell script for a one-shot container: every catalog topic, created before any connector or app. */
export function topicCreationScript(basePrefix: string, cfg: TopicsConfig): string {
    const lines = allTopics(basePrefix).map(
        (t) =>
            `kafka-topics --bootstrap-server ${KAFKA_INTERNAL_BOOTSTRAP} --create --if-not-exists --topic '${t.name}' ` +
            `--partitions ${t.partitions ?? cfg.partitions} --replication-factor 1 ` +
            (cleanupPolicyOf(t) === "compact" ? "--config cleanup.policy=compact" : `--config retention.ms=${retentionMs(t, cfg)}`) +
            (t.retention === "schema-history" ? " --config cleanup.policy=delete --config retention.bytes=-1" : ""),
    );
    return ["set -eu", ...lines, `echo "created ${lines.length} catalog topics"`].join("\n");
}

export interface LocalBuckets {
    raw: string;
    audit: string;
}

export function localBuckets(namePrefix: string): LocalBuckets {
    return { raw: `${namePrefix}-lake-raw`, audit: `${namePrefix}-lake-audit` };
}

/** One-shot `mc` script: the raw bucket, and the audit bucket with Object Lock and a default retention, as in the cloud. */
export function minioInitScript(buckets: LocalBuckets, lake: LakeConfig): string {
    const period = lake.auditLockYears !== undefined ? `${lake.auditLockYears * 365}d` : `${lake.auditLockDays ?? 1}d`;
    return [
        "set -eu",
        `mc alias set local http://${HOSTS.minio}:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"`,
        `mc mb --ignore-existing local/${buckets.raw}`,
        `mc mb --ignore-existing --with-lock local/${buckets.audit}`,
        `mc retention set --default ${lake.auditLockMode} ${period} local/${buckets.audit}`,
    ].join("\n");
}

const quote = (id: string) => `"${id.replace(/"/g, '""')}"`;

/**
 * Postgres DDL for the warehouse stand-in: the Snowflake schemas and tables of the catalog.
 * CDC tables carry the MySQL columns as Debezium delivers them (plus the `__deleted` marker of the
 * unwrap transform) with the catalog's primary key; ksqlDB tables carry their declared columns.
 */
export function postgresWarehouseDdl(tables: readonly WarehouseTable[] = WAREHOUSE_TABLES, read: (domain: string) => DdlTable[] = (d) => domainTables(d)): string {
    const out = Object.values(WAREHOUSE_SCHEMAS).map((s) => `CREATE SCHEMA IF NOT EXISTS ${quote(s)};`);
    for (const table of tables) {
        const where = `warehouse table ${table.name}`;
        const source = table.source;
        const schema = WAREHOUSE_SCHEMAS[warehouseSchemaKind(table)];
        let columns: string[];
        let primaryKey: readonly string[] = [];
        if (source.kind === "ksql" || source.kind === "streams") {
            columns = source.columns.map((c) => `${quote(c.name)} ${ksqlToPostgresType(c.type, where)}`);
        } else {
            const domain = DOMAINS.find((d) => d.name === (source.domain as DomainName));
            if (!domain) throw new Error(`${where}: unknown domain "${source.domain}"`);
            const ddl = read(domain.name).find((t) => t.name === source.table);
            if (!ddl) throw new Error(`${where}: no migration in sql/mysql/${domain.name}/ creates ${source.table}`);
            columns = ddl.columns.map((c) => {
                const [type] = ksqlTypesFor(c);
                if (!type) throw new Error(`${where}: column ${c.name} (${c.type}) has no Debezium mapping`);
                return `${quote(c.name)} ${ksqlToPostgresType(type, `${where} column ${c.name}`)}${c.nullable ? "" : " NOT NULL"}`;
            });
            columns.push(`${quote("__deleted")} TEXT`);
            primaryKey = domain.tables.find((t) => t.name === source.table)?.primaryKey ?? [];
        }
        const pk = primaryKey.length ? `,\n  PRIMARY KEY (${primaryKey.map(quote).join(", ")})` : "";
        out.push(`CREATE TABLE IF NOT EXISTS ${quote(schema)}.${quote(table.name)} (\n  ${columns.join(",\n  ")}${pk}\n);`);
    }
    return out.join("\n\n") + "\n";
}

/** Regex that matches exactly the catalog's topics (kafka-exporter filter and Prometheus relabelling). */
export function catalogTopicRegex(basePrefix: string): string {
    return allTopics(basePrefix)
        .map((t) => t.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join("|");
}

/**
 * Prometheus config (JSON is valid YAML): kafka-exporter for offsets and consumer lag, Kafka
 * Connect's JMX exporter for connector/task and Debezium metrics, the Kafka Streams apps'
 * GET /metrics (their batches by release status). Topic series are kept only
 * for catalog topics, so dashboards and alerts see exactly what the platform declares.
 */
export function prometheusConfig(basePrefix: string, scrapeIntervalSeconds: number, streamsMetricsTargets: readonly string[] = []): string {
    const config = {
        global: { scrape_interval: `${scrapeIntervalSeconds}s`, evaluation_interval: `${scrapeIntervalSeconds}s` },
        scrape_configs: [
            {
                job_name: "kafka-exporter",
                static_configs: [{ targets: [`${HOSTS.kafkaExporter}:${KAFKA_EXPORTER_PORT}`] }],
                metric_relabel_configs: [
                    // Series without a topic label (brokers, exporter) are kept; topic series only for catalog topics.
                    { source_labels: ["topic"], regex: `(|${catalogTopicRegex(basePrefix)})`, action: "keep" },
                ],
            },
            {
                job_name: "kafka-connect",
                static_configs: [{ targets: [`${HOSTS.connect}:${CONNECT_JMX_PORT}`] }],
            },
            // The Kafka Streams apps' own gauges (batches by release status): GET /metrics on their health port.
            ...(streamsMetricsTargets.length > 0
                ? [{ job_name: "kafka-streams", metrics_path: STREAMS_METRICS_PATH, static_configs: [{ targets: [...streamsMetricsTargets] }] }]
                : []),
            {
                job_name: "prometheus",
                static_configs: [{ targets: ["localhost:9090"] }],
            },
        ],
    };
    return JSON.stringify(config, null, 2) + "\n";
}
