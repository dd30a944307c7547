// Local sinks, the counterpart of components/sinks: MinIO for the S3 lake (raw + object-locked
// audit bucket), Postgres for the warehouse, and the sink connectors mapped from the cloud's.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { SinkName, WAREHOUSE_TABLES, WarehouseTable, auditArchiveTopics, dlqTopicName, rawLakeTopics, warehouseSchemaKind } from "../components/catalog";
import { PlatformConfig } from "../components/config";
import { AUDIT_TOPICS_DIR, RAW_TOPICS_DIR, WAREHOUSE_SCHEMAS, sinkConnectorName } from "../components/sinks";
import { ConnectConnector } from "./connectProvider";
import { LocalKafka, localJdbcSinkConfig, localS3SinkConfig } from "./connectorMapping";
import { MonitoredLocalConnector, localConnector } from "./connectors";
import { LocalScope, childOptions, dataVolume, oneShot, pinnedImage, service } from "./docker";
import { HOSTS, WAREHOUSE_DATABASE, localBuckets, minioInitScript, postgresWarehouseDdl } from "./settings";
import { LocalStreaming } from "./streaming";
import { LOCAL_PORTS } from "./versions";

export const MINIO_USER = "lifesci";
export const POSTGRES_USER = "lifesci";

export interface LocalSinksArgs extends LocalScope {
    config: PlatformConfig;
    streaming: LocalStreaming;
    kafka: LocalKafka;
    minioPassword: pulumi.Output<string>;
    postgresPassword: pulumi.Output<string>;
    /** What writes the CDC topics (the CDC connectors), the derived topics (the ksqlDB apps) and the Streams apps' outputs. */
    cdcWriters: pulumi.Resource[];
    ksqlWriters: pulumi.Resource[];
    streamsWriters: pulumi.Resource[];
    formerParent?: pulumi.Resource;
}

export class LocalSinks extends pulumi.ComponentResource {
    readonly minio: docker.Container;
    readonly postgres: docker.Container;
    readonly buckets: ReturnType<typeof localBuckets>;
    readonly connectors = new Map<SinkName, ConnectConnector>();
    readonly monitored: MonitoredLocalConnector[] = [];

    constructor(name: string, args: LocalSinksArgs, opts?: pulumi.ComponentResourceOptions) {
        super("lifesci:local:LocalSinks", name, {}, opts);
        const child = childOptions(this, args.formerParent);
        const cfg = args.config;
        const basePrefix = cfg.confluent.topicPrefix;
        const minioEnvs = [`MINIO_ROOT_USER=${MINIO_USER}`, pulumi.interpolate`MINIO_ROOT_PASSWORD=${args.minioPassword}`];

        this.minio = service(args, child, "minio", {
            image: pinnedImage(args, child, "minio").imageId,
            envs: minioEnvs,
            command: ["server", "/data", "--console-address", ":9001"],
            ports: [
                [9000, LOCAL_PORTS.minio],
                [9001, LOCAL_PORTS.minioConsole],
            ],
            volumes: [{ volume: dataVolume(args, child, "minio"), path: "/data" }],
            healthcheck: "mc ready local",
        });
        this.buckets = localBuckets(args.prefix);
        const minioInit = oneShot(args, child, "minio-init", {
            image: pinnedImage(args, child, "minioClient").imageId,
            shell: "sh",
            envs: minioEnvs,
            script: minioInitScript(this.buckets, cfg.lake),
            dependsOn: [this.minio],
        });
        this.postgres = service(args, child, "postgres", {
            image: pinnedImage(args, child, "postgres").imageId,
            envs: [`POSTGRES_USER=${POSTGRES_USER}`, `POSTGRES_DB=${WAREHOUSE_DATABASE}`, pulumi.interpolate`POSTGRES_PASSWORD=${args.postgresPassword}`],
            ports: [[5432, LOCAL_PORTS.postgres]],
            volumes: [{ volume: dataVolume(args, child, "postgres"), path: "/var/lib/postgresql/data" }],
            uploads: [{ file: "/docker-entrypoint-initdb.d/10-warehouse.sql", content: postgresWarehouseDdl() }],
            healthcheck: `pg_isready -U ${POSTGRES_USER} -d ${WAREHOUSE_DATABASE}`,
        });

        const sink = (name: SinkName, built: Parameters<typeof localConnector>[2]["built"], sensitive: Record<string, pulumi.Input<string>>, dependsOn: pulumi.Resource[]) => {
            const { connector, monitored } = localConnector(args.streaming, child, {
                resourceName: `${args.base}-connector-sink-${name}`,
                connectorName: sinkConnectorName(args.prefix, name),
                built,
                sensitive,
                dependsOn,
            });
            this.connectors.set(name, connector);
            this.monitored.push(monitored);
        };

        const s3Secrets = { "aws.access.key.id": MINIO_USER, "aws.secret.access.key": args.minioPassword };
        const s3Sink = (name: SinkName, topics: string[], bucket: string, topicsDir: string, keys: "avro" | "bytes") =>
            sink(
                name,
                localS3SinkConfig({
                    connectorName: sinkConnectorName(args.prefix, name),
                    topics,
                    dlqTopic: dlqTopicName(basePrefix, name),
                    bucket,
                    topicsDir,
                    lake: cfg.lake,
                    storeUrl: `http://${HOSTS.minio}:9000`,
                    keys,
                    kafka: args.kafka,
                }),
                s3Secrets,
                [minioInit, ...(keys === "bytes" ? args.ksqlWriters : args.cdcWriters)],
            );
        s3Sink("s3-raw", rawLakeTopics(basePrefix), this.buckets.raw, RAW_TOPICS_DIR, "avro");
        s3Sink("s3-audit", auditArchiveTopics(basePrefix), this.buckets.audit, AUDIT_TOPICS_DIR, "bytes");

        // One JDBC sink per cloud Snowflake sink, each with its own dead-letter topic.
        const writers: Record<WarehouseTable["source"]["kind"], pulumi.Resource[]> = { cdc: args.cdcWriters, ksql: args.ksqlWriters, streams: args.streamsWriters };
        const jdbcSink = (name: SinkName, kind: WarehouseTable["source"]["kind"]) => {
            const tables = WAREHOUSE_TABLES.filter((t) => t.source.kind === kind);
            if (tables.length === 0) return;
            sink(
                name,
                localJdbcSinkConfig({
                    connectorName: sinkConnectorName(args.prefix, name),
                    dlqTopic: dlqTopicName(basePrefix, name),
                    basePrefix,
                    tables,
                    schema: WAREHOUSE_SCHEMAS[warehouseSchemaKind(tables[0])],
                    jdbcUrl: `jdbc:postgresql://${HOSTS.postgres}:5432/${WAREHOUSE_DATABASE}`,
                    user: POSTGRES_USER,
                    kind,
                    kafka: args.kafka,
                }),
                { "connection.password": args.postgresPassword },
                [this.postgres, ...writers[kind]],
            );
        };
        jdbcSink("snowflake-cdc", "cdc");
        jdbcSink("snowflake-curated", "ksql");
        jdbcSink("snowflake-streams", "streams");
        this.registerOutputs({ buckets: this.buckets });
    }
}
