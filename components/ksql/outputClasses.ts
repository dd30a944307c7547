// What each ksqlDB app statement feeds, classed from the catalog, and the statement specs the
// REST provider deploys (statement text plus output classes and source retention, so the
// provider and the offline plan can say what a rebuild does to each output). Pure.
import { AUDIT_ARCHIVE_SUFFIXES, DERIVED_TOPICS, DOMAINS, TopicSpec, WAREHOUSE_TABLES, allTopics, derivedTopicName } from "../catalog";
import type { TopicsConfig } from "../config";
import type { KsqlAppSql, KsqlStatement } from "./appReader";
import type { KsqlOutputClass, KsqlStatementSource, KsqlStatementSpec } from "./provider";

export const KSQL_OUTPUT_CLASSES: readonly KsqlOutputClass[] = ["alerting", "immutable-archive", "warehouse", "table-state"];

/**
 * Classes of a topic a statement writes: alerting (an alert intent fires on its records),
 * immutable-archive (copied into the object-locked audit bucket), warehouse (a Snowflake table
 * loads it), table-state (a ksqlDB table feeding none of these: recomputing it converges).
 */
export function outputClasses(basePrefix: string, topic: string, objectType: "STREAM" | "TABLE"): KsqlOutputClass[] {
    const derived = DERIVED_TOPICS.find((d) => derivedTopicName(basePrefix, d.suffix) === topic);
    const classes: KsqlOutputClass[] = [];
    if (derived?.alert) classes.push("alerting");
    if (derived && AUDIT_ARCHIVE_SUFFIXES.includes(derived.suffix)) classes.push("immutable-archive");
    if (derived && WAREHOUSE_TABLES.some((t) => t.source.kind === "ksql" && t.source.suffix === derived.suffix)) classes.push("warehouse");
    if (classes.length === 0 && objectType === "TABLE") classes.push("table-state");
    return classes;
}

/** Hours a topic keeps records under the stack's settings; undefined: forever. */
export function retentionHoursOf(topic: TopicSpec, cfg: TopicsConfig): number | undefined {
    if (topic.retention === "schema-history") return undefined;
    return topic.retention === "audit" ? cfg.auditRetentionDays * 24 : cfg.retentionHours;
}

/** How a reviewer names a topic: `lims.test_results` for CDC topics, the suffix for derived ones. */
function topicLabel(basePrefix: string, topic: TopicSpec): string {
    if (topic.domain && topic.table) return `${DOMAINS.find((d) => d.name === topic.domain)!.database}.${topic.table}`;
    return topic.name.startsWith(`${basePrefix}.`) ? topic.name.slice(basePrefix.length + 1) : topic.name;
}

/** The provider's view of every statement of an app. Fails naming the statement when a topic is not in the catalog. */
export function ksqlStatementSpecs(appSql: KsqlAppSql, basePrefix: string, topicsCfg: TopicsConfig): KsqlStatementSpec[] {
    const topics = allTopics(basePrefix);
    const byName = (name: string) => appSql.statements.find((s) => s.kind !== "insert" && s.name === name);
    const topicOf = (s: KsqlStatement | undefined, where: string): TopicSpec => {
        const topic = topics.find((t) => t.name === s?.kafkaTopic);
        if (!topic) throw new Error(`${appSql.file} statement ${where}: topic ${s?.kafkaTopic ?? "(none)"} is not a catalog topic`);
        return topic;
    };
    return appSql.statements.map((s) => {
        const spec: KsqlStatementSpec = { name: s.name, kind: s.kind, objectType: s.objectType, sql: s.sql, reads: s.reads.map((r) => r.name) };
        if (s.kind === "source") return spec;
        const where = `${s.index} (${s.name})`;
        const target = s.kind === "insert" ? byName(s.name) : s;
        const output = topicOf(target, where);
        const sources: KsqlStatementSource[] = s.reads.map((r) => {
            const topic = topicOf(byName(r.name), where);
            return { label: topicLabel(basePrefix, topic), retentionHours: retentionHoursOf(topic, topicsCfg) };
        });
        return { ...spec, output: { topic: topicLabel(basePrefix, output), classes: outputClasses(basePrefix, output.name, target!.objectType) }, sources };
    });
}
