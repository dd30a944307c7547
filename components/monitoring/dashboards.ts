// Pure Grafana JSON: dashboards generated from the catalog and the monitored estate, and the
// query -> reduce -> threshold stages of an alert rule. Target-agnostic: the same builders serve
// Grafana Cloud and the local Grafana; only the metrics vocabulary differs.
import { DERIVED_TOPICS, DOMAINS, STREAMS_APPS, allTopics, cdcTopics, derivedTopicName, streamsApplicationId } from "../catalog";
import { AlertRule, MonitoredEstate } from "./alerts";
import { MetricsSource, STREAMS_STATUS_LABEL, exactAlternation, sinkConsumerGroup, vocabulary } from "./metricsVocabulary";
import { streamsAppMetrics, streamsCloudwatchNamespace } from "./streamsMetrics";

/** Grafana's dashboard schema version these models follow (Grafana 11). */
export const DASHBOARD_SCHEMA_VERSION = 39;
/** Server-side expressions (reduce, threshold) run on this pseudo data source. */
export const EXPRESSION_DATASOURCE_UID = "__expr__";

export interface PanelTarget {
    refId: string;
    expr: string;
    legendFormat: string;
}

export interface DashboardModel {
    uid: string;
    title: string;
    json: Record<string, unknown>;
}

interface PanelSpec {
    title: string;
    type: "timeseries" | "stat";
    unit: string;
    targets: Omit<PanelTarget, "refId">[];
}

const RATE_WINDOW_MINUTES = 5;
const perMinute = (windowTotal: string) => `(${windowTotal}) / ${RATE_WINDOW_MINUTES}`;

function dashboard(uid: string, title: string, tags: string[], panels: PanelSpec[], dataSourceUid: string): DashboardModel {
    const datasource = { type: "prometheus", uid: dataSourceUid };
    const width = 12;
    const height = 8;
    return {
        uid,
        title,
        json: {
            uid,
            title,
            tags: ["lifesci", ...tags],
            timezone: "utc",
            editable: false,
            schemaVersion: DASHBOARD_SCHEMA_VERSION,
            version: 1,
            refresh: "1m",
            time: { from: "now-6h", to: "now" },
            panels: panels.map((p, i) => ({
                id: i + 1,
                type: p.type,
                title: p.title,
                datasource,
                gridPos: { x: (i % 2) * width, y: Math.floor(i / 2) * height, w: width, h: height },
                fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
                options: {},
                targets: p.targets.map((t, j) => ({ refId: String.fromCharCode(65 + j), datasource, ...t })),
            })),
        },
    };
}

/** Grafana limits dashboard uids to 40 characters. */
function dashboardUid(namePrefix: string, slug: string): string {
    const uid = `${namePrefix}-${slug}`;
    if (uid.length > 40) throw new Error(`dashboard uid "${uid}" is longer than Grafana's 40 characters; shorten the stack name`);
    return uid;
}

/** Every dashboard for the estate, in a stable order. */
export function buildDashboards(
    source: MetricsSource,
    estate: MonitoredEstate,
    namePrefix: string,
    dataSourceUid: string,
): DashboardModel[] {
    const m = vocabulary(source, estate.kafkaClusterId);
    const dashboards: DashboardModel[] = [];

    const throughput: PanelSpec[] = allTopics(estate.basePrefix).map((topic) => ({
        title: `${topic.name} records/min in/out`,
        type: "timeseries",
        unit: "short",
        targets: [
            { expr: perMinute(m.topicRecordsIn([topic.name], RATE_WINDOW_MINUTES)), legendFormat: "in" },
            { expr: perMinute(m.topicRecordsOut([topic.name], RATE_WINDOW_MINUTES)), legendFormat: "out" },
        ],
    }));
    if (m.topicBytesIn && m.topicBytesOut) {
        const topics = allTopics(estate.basePrefix).map((t) => t.name);
        throughput.unshift({
            title: "All platform topics bytes/min in/out",
            type: "timeseries",
            unit: "bytes",
            targets: [
                { expr: perMinute(m.topicBytesIn(topics, RATE_WINDOW_MINUTES)), legendFormat: "in" },
                { expr: perMinute(m.topicBytesOut(topics, RATE_WINDOW_MINUTES)), legendFormat: "out" },
            ],
        });
    }
    dashboards.push(dashboard(dashboardUid(namePrefix, "throughput"), `${namePrefix} topic throughput`, ["throughput"], throughput, dataSourceUid));

    const groupLegend = source === "confluent-cloud" ? "{{consumer_group_id}} {{topic}}" : "{{consumergroup}} {{topic}}";
    const lag: PanelSpec[] = [
        ...DOMAINS.map((d) => ({ name: d.name, topics: cdcTopics(estate.basePrefix, d).map((t) => t.name) })),
        { name: "derived", topics: DERIVED_TOPICS.map((d) => derivedTopicName(estate.basePrefix, d.suffix)) },
    ].map(({ name, topics }) => ({
        title: `Consumer lag on ${name} topics`,
        type: "timeseries" as const,
        unit: "short",
        targets: [{ expr: m.consumerLag(topics), legendFormat: groupLegend }],
    }));
    for (const sink of estate.connectors.filter((c) => c.kind === "sink")) {
        lag.push({
            title: `Consumer lag of sink ${sink.name}`,
            type: "timeseries",
            unit: "short",
            targets: [{ expr: m.consumerGroupLag(exactAlternation([sinkConsumerGroup(source, sink)])), legendFormat: groupLegend }],
        });
    }
    lag.push({
        title: "Consumer lag of ksqlDB queries",
        type: "timeseries",
        unit: "short",
        targets: [{ expr: m.consumerGroupLag("_confluent-ksql-.*"), legendFormat: groupLegend }],
    });
    for (const app of STREAMS_APPS) {
        lag.push({
            title: `Consumer lag of Kafka Streams app ${app.name}`,
            type: "timeseries",
            unit: "short",
            targets: [{ expr: m.consumerGroupLag(exactAlternation([streamsApplicationId(estate.basePrefix, app)])), legendFormat: groupLegend }],
        });
    }
    dashboards.push(dashboard(dashboardUid(namePrefix, "consumer-lag"), `${namePrefix} consumer lag`, ["lag"], lag, dataSourceUid));

    // Each Streams app: its batches by release status (the app's own gauges), what it writes (status
    // changes, overdue batches, dead letters) and how far behind it is.
    const streams: PanelSpec[] = STREAMS_APPS.flatMap((app) => [
        ...(() => {
            const ref = { metrics: streamsAppMetrics(app), cloudwatchNamespace: streamsCloudwatchNamespace(namePrefix) };
            return [
                {
                    title: `${app.name}: batches by release status`,
                    type: "timeseries" as const,
                    unit: "short",
                    targets: [{ expr: m.streamsBatchesByStatus(ref), legendFormat: `{{${STREAMS_STATUS_LABEL}}}` }],
                },
                {
                    title: `${app.name}: overdue batches (completed, not READY)`,
                    type: "stat" as const,
                    unit: "short",
                    targets: [{ expr: m.streamsOverdueBatches(ref), legendFormat: "overdue" }],
                },
            ];
        })(),
        {
            title: `${app.name}: consumer lag`,
            type: "timeseries" as const,
            unit: "short",
            targets: [{ expr: m.consumerGroupLag(exactAlternation([streamsApplicationId(estate.basePrefix, app)])), legendFormat: groupLegend }],
        },
        ...app.outputs.map((o) => ({
            title: `${app.name}: ${o.suffix} records/min`,
            type: "timeseries" as const,
            unit: "short",
            targets: [{ expr: perMinute(m.topicRecordsIn([derivedTopicName(estate.basePrefix, o.suffix)], RATE_WINDOW_MINUTES)), legendFormat: o.env }],
        })),
    ]);
    if (streams.length > 0) dashboards.push(dashboard(dashboardUid(namePrefix, "streams"), `${namePrefix} Kafka Streams apps`, ["streams"], streams, dataSourceUid));

    const connectors: PanelSpec[] = [];
    for (const c of estate.connectors) {
        connectors.push({
            title: `${c.name} (${c.id}) running`,
            type: "stat",
            unit: "bool_yes_no",
            targets: [{ expr: m.connectorRunning(c), legendFormat: c.name }],
        });
        const records = [{ expr: perMinute(m.connectorRecords(c, c.kind === "source" ? "out" : "in", RATE_WINDOW_MINUTES)), legendFormat: "records/min" }];
        if (c.kind === "sink") {
            records.push({ expr: perMinute(m.dlqRecords(c, RATE_WINDOW_MINUTES)), legendFormat: "DLQ records/min" });
            records.push({ expr: m.sinkErrors(c, RATE_WINDOW_MINUTES), legendFormat: "errors" });
        }
        connectors.push({ title: `${c.name} records and errors`, type: "timeseries", unit: "short", targets: records });
    }
    if (connectors.length > 0) {
        dashboards.push(dashboard(dashboardUid(namePrefix, "connectors"), `${namePrefix} connectors`, ["connectors"], connectors, dataSourceUid));
    }

    if (m.ksqlSaturation && m.ksqlStreamingUnits) {
        dashboards.push(
            dashboard(
                dashboardUid(namePrefix, "ksqldb"),
                `${namePrefix} ksqlDB`,
                ["ksqldb"],
                [
                    { title: "Query saturation", type: "timeseries", unit: "percentunit", targets: [{ expr: m.ksqlSaturation(estate.ksqlClusterIds), legendFormat: "{{ksql_id}}" }] },
                    { title: "Streaming units", type: "stat", unit: "short", targets: [{ expr: m.ksqlStreamingUnits(estate.ksqlClusterIds), legendFormat: "{{ksql_id}}" }] },
                ],
                dataSourceUid,
            ),
        );
    }

    if (m.rdsCpuPercent && m.rdsFreeStorageGb && m.rdsBinlogDiskUsageGb && m.rdsConnections && estate.rdsInstanceIds.length > 0) {
        const rds: PanelSpec[] = estate.rdsInstanceIds.flatMap((id) => [
            { title: `${id} CPU`, type: "timeseries" as const, unit: "percent", targets: [{ expr: m.rdsCpuPercent!(id), legendFormat: "cpu" }] },
            {
                title: `${id} storage (GiB)`,
                type: "timeseries" as const,
                unit: "decgbytes",
                targets: [
                    { expr: m.rdsFreeStorageGb!(id), legendFormat: "free" },
                    { expr: m.rdsBinlogDiskUsageGb!(id), legendFormat: "binlog" },
                ],
            },
            { title: `${id} connections`, type: "timeseries" as const, unit: "short", targets: [{ expr: m.rdsConnections!(id), legendFormat: "connections" }] },
        ]);
        dashboards.push(dashboard(dashboardUid(namePrefix, "rds"), `${namePrefix} RDS MySQL`, ["rds"], rds, dataSourceUid));
    }
    return dashboards;
}

/** Every PromQL expression in a dashboard, for validation. */
export function dashboardExpressions(model: DashboardModel): string[] {
    const panels = model.json.panels as { targets: PanelTarget[] }[];
    return panels.flatMap((p) => p.targets.map((t) => t.expr));
}

export interface GrafanaRuleStage {
    refId: string;
    datasourceUid: string;
    relativeTimeRange: { from: number; to: number };
    model: string;
}

/** The three stages of a Grafana-managed rule: A = PromQL, B = reduce(A, last), C = threshold(B). */
export function grafanaRuleStages(rule: AlertRule, dataSourceUid: string): GrafanaRuleStage[] {
    const expression = { type: "__expr__", uid: EXPRESSION_DATASOURCE_UID };
    return [
        {
            refId: "A",
            datasourceUid: dataSourceUid,
            relativeTimeRange: { from: 600, to: 0 },
            model: JSON.stringify({
                refId: "A",
                datasource: { type: "prometheus", uid: dataSourceUid },
                expr: rule.query,
                instant: true,
                range: false,
                intervalMs: 60000,
                maxDataPoints: 43200,
            }),
        },
        {
            refId: "B",
            datasourceUid: EXPRESSION_DATASOURCE_UID,
            relativeTimeRange: { from: 0, to: 0 },
            model: JSON.stringify({ refId: "B", datasource: expression, type: "reduce", expression: "A", reducer: "last", settings: { mode: "dropNN" } }),
        },
        {
            refId: "C",
            datasourceUid: EXPRESSION_DATASOURCE_UID,
            relativeTimeRange: { from: 0, to: 0 },
            model: JSON.stringify({
                refId: "C",
                datasource: expression,
                type: "threshold",
                expression: "B",
                conditions: [{ evaluator: { type: rule.op === ">" ? "gt" : "lt", params: [rule.threshold] } }],
            }),
        },
    ];
}
