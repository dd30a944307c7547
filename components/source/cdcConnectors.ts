// The managed CDC source connectors, one per catalog domain. The config builder is a pure function
// (tests call it directly and check every key against the documented key list); the resources
// only wire it to live values.
import * as confluent from "@pulumi/confluentcloud";
import * as pulumi from "@pulumi/pulumi";
import { Domain, DomainName, cdcTopicPrefix, heartbeatTopicName, heartbeatTopicPrefix, schemaHistoryTopic, tableIncludeList } from "../catalog";
import { CdcConfig } from "../config";
import { RoleGrant, WorkloadIdentity, crn } from "../streaming";
import { TlsMode } from "./mysqlClient";
import { CdcSnapshotSignal, SignalWriterArgs, signalDataCollection } from "./snapshotSignal";
import { TIME_PRECISION_MODE } from "../temporalTypes";

// Keys and values below: https://docs.confluent.io/cloud/current/connectors/cc-mysql-source-cdc-v2-debezium/cc-mysql-source-cdc-v2-debezium.html#configuration-properties
// (checked against test/fixtures/connector-keys.json by the tests).

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
        // DATE/DATETIME travel as Kafka Connect Date/Timestamp logical types, which ksqlDB reads as
        // DATE/TIMESTAMP and the Snowflake and JDBC sinks write as DATE/TIMESTAMP columns; the price is
        // millisecond precision (temporalTypes.ts; decisions.md D15-1).
        "time.precision.mode": TIME_PRECISION_MODE,
        "heartbeat.interval.ms": String(s.cdc.heartbeatIntervalMs),
        // The bootstrap's signal table: a deploy that adds tables writes an incremental-snapshot
        // signal there (CdcSnapshotSignal) so their existing rows arrive too.
        // https://docs.confluent.io/cloud/current/connectors/cc-mysql-source-cdc-v2-debezium/cc-mysql-source-cdc-v2-debezium.html
        "signal.data.collection": signalDataCollection(s.domain.database),
        // Heartbeats go to `<prefix>.heartbeat.<topic.prefix>`, a catalog topic this connector may
        // write, instead of the default `__debezium-heartbeat-<lcc-id>.<topic.prefix>`, which no grant covers.
        "topic.heartbeat.prefix": heartbeatTopicPrefix(s.basePrefix),
        // The managed default, stated so the local Debezium (default true) matches: no schema-change topic.
        "include.schema.changes": "false",
        // MySQL binlog reading is single-threaded by design.
        "tasks.max": "1",
    };
}

/** The connector's name: `<namePrefix>-<domain>-cdc` (Kafka Connect and dashboards know it by this). */
export function cdcConnectorName(namePrefix: string, domain: Domain): string {
    return `${namePrefix}-${domain.name}-cdc`;
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
    const heartbeat = heartbeatTopicName(basePrefix, domain);
    return [
        { label: "write-topics", role: "DeveloperWrite", crnPattern: crn.topic(cluster, `${prefix}.*`) },
        // Heartbeats (every heartbeat.interval.ms) and their AVRO subjects.
        { label: "write-heartbeat", role: "DeveloperWrite", crnPattern: crn.topic(cluster, heartbeat) },
        { label: "read-heartbeat-subjects", role: "DeveloperRead", crnPattern: crn.subject(schemaRegistryCrn, `${heartbeat}-*`) },
        { label: "write-heartbeat-subjects", role: "DeveloperWrite", crnPattern: crn.subject(schemaRegistryCrn, `${heartbeat}-*`) },
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
    /** What must exist first: the SQL bootstrap (CDC user, signal table), the PrivateLink DNS record, the subjects' compatibility. */
    sourceReady: pulumi.Resource[];
    /**
     * How to write snapshot signals (the CDC user over the bootstrap's TLS path); absent when the
     * bootstrap does not run, and then tables added later are not backfilled automatically.
     */
    signalWriter?: SignalWriterArgs;
}

/** One MySqlCdcSourceV2 connector (and its identity) per catalog domain. */
export class CdcSourceConnector extends pulumi.ComponentResource {
    readonly connector: confluent.Connector;
    readonly identity: WorkloadIdentity;
    readonly connectorName: string;
    /** Writes one incremental-snapshot signal for tables added to this connector. */
    readonly snapshotSignal?: CdcSnapshotSignal;

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
        if (args.signalWriter) {
            // After the connector: the updated connector (with the new include list) must read the signal.
            this.snapshotSignal = new CdcSnapshotSignal(
                `${name}-snapshot-signal`,
                { ...args.signalWriter, database: args.domain.database, tables: args.domain.tables.map((t) => t.name) },
                { parent: this, dependsOn: [this.connector] },
            );
        }
        this.registerOutputs({ connectorId: this.connector.id, status: this.connector.status });
    }
}

export interface CdcConnectorsArgs extends Omit<CdcSourceConnectorArgs, "domain" | "topics"> {
    domains: readonly Domain[];
    /** The topics each domain's connector writes; it is created after them. */
    topicsOf: (domain: Domain) => pulumi.Resource[];
}

/** The CDC connectors of every domain, held by domain name (never matched by position). */
export class CdcConnectors extends pulumi.ComponentResource {
    readonly byDomain: ReadonlyMap<DomainName, CdcSourceConnector>;

    constructor(name: string, args: CdcConnectorsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("lifesci:connectors:CdcConnectors", name, {}, opts);
        const { domains, topicsOf, ...shared } = args;
        this.byDomain = new Map(
            domains.map((domain) => [
                domain.name,
                new CdcSourceConnector(
                    `cdc-${domain.name}`,
                    { ...shared, domain, topics: topicsOf(domain) },
                    // The connectors were children of the platform before this component held them.
                    { parent: this, aliases: [{ parent: opts?.parent ?? pulumi.rootStackResource }] },
                ),
            ]),
        );
        this.registerOutputs({});
    }
}
