// The whole platform on one laptop with the Docker provider, built from the same catalog as the
// cloud: MySQL (binlog ROW/FULL, GTIDs) bootstrapped by the cloud's SQL bootstrap, Kafka (KRaft),
// Schema Registry, Kafka Connect built from local/images/connect/ with the CDC source and sinks
// mapped from the cloud connector settings, ksqlDB with the same four apps, MinIO (S3 lake),
// Postgres (warehouse), Prometheus and Grafana provisioned by the shared Monitoring component.
// Every long-running container has a health check and `wait`, and publishes on 127.0.0.1 only.
import * as path from "path";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as grafana from "@pulumiverse/grafana";
import { DOMAINS, DomainName, SinkName, WAREHOUSE_TABLES, auditArchiveTopics, dlqTopicName, rawLakeTopics } from "../components/catalog";
import { PlatformConfig } from "../components/config";
import { bootstrapDatabases, CDC_USER, cdcConnectorName, MySqlBootstrap } from "../components/source";
import { KSQL_STREAMS_PROPERTIES, KsqlAppDeployment, loadCheckedKsqlApps, statementSpec } from "../components/ksql";
import { AUDIT_TOPICS_DIR, RAW_TOPICS_DIR, WAREHOUSE_SCHEMAS } from "../components/sinks";
import { Monitoring } from "../components/monitoring";
import { ConnectConnector } from "./connectProvider";
import { LocalConnectorConfig, LocalKafka, localCdcSourceConfig, localJdbcSinkConfig, localS3SinkConfig } from "./connectorMapping";
import {
    CONNECT_JMX_PORT,
    HOSTS,
    KAFKA_EXPORTER_PORT,
    KAFKA_INTERNAL_BOOTSTRAP,
    SCHEMA_REGISTRY_INTERNAL_URL,
    WAREHOUSE_DATABASE,
    asEnv,
    catalogTopicRegex,
    kafkaEnv,
    localBuckets,
    minioInitScript,
    mysqlServerFlags,
    postgresWarehouseDdl,
    prometheusConfig,
    topicCreationScript,
} from "./settings";
import { CONNECT_IMAGE, CONNECT_PLUGINS, IMAGES, LOCAL_PORTS, localUrls } from "./versions";

export const MYSQL_SERVER_ID = 1;
/** Debezium connectors join the replication topology with their own ids (one per domain). */
export const CDC_SERVER_ID_BASE = 5400;
export const CONNECT_IMAGE_CONTEXT = path.join(__dirname, "images", "connect");
const MINIO_USER = "lifesci";
const POSTGRES_USER = "lifesci";
const GRAFANA_ADMIN = "admin";

const loopback = (port: number) => `http://127.0.0.1:${port}`;

interface ServiceSpec {
    image: pulumi.Input<string>;
    envs?: pulumi.Input<string>[];
    command?: string[];
    /** container port -> host port (always on 127.0.0.1) */
    ports?: [number, number][];
    volumes?: { volume: docker.Volume; path: string }[];
    healthcheck: string;
    uploads?: { file: string; content: pulumi.Input<string> }[];
    dependsOn?: pulumi.Resource[];
    startPeriod?: string;
}

export interface LocalCredentials {
    mysqlRootPassword: string;
    minioUser: string;
    minioPassword: string;
    postgresUser: string;
    postgresPassword: string;
    grafanaUser: string;
    grafanaPassword: string;
}

export interface LocalPlatformArgs {
    config: PlatformConfig;
}

export class LocalPlatform extends pulumi.ComponentResource {
    readonly network: docker.Network;
    readonly volumes: Record<string, docker.Volume> = {};
    readonly images: Record<string, docker.RemoteImage> = {};
    readonly connectImage: docker.Image;
    readonly containers: Record<string, docker.Container> = {};
    readonly bootstrap: MySqlBootstrap;
    readonly connectors: Record<string, ConnectConnector> = {};
    readonly ksqlApps: KsqlAppDeployment[];
    readonly monitoring?: Monitoring;
    readonly urls = localUrls();
    readonly buckets: ReturnType<typeof localBuckets>;
    /** Generated passwords, as one secret output: the verification logs in with them. */
    readonly credentials: pulumi.Output<LocalCredentials>;

    constructor(name: string, args: LocalPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("lifesci:local:LocalPlatform", name, {}, opts);
        const cfg = args.config;
        const basePrefix = cfg.confluent.topicPrefix;
        const prefix = cfg.namePrefix;
        const child = { parent: this };
        // The apps' contract with the catalog and the DDL is checked before anything is registered.
        const ksqlAppSql = loadCheckedKsqlApps({ topicPrefix: basePrefix, orderStuckSlaMinutes: cfg.ksqldb.orderStuckSlaMinutes });

        const password = (id: string) =>
            new random.RandomPassword(`${name}-${id}-password`, { length: 24, special: false }, child).result;
        const mysqlRootPassword = password("mysql-root");
        const cdcPassword = password("mysql-cdc");
        const minioPassword = password("minio");
        const postgresPassword = password("postgres");
        const grafanaPassword = password("grafana");
        this.credentials = pulumi.secret(
            pulumi.all([mysqlRootPassword, minioPassword, postgresPassword, grafanaPassword]).apply(([mysqlRoot, minioPw, postgresPw, grafanaPw]) => ({
                mysqlRootPassword: mysqlRoot,
                minioUser: MINIO_USER,
                minioPassword: minioPw,
                postgresUser: POSTGRES_USER,
                postgresPassword: postgresPw,
                grafanaUser: GRAFANA_ADMIN,
                grafanaPassword: grafanaPw,
            })),
        );

        this.network = new docker.Network(`${name}-network`, { name: prefix, driver: "bridge" }, child);
        for (const volume of ["mysql", "kafka", "minio", "postgres", "prometheus", "grafana"]) {
            this.volumes[volume] = new docker.Volume(`${name}-${volume}-data`, { name: `${prefix}-${volume}-data` }, child);
        }
        for (const [key, image] of Object.entries(IMAGES)) {
            if (key === "connectBase") continue;
            this.images[key] = new docker.RemoteImage(`${name}-image-${key}`, { name: image, keepLocally: true }, child);
        }
        this.connectImage = new docker.Image(
            `${name}-connect-image`,
            {
                imageName: CONNECT_IMAGE,
                build: {
                    context: CONNECT_IMAGE_CONTEXT,
                    dockerfile: path.join(CONNECT_IMAGE_CONTEXT, "Dockerfile"),
                    args: { CONNECT_BASE_IMAGE: IMAGES.connectBase, ...CONNECT_PLUGINS },
                },
                skipPush: true,
            },
            child,
        );

        const service = (id: keyof typeof HOSTS, spec: ServiceSpec): docker.Container => {
            const container = new docker.Container(
                `${name}-${id}`,
                {
                    name: `${prefix}-${HOSTS[id]}`,
                    hostname: HOSTS[id],
                    image: spec.image,
                    envs: spec.envs,
                    command: spec.command,
                    networksAdvanced: [{ name: this.network.name, aliases: [HOSTS[id]] }],
                    ports: (spec.ports ?? []).map(([internal, external]) => ({ internal, external, ip: "127.0.0.1" })),
                    volumes: (spec.volumes ?? []).map((v) => ({ volumeName: v.volume.name, containerPath: v.path })),
                    uploads: spec.uploads,
                    healthcheck: {
                        tests: ["CMD-SHELL", spec.healthcheck],
                        interval: "5s",
                        timeout: "5s",
                        retries: 30,
                        startPeriod: spec.startPeriod ?? "10s",
                    },
                    wait: true,
                    waitTimeout: 300,
                    restart: "unless-stopped",
                },
                { ...child, dependsOn: spec.dependsOn },
            );
            this.containers[id] = container;
            return container;
        };
        const image = (key: keyof typeof IMAGES) => this.images[key].imageId;

        const mysql = service("mysql", {
            image: image("mysql"),
            envs: [pulumi.interpolate`MYSQL_ROOT_PASSWORD=${mysqlRootPassword}`],
            command: mysqlServerFlags(MYSQL_SERVER_ID),
            ports: [[3306, LOCAL_PORTS.mysql]],
            volumes: [{ volume: this.volumes.mysql, path: "/var/lib/mysql" }],
            // No credentials at all: `mysqladmin ping` exits 0 whenever the server answers, even with
            // "Access denied" (https://dev.mysql.com/doc/refman/8.0/en/mysqladmin.html), so no
            // password is ever expanded onto a command line (visible in `ps` and `docker inspect`).
            healthcheck: "mysqladmin ping -h 127.0.0.1 --silent",
            startPeriod: "30s",
        });
        const kafka = service("kafka", {
            image: image("kafka"),
            envs: asEnv(kafkaEnv(LOCAL_PORTS.kafka)),
            ports: [[LOCAL_PORTS.kafka, LOCAL_PORTS.kafka]],
            volumes: [{ volume: this.volumes.kafka, path: "/var/lib/kafka/data" }],
            healthcheck: `kafka-broker-api-versions --bootstrap-server ${KAFKA_INTERNAL_BOOTSTRAP} >/dev/null 2>&1`,
        });
        const schemaRegistry = service("schemaRegistry", {
            image: image("schemaRegistry"),
            envs: asEnv({
                SCHEMA_REGISTRY_HOST_NAME: HOSTS.schemaRegistry,
                SCHEMA_REGISTRY_LISTENERS: "http://0.0.0.0:8081",
                SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS: `PLAINTEXT://${KAFKA_INTERNAL_BOOTSTRAP}`,
            }),
            ports: [[8081, LOCAL_PORTS.schemaRegistry]],
            healthcheck: "curl -fsS http://localhost:8081/subjects >/dev/null",
            dependsOn: [kafka],
        });

        // Every catalog topic, with partitions and retention from config, before any connector or app.
        const topicsInit = new docker.Container(
            `${name}-topics-init`,
            {
                name: `${prefix}-topics-init`,
                image: image("kafka"),
                networksAdvanced: [{ name: this.network.name }],
                entrypoints: ["bash", "-c"],
                command: [topicCreationScript(basePrefix, cfg.topics)],
                // One-shot: runs to completion (attach) and fails the update on a non-zero exit.
                attach: true,
                logs: true,
                mustRun: false,
                restart: "no",
            },
            { ...child, dependsOn: [kafka] },
        );

        const connect = service("connect", {
            image: this.connectImage.imageName,
            envs: asEnv({
                CONNECT_BOOTSTRAP_SERVERS: KAFKA_INTERNAL_BOOTSTRAP,
                CONNECT_REST_ADVERTISED_HOST_NAME: HOSTS.connect,
                CONNECT_REST_PORT: "8083",
                CONNECT_GROUP_ID: `${prefix}-connect`,
                CONNECT_CONFIG_STORAGE_TOPIC: `_${prefix}-connect-configs`,
                CONNECT_OFFSET_STORAGE_TOPIC: `_${prefix}-connect-offsets`,
                CONNECT_STATUS_STORAGE_TOPIC: `_${prefix}-connect-status`,
                CONNECT_CONFIG_STORAGE_REPLICATION_FACTOR: "1",
                CONNECT_OFFSET_STORAGE_REPLICATION_FACTOR: "1",
                CONNECT_STATUS_STORAGE_REPLICATION_FACTOR: "1",
                CONNECT_KEY_CONVERTER: "io.confluent.connect.avro.AvroConverter",
                CONNECT_KEY_CONVERTER_SCHEMA_REGISTRY_URL: SCHEMA_REGISTRY_INTERNAL_URL,
                CONNECT_VALUE_CONVERTER: "io.confluent.connect.avro.AvroConverter",
                CONNECT_VALUE_CONVERTER_SCHEMA_REGISTRY_URL: SCHEMA_REGISTRY_INTERNAL_URL,
                CONNECT_PLUGIN_PATH: "/usr/share/java,/usr/share/confluent-hub-components",
            }),
            ports: [[8083, LOCAL_PORTS.connect]],
            healthcheck: "curl -fsS http://localhost:8083/connectors >/dev/null",
            startPeriod: "60s",
            dependsOn: [kafka, schemaRegistry],
        });
        const ksqldb = service("ksqldb", {
            image: image("ksqldb"),
            envs: asEnv({
                KSQL_BOOTSTRAP_SERVERS: KAFKA_INTERNAL_BOOTSTRAP,
                KSQL_LISTENERS: "http://0.0.0.0:8088",
                KSQL_KSQL_SCHEMA_REGISTRY_URL: SCHEMA_REGISTRY_INTERNAL_URL,
                KSQL_KSQL_SERVICE_ID: `${prefix}_`,
                KSQL_KSQL_LOGGING_PROCESSING_STREAM_AUTO_CREATE: "true",
                KSQL_KSQL_LOGGING_PROCESSING_TOPIC_AUTO_CREATE: "true",
                KSQL_KSQL_INTERNAL_TOPIC_REPLICAS: "1",
                KSQL_KSQL_STREAMS_REPLICATION_FACTOR: "1",
            }),
            ports: [[8088, LOCAL_PORTS.ksqldb]],
            healthcheck: "curl -fsS http://localhost:8088/info >/dev/null",
            startPeriod: "30s",
            dependsOn: [kafka, schemaRegistry],
        });
        const minio = service("minio", {
            image: image("minio"),
            envs: [`MINIO_ROOT_USER=${MINIO_USER}`, pulumi.interpolate`MINIO_ROOT_PASSWORD=${minioPassword}`],
            command: ["server", "/data", "--console-address", ":9001"],
            ports: [
                [9000, LOCAL_PORTS.minio],
                [9001, LOCAL_PORTS.minioConsole],
            ],
            volumes: [{ volume: this.volumes.minio, path: "/data" }],
            healthcheck: "mc ready local",
        });
        this.buckets = localBuckets(prefix);
        const minioInit = new docker.Container(
            `${name}-minio-init`,
            {
                name: `${prefix}-minio-init`,
                image: image("minioClient"),
                networksAdvanced: [{ name: this.network.name }],
                envs: [`MINIO_ROOT_USER=${MINIO_USER}`, pulumi.interpolate`MINIO_ROOT_PASSWORD=${minioPassword}`],
                entrypoints: ["sh", "-c"],
                command: [minioInitScript(this.buckets, cfg.lake)],
                attach: true,
                logs: true,
                mustRun: false,
                restart: "no",
            },
            { ...child, dependsOn: [minio] },
        );
        const postgres = service("postgres", {
            image: image("postgres"),
            envs: [`POSTGRES_USER=${POSTGRES_USER}`, `POSTGRES_DB=${WAREHOUSE_DATABASE}`, pulumi.interpolate`POSTGRES_PASSWORD=${postgresPassword}`],
            ports: [[5432, LOCAL_PORTS.postgres]],
            volumes: [{ volume: this.volumes.postgres, path: "/var/lib/postgresql/data" }],
            uploads: [{ file: "/docker-entrypoint-initdb.d/10-warehouse.sql", content: postgresWarehouseDdl() }],
            healthcheck: `pg_isready -U ${POSTGRES_USER} -d ${WAREHOUSE_DATABASE}`,
        });
        const kafkaExporter = service("kafkaExporter", {
            image: image("kafkaExporter"),
            command: [`--kafka.server=${KAFKA_INTERNAL_BOOTSTRAP}`, `--topic.filter=^(${catalogTopicRegex(basePrefix)})$`, "--group.filter=.*"],
            healthcheck: `wget -qO- http://localhost:${KAFKA_EXPORTER_PORT}/metrics >/dev/null`,
            dependsOn: [kafka],
        });
        const prometheus = service("prometheus", {
            image: image("prometheus"),
            ports: [[9090, LOCAL_PORTS.prometheus]],
            volumes: [{ volume: this.volumes.prometheus, path: "/prometheus" }],
            uploads: [{ file: "/etc/prometheus/prometheus.yml", content: prometheusConfig(basePrefix, 15) }],
            healthcheck: "wget -qO- http://localhost:9090/-/ready >/dev/null",
            dependsOn: [kafkaExporter, connect],
        });
        const grafanaContainer = service("grafana", {
            image: image("grafana"),
            envs: [`GF_SECURITY_ADMIN_USER=${GRAFANA_ADMIN}`, pulumi.interpolate`GF_SECURITY_ADMIN_PASSWORD=${grafanaPassword}`, "GF_USERS_ALLOW_SIGN_UP=false"],
            ports: [[3000, LOCAL_PORTS.grafana]],
            volumes: [{ volume: this.volumes.grafana, path: "/var/lib/grafana" }],
            healthcheck: "wget -qO- http://localhost:3000/api/health >/dev/null",
            dependsOn: [prometheus],
        });

        // The cloud's SQL bootstrap, aimed at the container's published port.
        this.bootstrap = new MySqlBootstrap(
            `${name}-mysql-bootstrap`,
            {
                host: "127.0.0.1",
                port: LOCAL_PORTS.mysql,
                adminUser: "root",
                adminPassword: mysqlRootPassword,
                // The container's certificate is self-signed by MySQL at first start; nothing else
                // listens on this loopback port. Explicitly insecure (it warns), never in the cloud.
                tls: "insecure",
                databases: bootstrapDatabases(DOMAINS, cfg.mysql.seedData),
                cdcUser: CDC_USER,
                cdcHost: "%",
                cdcPassword,
                requireTls: true,
                binlogRetentionHours: cfg.mysql.binlogRetentionHours,
            },
            { ...child, dependsOn: [mysql] },
        );

        const kafkaForConnect: LocalKafka = { bootstrapServers: KAFKA_INTERNAL_BOOTSTRAP, schemaRegistryUrl: SCHEMA_REGISTRY_INTERNAL_URL };
        // Endpoints as outputs of their containers, so nothing talks to a service before it is healthy.
        const connectEndpoint = connect.id.apply(() => loopback(LOCAL_PORTS.connect));
        const monitored: { name: string; id: pulumi.Input<string>; kind: "source" | "sink"; domain?: DomainName }[] = [];
        const connector = (
            id: string,
            connectorName: string,
            built: LocalConnectorConfig,
            sensitive: Record<string, pulumi.Input<string>>,
            dependsOn: pulumi.Resource[],
            domain?: DomainName,
        ) => {
            const missing = built.sensitiveKeys.filter((k) => !(k in sensitive));
            if (missing.length) throw new Error(`connector ${connectorName}: no value for sensitive key(s) ${missing.join(", ")}`);
            this.connectors[id] = new ConnectConnector(
                `${name}-connector-${id}`,
                { endpoint: connectEndpoint, name: connectorName, config: built.config, configSensitive: sensitive },
                { ...child, dependsOn: [connect, topicsInit, ...dependsOn] },
            );
            monitored.push({ name: connectorName, id: this.connectors[id].id, kind: domain ? "source" : "sink", domain });
            return this.connectors[id];
        };

        const cdcConnectors = DOMAINS.map((domain, i) =>
            connector(
                `cdc-${domain.name}`,
                cdcConnectorName(prefix, domain),
                localCdcSourceConfig({
                    namePrefix: prefix,
                    basePrefix,
                    domain,
                    mysqlHost: HOSTS.mysql,
                    mysqlPort: 3306,
                    user: CDC_USER,
                    cdc: cfg.cdc,
                    serverId: CDC_SERVER_ID_BASE + i,
                    kafka: kafkaForConnect,
                }),
                { "database.password": cdcPassword },
                [this.bootstrap],
                domain.name,
            ),
        );

        // ksqlDB apps: the same statements and provider as the cloud, after the CDC connectors
        // have registered the source schemas.
        const ksqlEndpoint = ksqldb.id.apply(() => loopback(LOCAL_PORTS.ksqldb));
        this.ksqlApps = ksqlAppSql.map(
            ({ app, statements }) =>
                new KsqlAppDeployment(
                    `${name}-ksql-${app.name}`,
                    { endpoint: ksqlEndpoint, app: app.name, statements: statements.map(statementSpec), streamsProperties: KSQL_STREAMS_PROPERTIES },
                    { ...child, dependsOn: [ksqldb, topicsInit, ...cdcConnectors] },
                ),
        );

        const s3Secrets = { "aws.access.key.id": MINIO_USER, "aws.secret.access.key": minioPassword };
        const sinkName = (sink: SinkName) => `${prefix}-${sink}`;
        const s3Sink = (sink: SinkName, topics: string[], bucket: string, topicsDir: string, keys: "avro" | "bytes") =>
            connector(
                `sink-${sink}`,
                sinkName(sink),
                localS3SinkConfig({
                    connectorName: sinkName(sink),
                    topics,
                    dlqTopic: dlqTopicName(basePrefix, sink),
                    bucket,
                    topicsDir,
                    lake: cfg.lake,
                    storeUrl: `http://${HOSTS.minio}:9000`,
                    keys,
                    kafka: kafkaForConnect,
                }),
                s3Secrets,
                [minioInit, ...(keys === "bytes" ? this.ksqlApps : cdcConnectors)],
            );
        s3Sink("s3-raw", rawLakeTopics(basePrefix), this.buckets.raw, RAW_TOPICS_DIR, "avro");
        s3Sink("s3-audit", auditArchiveTopics(basePrefix), this.buckets.audit, AUDIT_TOPICS_DIR, "bytes");

        const jdbcSink = (sink: SinkName, kind: "cdc" | "ksql") =>
            connector(
                `sink-${sink}`,
                sinkName(sink),
                localJdbcSinkConfig({
                    connectorName: sinkName(sink),
                    dlqTopic: dlqTopicName(basePrefix, sink),
                    basePrefix,
                    tables: WAREHOUSE_TABLES.filter((t) => t.source.kind === kind),
                    schema: WAREHOUSE_SCHEMAS[kind],
                    jdbcUrl: `jdbc:postgresql://${HOSTS.postgres}:5432/${WAREHOUSE_DATABASE}`,
                    user: POSTGRES_USER,
                    kind,
                    kafka: kafkaForConnect,
                }),
                { "connection.password": postgresPassword },
                [postgres, ...(kind === "ksql" ? this.ksqlApps : cdcConnectors)],
            );
        jdbcSink("snowflake-cdc", "cdc");
        jdbcSink("snowflake-curated", "ksql");

        if (cfg.monitoring.enabled) {
            const provider = new grafana.Provider(
                `${name}-grafana`,
                { url: grafanaContainer.id.apply(() => loopback(LOCAL_PORTS.grafana)), auth: pulumi.interpolate`${GRAFANA_ADMIN}:${grafanaPassword}` },
                child,
            );
            const dataSource = new grafana.oss.DataSource(
                `${name}-prometheus-datasource`,
                { type: "prometheus", name: "Prometheus (local)", uid: "local-prometheus", url: `http://${HOSTS.prometheus}:9090`, isDefault: true },
                { ...child, provider },
            );
            this.monitoring = new Monitoring(
                "monitoring",
                {
                    namePrefix: prefix,
                    provider,
                    dataSourceUid: dataSource.uid,
                    metricsSource: "local",
                    config: cfg.monitoring,
                    webhookUrl: new pulumi.Config().getSecret("alertWebhookUrl"),
                    estate: {
                        basePrefix,
                        connectors: monitored,
                        ksqlClusterIds: [],
                        rdsInstanceIds: [],
                    },
                },
                { parent: this },
            );
        }

        this.registerOutputs({ urls: this.urls, buckets: this.buckets });
    }
}
