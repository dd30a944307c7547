// The whole platform on one laptop with the Docker provider, built from the same catalog as the
// cloud and shaped like it: local source (MySQL + the cloud's SQL bootstrap + Debezium CDC),
// streaming (Kafka in KRaft mode, Schema Registry, topics, Connect), ksqlDB with the same apps,
// sinks (MinIO lake, Postgres warehouse, connectors mapped from the cloud's) and monitoring
// (Prometheus, Grafana, the shared Monitoring component). Every long-running container has a
// health check and `wait`, and publishes on 127.0.0.1 only.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { PlatformConfig } from "../components/config";
import { loadCheckedKsqlApps } from "../components/ksql";
import { Monitoring } from "../components/monitoring";
import { ConnectConnector } from "./connectProvider";
import { LocalKafka } from "./connectorMapping";
import { LocalKsql } from "./ksql";
import { GRAFANA_ADMIN, LocalMonitoring } from "./monitoring";
import { KAFKA_INTERNAL_BOOTSTRAP, SCHEMA_REGISTRY_INTERNAL_URL } from "./settings";
import { LocalSinks, MINIO_USER, POSTGRES_USER } from "./sinks";
import { LocalSource } from "./source";
import { LocalStreaming } from "./streaming";
import { LocalStreamsApps } from "./streams";
import { localUrls } from "./versions";

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
    readonly source: LocalSource;
    readonly streaming: LocalStreaming;
    readonly ksql: LocalKsql;
    readonly streamsApps: LocalStreamsApps;
    readonly sinks: LocalSinks;
    readonly localMonitoring: LocalMonitoring;
    readonly monitoring?: Monitoring;
    readonly urls = localUrls();
    readonly buckets: LocalSinks["buckets"];
    /** Every local connector by its id (`cdc-<domain>`, `sink-<sink>`), as the stack output lists them. */
    readonly connectors: Record<string, ConnectConnector>;
    /** Generated passwords, as one secret output: the verification logs in with them. */
    readonly credentials: pulumi.Output<LocalCredentials>;

    constructor(name: string, args: LocalPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("lifesci:local:LocalPlatform", name, {}, opts);
        const cfg = args.config;
        const child = { parent: this };
        // The apps' contract with the catalog and the DDL is checked before anything is registered.
        const ksqlApps = loadCheckedKsqlApps({ topicPrefix: cfg.confluent.topicPrefix, orderStuckSlaMinutes: cfg.ksqldb.orderStuckSlaMinutes });

        const password = (id: string) => new random.RandomPassword(`${name}-${id}-password`, { length: 24, special: false }, child).result;
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

        this.network = new docker.Network(`${name}-network`, { name: cfg.namePrefix, driver: "bridge" }, child);
        // Sub-components name their resources `<name>-<id>` as before the split, aliased from this platform.
        const scope = { base: name, prefix: cfg.namePrefix, network: this.network, formerParent: this };
        const kafka: LocalKafka = { bootstrapServers: KAFKA_INTERNAL_BOOTSTRAP, schemaRegistryUrl: SCHEMA_REGISTRY_INTERNAL_URL };

        this.streaming = new LocalStreaming("streaming", { ...scope, basePrefix: cfg.confluent.topicPrefix, topics: cfg.topics }, child);
        this.source = new LocalSource(
            "source",
            { ...scope, config: cfg, streaming: this.streaming, kafka, rootPassword: mysqlRootPassword, cdcPassword },
            child,
        );
        const cdcConnectors = [...this.source.cdcConnectors.values()];
        this.ksql = new LocalKsql(
            "ksql",
            { ...scope, apps: ksqlApps, basePrefix: cfg.confluent.topicPrefix, topics: cfg.topics, ksqldb: cfg.ksqldb, streaming: this.streaming, sources: cdcConnectors },
            child,
        );
        this.streamsApps = new LocalStreamsApps(
            "streams",
            {
                ...scope,
                basePrefix: cfg.confluent.topicPrefix,
                kafka,
                config: cfg.streams,
                dependsOn: [this.streaming.kafka, this.streaming.schemaRegistry, this.streaming.topicsInit],
            },
            child,
        );
        this.sinks = new LocalSinks(
            "sinks",
            { ...scope, config: cfg, streaming: this.streaming, kafka, minioPassword, postgresPassword, cdcWriters: cdcConnectors, ksqlWriters: this.ksql.apps, streamsWriters: [...this.streamsApps.containers.values()] },
            child,
        );
        this.buckets = this.sinks.buckets;
        this.connectors = Object.fromEntries([
            ...[...this.source.cdcConnectors].map(([domain, c]) => [`cdc-${domain}`, c] as const),
            ...[...this.sinks.connectors].map(([sink, c]) => [`sink-${sink}`, c] as const),
        ]);
        this.localMonitoring = new LocalMonitoring(
            "local-monitoring",
            { ...scope, config: cfg, streaming: this.streaming, grafanaPassword, connectors: [...this.source.monitored, ...this.sinks.monitored] },
            child,
        );
        this.monitoring = this.localMonitoring.monitoring;

        this.registerOutputs({ urls: this.urls, buckets: this.buckets });
    }
}
