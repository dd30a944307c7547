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

/**
 * Digests of the images whose tag can move (issue 22, item 14): the official `mysql` and
 * `postgres` images are rebuilt under the same tag when their base OS is patched, and the
 * Prometheus and Grafana tags have been re-pushed for multi-arch manifests. A pinned image is
 * pulled as `<tag>@<digest>`: Docker then ignores the tag, so a moved tag cannot change what runs.
 * The others are release tags their publishers do not re-push (Confluent `7.7.1`, MinIO
 * `RELEASE.*`, kafka-exporter `v1.8.0`). Values: the multi-arch index digests of those tags;
 * re-resolve with `docker buildx imagetools inspect <tag>` when bumping a tag (README, Unverified).
 */
export const IMAGE_DIGESTS: Partial<Record<keyof typeof IMAGES, string>> = {
    mysql: "sha256:d58ac93387f644e4e040c636b8f50494e78e5afc27ca0a87348b2f577da2b7ff",
    postgres: "sha256:557fea37a744d5f4c8faab304b0a90858b53ab119735a88c131fd19dab802f36",
    prometheus: "sha256:2659f4c2ebb718e7695cb9b25ffa7d6be64db013daba13e05c875451cf51b0d3",
    grafana: "sha256:fa801ab6e1ae035135309580891e09f7eb94d1abdbd2106bdc288030b028158c",
};

/** Images whose tag can move; each must have a digest in IMAGE_DIGESTS. */
export const MOVABLE_TAG_IMAGES = ["mysql", "postgres", "prometheus", "grafana"] as const;

/** What the local stack pulls: the tag, pinned by digest where one is recorded. */
export function imageReference(key: keyof typeof IMAGES): string {
    const digest = IMAGE_DIGESTS[key];
    if (digest !== undefined && !/^sha256:[0-9a-f]{64}$/.test(digest)) throw new Error(`local/versions.ts IMAGE_DIGESTS.${key}: "${digest}" is not a sha256 digest`);
    return digest ? `${IMAGES[key]}@${digest}` : IMAGES[key];
}

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
