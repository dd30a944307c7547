// Every image and plugin the local stack runs, pinned (never `latest`), and the host ports it
// publishes on 127.0.0.1. The Connect Dockerfile takes the plugin versions as build args from here.

export const CONFLUENT_PLATFORM_VERSION = "7.7.1";

export const IMAGES = {
    mysql: "mysql:8.0.40",
    kafka: `confluentinc/cp-kafka:${CONFLUENT_PLATFORM_VERSION}`,
    schemaRegistry: `confluentinc/cp-schema-registry:${CONFLUENT_PLATFORM_VERSION}`,
    connectBase: `confluentinc/cp-kafka-connect:${CONFLUENT_PLATFORM_VERSION}`,
    ksqldb: `confluentinc/cp-ksqldb-server:${CONFLUENT_PLATFORM_VERSION}`,
    minio: "minio/minio:RELEASE.2024-11-07T00-52-20Z",
    minioClient: "minio/mc:RELEASE.2024-11-17T19-35-25Z",
    postgres: "postgres:16.6",
    kafkaExporter: "danielqsj/kafka-exporter:v1.8.0",
    prometheus: "prom/prometheus:v2.55.1",
    grafana: "grafana/grafana:11.3.1",
} as const;

/** Connect plugins baked into the image built from local/images/connect/. */
export const CONNECT_PLUGINS = {
    DEBEZIUM_MYSQL_VERSION: "2.7.4.Final",
    S3_SINK_VERSION: "10.5.17",
    // Debezium's JDBC sink from Maven Central (io.debezium:debezium-connector-jdbc). 2.7.0.Final is
    // the only 2.7 release Maven Central serves; it runs in its own plugin class loader beside MySQL 2.7.4.
    DEBEZIUM_JDBC_VERSION: "2.7.0.Final",
    JMX_EXPORTER_VERSION: "1.0.1",
} as const;

/**
 * Every file the Connect image downloads, by URL: the Dockerfile fetches exactly these (a test
 * compares) and refuses any whose SHA-256 is not the one pinned in
 * local/images/connect/plugins.sha256 (`npm run local:pin-plugins` writes that file from a
 * trusted download; review and commit it).
 */
export interface PluginDownload {
    file: string;
    url: string;
    /** Maven Central artifacts: the coordinates Maven resolves (`groupId:artifactId:version[:type[:classifier]]`). */
    maven?: string;
}

export function connectPluginDownloads(v: Record<keyof typeof CONNECT_PLUGINS, string> = CONNECT_PLUGINS): PluginDownload[] {
    const hub = (owner: string, name: string, version: string) => ({
        file: `${owner}-${name}-${version}.zip`,
        url: `https://hub-downloads.confluent.io/api/plugins/${owner}/${name}/versions/${version}/${owner}-${name}-${version}.zip`,
    });
    const maven = (group: string, artifact: string, version: string, type: string, classifier?: string) => {
        const suffix = `${classifier ? `-${classifier}` : ""}.${type}`;
        return {
            file: `${artifact}-${version}${suffix}`,
            url: `https://repo1.maven.org/maven2/${group.replace(/\./g, "/")}/${artifact}/${version}/${artifact}-${version}${suffix}`,
            maven: [group, artifact, version, type, ...(classifier ? [classifier] : [])].join(":"),
        };
    };
    return [
        hub("confluentinc", "kafka-connect-s3", v.S3_SINK_VERSION),
        maven("io.debezium", "debezium-connector-mysql", v.DEBEZIUM_MYSQL_VERSION, "tar.gz", "plugin"),
        maven("io.debezium", "debezium-connector-jdbc", v.DEBEZIUM_JDBC_VERSION, "tar.gz", "plugin"),
        maven("io.prometheus.jmx", "jmx_prometheus_javaagent", v.JMX_EXPORTER_VERSION, "jar"),
    ];
}

/** The tag of the Connect image built locally (never pushed). */
export const CONNECT_IMAGE = `lifesci-local/kafka-connect:${CONFLUENT_PLATFORM_VERSION}-dbz${CONNECT_PLUGINS.DEBEZIUM_MYSQL_VERSION}`;

/** Host ports, all bound to 127.0.0.1. */
export const LOCAL_PORTS = {
    mysql: 3307,
    kafka: 9092,
    schemaRegistry: 8081,
    connect: 8083,
    ksqldb: 8088,
    minio: 9000,
    minioConsole: 9001,
    postgres: 5433,
    prometheus: 9090,
    grafana: 3000,
    batchReleaseHealth: 8090,
} as const;

export type LocalService = keyof typeof LOCAL_PORTS;

/** Service URLs as seen from the laptop. */
export function localUrls(): Record<string, string> {
    const at = (port: number) => `http://127.0.0.1:${port}`;
    return {
        grafana: at(LOCAL_PORTS.grafana),
        connect: at(LOCAL_PORTS.connect),
        ksqldb: at(LOCAL_PORTS.ksqldb),
        schemaRegistry: at(LOCAL_PORTS.schemaRegistry),
        minioConsole: at(LOCAL_PORTS.minioConsole),
        prometheus: at(LOCAL_PORTS.prometheus),
    };
}
