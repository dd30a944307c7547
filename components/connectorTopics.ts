// Which Kafka topics a connector will write, read from its config as sent (not from the catalog),
// and which of them nobody creates. Import-free: the policy pack (policy/rules.ts) loads it next to
// the program, and the cloud rule, the local stack and the tests all judge a connector alike.
//
// A managed connector may not create topics (its service account holds DeveloperWrite, not
// DeveloperManage), and neither Confluent Cloud nor the local broker auto-creates them
// (auto.create.topics.enable is false in Confluent Cloud; the local broker sets it false too):
//   https://docs.confluent.io/cloud/current/clusters/broker-config.html
// so a topic that is not created beforehand stops the connector the first time it is written.

/** Why a connector writes a topic (the error names it). */
export type WrittenTopicRole = "table" | "signal" | "heartbeat" | "schema-history" | "schema-changes" | "transaction-metadata" | "dead-letter";

export interface WrittenTopic {
    topic: string;
    role: WrittenTopicRole;
}

/** The MySQL CDC source classes: Confluent's managed V2 and the self-managed Debezium connector. */
const MANAGED_MYSQL_CDC = "MySqlCdcSourceV2";
const DEBEZIUM_MYSQL = "io.debezium.connector.mysql.MySqlConnector";
const MANAGED_SINKS = ["S3_SINK", "SnowflakeSink"];

const split = (list: string | undefined) => (list ?? "").split(",").map((s) => s.trim()).filter(Boolean);

/**
 * The topics a connector writes, by documented naming rule. `connectorId` stands in for the
 * managed defaults that embed it (`__debezium-heartbeat-<lcc-id>`, `dlq-<lcc-id>`).
 *
 * MySQL CDC (Debezium semantics, managed and self-managed):
 *   table topics `<topic.prefix>.<db>.<table>` for every `table.include.list` entry;
 *   the signal table `signal.data.collection` is captured like a table (Debezium adds it to the
 *   capture filter and streams its execute-snapshot rows and the incremental snapshot's watermark
 *   inserts/deletes to `<topic.prefix>.<db>.<signal table>`):
 *     https://debezium.io/documentation/reference/stable/configuration/signalling.html
 *     https://debezium.io/documentation/reference/stable/connectors/mysql.html#mysql-incremental-snapshots
 *   heartbeats `<topic.heartbeat.prefix>.<topic.prefix>` when heartbeat.interval.ms > 0;
 *   schema history `schema.history.internal.kafka.topic`; schema changes `<topic.prefix>` when
 *   include.schema.changes (Debezium default true, managed default false); transaction metadata
 *   `<topic.prefix>.<topic.transaction>` when provide.transaction.metadata:
 *     https://debezium.io/documentation/reference/stable/connectors/mysql.html#mysql-connector-properties
 *     https://docs.confluent.io/cloud/current/connectors/cc-mysql-source-cdc-v2-debezium/cc-mysql-source-cdc-v2-debezium.html#configuration-properties
 * Sinks: the dead-letter topic when errors.tolerance=all (managed sinks default to all and to
 * `dlq-<lcc-id>`; Kafka Connect writes a DLQ only when its name is set):
 *   https://docs.confluent.io/cloud/current/connectors/dead-letter-queue.html
 *   https://kafka.apache.org/documentation/#sinkconnectorconfigs_errors.deadletterqueue.topic.name
 */
export function connectorWrittenTopics(config: Record<string, unknown>, connectorId = "<lcc-id>"): WrittenTopic[] {
    const get = (key: string): string | undefined => (config[key] === undefined || config[key] === null ? undefined : String(config[key]));
    const cls = get("connector.class") ?? "";
    const out: WrittenTopic[] = [];
    if (cls === MANAGED_MYSQL_CDC || cls === DEBEZIUM_MYSQL) {
        const managed = cls === MANAGED_MYSQL_CDC;
        const prefix = get("topic.prefix");
        if (!prefix) return out;
        for (const table of split(get("table.include.list"))) out.push({ topic: `${prefix}.${table}`, role: "table" });
        for (const signal of split(get("signal.data.collection"))) out.push({ topic: `${prefix}.${signal}`, role: "signal" });
        if (Number(get("heartbeat.interval.ms") ?? "0") > 0) {
            const hbPrefix = get("topic.heartbeat.prefix") ?? (managed ? `__debezium-heartbeat-${connectorId}` : "__debezium-heartbeat");
            out.push({ topic: `${hbPrefix}.${prefix}`, role: "heartbeat" });
        }
        const history = get("schema.history.internal.kafka.topic") ?? (managed ? `dbhistory.${prefix}.${connectorId}` : undefined);
        if (history) out.push({ topic: history, role: "schema-history" });
        if ((get("include.schema.changes") ?? (managed ? "false" : "true")) === "true") out.push({ topic: prefix, role: "schema-changes" });
        if (get("provide.transaction.metadata") === "true") {
            out.push({ topic: `${prefix}.${get("topic.transaction") ?? (managed ? `${connectorId}.transaction` : "transaction")}`, role: "transaction-metadata" });
        }
        return out;
    }
    const tolerance = get("errors.tolerance") ?? (MANAGED_SINKS.includes(cls) ? "all" : "none");
    const dlq = get("errors.deadletterqueue.topic.name") ?? (MANAGED_SINKS.includes(cls) ? `dlq-${connectorId}` : "");
    if (tolerance === "all" && dlq) out.push({ topic: dlq, role: "dead-letter" });
    return out;
}

/**
 * Kafka Connect creates a source connector's topics itself only with KIP-158 topic creation:
 * `topic.creation.default.replication.factor` and `.partitions` set on the connector (and the
 * worker's topic.creation.enable, default true). Managed connectors are never counted as creators.
 *   https://kafka.apache.org/documentation/#connect_configuring
 */
export function connectorCreatesTopics(config: Record<string, unknown>): boolean {
    const cls = String(config["connector.class"] ?? "");
    if (cls === MANAGED_MYSQL_CDC || MANAGED_SINKS.includes(cls)) return false;
    return config["topic.creation.default.replication.factor"] !== undefined && config["topic.creation.default.partitions"] !== undefined;
}

/** Topics the connector writes that are neither created beforehand nor creatable by it. */
export function uncreatedConnectorTopics(config: Record<string, unknown>, created: ReadonlySet<string>, connectorId?: string): WrittenTopic[] {
    if (connectorCreatesTopics(config)) return [];
    return connectorWrittenTopics(config, connectorId).filter((t) => !created.has(t.topic));
}

/** One line per missing topic, naming the connector, the topic and why it is written. */
export function describeUncreatedTopics(connectorName: string, missing: readonly WrittenTopic[]): string[] {
    return missing.map((t) => `connector ${connectorName} writes ${t.role} topic "${t.topic}", which is neither created beforehand nor creatable by the connector`);
}
