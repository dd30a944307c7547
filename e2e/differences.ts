// Every way the e2e run differs from the local Docker stack, in one place, each with its reason.
// The harness takes the local stack's own resources (recorded by the mock engine) and changes
// only what this file lists: STATIC_DIFFERENCES are about the environment, CONNECTOR_RULES rewrite
// single connector keys. A connector value that still names a container of the Docker network
// after the rules is an error naming the key, so a new container-addressed key cannot slip through.
import { HOSTS } from "../local/settings";

export interface Difference {
    /** What differs. */
    what: string;
    /** The local Docker stack. */
    local: string;
    /** This run. */
    e2e: string;
    reason: string;
}

export const STATIC_DIFFERENCES: readonly Difference[] = [
    {
        what: "source database",
        local: "MySQL 8.0 container (binlog ROW/FULL, GTID mode on)",
        e2e: "MariaDB from Debian (throwaway server of scripts/checks/throwawayMariaDb.ts: binlog ROW/FULL, TLS), position-based binlog reading",
        reason:
            "Debian ships MariaDB, not MySQL, and there is no Docker here. Debezium 2.7's MySQL connector has no MariaDB adapter setting any more (2.5/2.6 had connector.adapter=mariadb; 2.7 moved MariaDB to its own incubating debezium-connector-mariadb), so the unchanged MySQL connector reads MariaDB through mysql-connector-j; MariaDB has no gtid_mode, so the connector tracks binlog file/position instead of GTIDs",
    },
    {
        what: "Kafka",
        local: "confluentinc/cp-kafka:7.7.1 (Apache Kafka 3.7, KRaft)",
        e2e: "org.apache.kafka:kafka_2.13:3.7.1 from Maven Central, one KRaft node, auto.create.topics.enable=false",
        reason: "Confluent's images are not reachable; 3.7.1 is the Apache Kafka release Confluent Platform 7.7.1 ships, and Debezium 2.7 is built against Kafka 3.7. Topic auto-creation is off, as in Confluent Cloud, so every topic a connector writes must be created by the platform first",
    },
    {
        what: "Kafka Connect",
        local: "cp-kafka-connect:7.7.1 image with plugins from local/images/connect",
        e2e: "org.apache.kafka:connect-runtime:3.7.1 (distributed mode, topic.creation.enable=false) with the same Maven Central plugin archives",
        reason: "same plugin archives and versions (local/versions.ts, pinned in local/images/connect/plugins.sha256); the worker itself comes from Maven Central instead of Confluent's image",
    },
    {
        what: "converters / Schema Registry",
        local: "Confluent Schema Registry + AvroConverter (keys and values)",
        e2e: "org.apache.kafka.connect.json.JsonConverter with schemas.enable=true (keys and values)",
        reason:
            "Confluent's Avro converter and Schema Registry are not in the reachable registries. The JSON converter carries the same Connect schema (types, logical types, optionality) inline, so the envelope, key and sink column types are checked; Avro subject registration and compatibility are not (covered by the schema governance tests). Apicurio Registry's ccompat API was tried: see the closing note of issue 20",
    },
    {
        what: "warehouse",
        local: "postgres:16.6 container",
        e2e: "PostgreSQL 15 from Debian (initdb into a temp dir)",
        reason: "Debian 12's server binaries; the warehouse DDL and the sink's SQL use nothing newer than 15",
    },
    {
        what: "secrets and the bootstrap's admin account",
        local: "random passwords (CDC user, Postgres), MySQL root as the bootstrap's admin",
        e2e: "passwords generated per run; an admin account lifesci_e2e_admin with ALL PRIVILEGES WITH GRANT OPTION (the RDS master user's equivalent)",
        reason: "the mock engine's recorded passwords are placeholders, and the throwaway MariaDB's root has no password over TCP; the bootstrap, grants and CDC account are the stack's own",
    },
    {
        what: "ksqlDB apps",
        local: "cp-ksqldb-server:7.7.1 runs the four apps",
        e2e: "not run",
        reason: "ksqlDB is in no reachable registry; the grammar, replay and contract tests keep covering the apps",
    },
    {
        what: "S3 sinks (raw lake, audit archive)",
        local: "Confluent S3 sink on MinIO",
        e2e: "not run",
        reason: "the Confluent S3 sink comes from Confluent Hub and MinIO from Docker Hub, neither reachable; the mapping and policy tests keep covering them",
    },
    {
        what: "monitoring",
        local: "Prometheus, kafka-exporter, JMX exporter, Grafana",
        e2e: "not run",
        reason: "promtool tests cover every alert expression; Grafana is not reachable",
    },
];

/** Where the harness's servers listen. */
export interface HarnessEndpoints {
    connectUrl: string;
    kafkaBootstrap: string;
    mysqlHost: string;
    mysqlPort: number;
    postgresJdbcUrl: string;
}

const JSON_CONVERTER = "org.apache.kafka.connect.json.JsonConverter";
const AVRO_CONVERTER = "io.confluent.connect.avro.AvroConverter";

type KeyRule = { difference: Omit<Difference, "e2e">; e2e: string; rewrite: (value: string, env: HarnessEndpoints) => Record<string, string> };

const converter = (side: "key" | "value"): KeyRule => ({
    difference: { what: `${side}.converter`, local: AVRO_CONVERTER, reason: "see converters / Schema Registry" },
    e2e: `${JSON_CONVERTER} (${side}.converter.schemas.enable=true)`,
    rewrite: (value) => {
        if (value !== AVRO_CONVERTER) return { [`${side}.converter`]: value };
        return { [`${side}.converter`]: JSON_CONVERTER, [`${side}.converter.schemas.enable`]: "true" };
    },
});

/** Connector keys the harness rewrites; every other key is sent exactly as the local stack records it. */
export const CONNECTOR_RULES: Record<string, KeyRule> = {
    "key.converter": converter("key"),
    "value.converter": converter("value"),
    "key.converter.schema.registry.url": { e2e: "(removed)", difference: { what: "key.converter.schema.registry.url", local: "http://schema-registry:8081", reason: "no Schema Registry (JSON converter)" }, rewrite: () => ({}) },
    "value.converter.schema.registry.url": { e2e: "(removed)", difference: { what: "value.converter.schema.registry.url", local: "http://schema-registry:8081", reason: "no Schema Registry (JSON converter)" }, rewrite: () => ({}) },
    "database.hostname": { e2e: "127.0.0.1", difference: { what: "database.hostname", local: HOSTS.mysql, reason: "the MariaDB child process on loopback" }, rewrite: (_, env) => ({ "database.hostname": env.mysqlHost }) },
    "database.port": { e2e: "the throwaway MariaDB's port", difference: { what: "database.port", local: "3306", reason: "a free loopback port" }, rewrite: (_, env) => ({ "database.port": String(env.mysqlPort) }) },
    "schema.history.internal.kafka.bootstrap.servers": {
        e2e: "127.0.0.1:<broker port>",
        difference: { what: "schema.history.internal.kafka.bootstrap.servers", local: "kafka:29092", reason: "the broker child process on a free loopback port" },
        rewrite: (_, env) => ({ "schema.history.internal.kafka.bootstrap.servers": env.kafkaBootstrap }),
    },
    "connection.url": {
        e2e: "jdbc:postgresql://127.0.0.1:<port>/warehouse (the local URL's parameters kept)",
        difference: { what: "connection.url", local: "jdbc:postgresql://postgres:5432/warehouse", reason: "the PostgreSQL child process on a free loopback port" },
        // Only the server moves: parameters such as stringtype=unspecified are part of the sink's behaviour.
        rewrite: (value, env) => ({ "connection.url": `${env.postgresJdbcUrl}${value.includes("?") ? value.slice(value.indexOf("?")) : ""}` }),
    },
};

/** A value that still addresses the Docker network (`<container>:<port>` or `//<container>`). */
const CONTAINER_ADDRESS = new RegExp(`(^|[/,@])(${Object.values(HOSTS).join("|")}):\\d+`);

export interface HarnessConnector {
    config: Record<string, string>;
    /** Rewritten keys: the local value and the harness value, for the report. */
    rewritten: { key: string; local: string; e2e: string }[];
}

/** The local stack's connector config with the harness rewrites applied; fails naming a key still aimed at a container. */
export function harnessConnectorConfig(name: string, local: Record<string, string>, env: HarnessEndpoints): HarnessConnector {
    const config: Record<string, string> = {};
    const rewritten: HarnessConnector["rewritten"] = [];
    for (const [key, value] of Object.entries(local)) {
        const rule = CONNECTOR_RULES[key];
        if (!rule) {
            if (CONTAINER_ADDRESS.test(value)) throw new Error(`connector ${name}: ${key}=${value} addresses the Docker network and has no rule in e2e/differences.ts`);
            config[key] = value;
            continue;
        }
        const out = rule.rewrite(value, env);
        Object.assign(config, out);
        rewritten.push({ key, local: value, e2e: Object.entries(out).map(([k, v]) => `${k}=${v}`).join(", ") || "(removed)" });
    }
    return { config, rewritten };
}

/** Where the harness runs a Kafka Streams app. */
export interface HarnessStreamsEndpoints {
    kafkaBootstrap: string;
    /** A directory of this run for the app's RocksDB stores. */
    stateDir: string;
    /** A free loopback port for its health endpoint. */
    healthPort: number;
}

type EnvRule = { difference: Omit<Difference, "e2e">; e2e: string; rewrite: (value: string, env: HarnessStreamsEndpoints) => Record<string, string> };

/**
 * Variables of a Kafka Streams app's environment the harness rewrites; every other variable
 * (topics, application.id, STATUS_JSON_SCHEMAS, OVERDUE_AFTER, ...) is the local container's.
 */
export const STREAMS_ENV_RULES: Record<string, EnvRule> = {
    KAFKA_BOOTSTRAP_SERVERS: {
        e2e: "127.0.0.1:<broker port>",
        difference: { what: "Kafka Streams KAFKA_BOOTSTRAP_SERVERS", local: "kafka:29092", reason: "the broker child process on a free loopback port" },
        rewrite: (_, env) => ({ KAFKA_BOOTSTRAP_SERVERS: env.kafkaBootstrap }),
    },
    VALUE_FORMAT: {
        e2e: "json",
        difference: { what: "Kafka Streams VALUE_FORMAT", local: "avro", reason: "the harness's CDC topics are JsonConverter JSON (see converters / Schema Registry); the app reads both through one adapter" },
        rewrite: (value) => ({ VALUE_FORMAT: value === "avro" ? "json" : value }),
    },
    SCHEMA_REGISTRY_URL: {
        e2e: "(removed)",
        difference: { what: "Kafka Streams SCHEMA_REGISTRY_URL", local: "http://schema-registry:8081", reason: "no Schema Registry (JSON CDC values)" },
        rewrite: () => ({}),
    },
    STATE_DIR: {
        e2e: "<run directory>/batch-release-state",
        difference: { what: "Kafka Streams STATE_DIR", local: "/var/lib/kafka-streams (a named volume)", reason: "a process on this machine, not a container: the run's own directory" },
        rewrite: (_, env) => ({ STATE_DIR: env.stateDir }),
    },
    HEALTH_PORT: {
        e2e: "a free loopback port",
        difference: { what: "Kafka Streams HEALTH_PORT", local: "8080 inside the container", reason: "processes share the host's ports" },
        rewrite: (_, env) => ({ HEALTH_PORT: String(env.healthPort) }),
    },
    OVERDUE_CHECK_INTERVAL: {
        e2e: "PT5S",
        difference: { what: "Kafka Streams OVERDUE_CHECK_INTERVAL", local: "streams.overdueCheckInterval (PT1M)", reason: "the hop waits for the overdue record of a seed batch: seconds, not a minute" },
        rewrite: () => ({ OVERDUE_CHECK_INTERVAL: "PT5S" }),
    },
};

/** The local container's environment with the harness rewrites applied; fails naming a variable still aimed at a container. */
export function harnessStreamsEnvironment(app: string, local: Record<string, string>, env: HarnessStreamsEndpoints): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(local)) {
        const rule = STREAMS_ENV_RULES[key];
        if (!rule) {
            if (CONTAINER_ADDRESS.test(value)) throw new Error(`Kafka Streams app ${app}: ${key}=${value} addresses the Docker network and has no rule in e2e/differences.ts`);
            out[key] = value;
            continue;
        }
        Object.assign(out, rule.rewrite(value, env));
    }
    return out;
}
