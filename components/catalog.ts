// The catalog: everything the platform moves, declared once. Cloud components and the
// local stack are both built from it. Pure data and pure helpers only: no resources, no I/O.
// Adding a captured table = one entry here + a migration in sql/mysql/<domain>/ (V

export type DomainName = "sap" | "lims" | "mes" | "screening";

export interface CapturedTable {
    /** Table name in the domain's MySQL database. */
    name: string;
    /** Primary key columns; they become the Kafka message key. */
    primaryKey: readonly string[];
    description: string;
}

export interface Domain {
    name: DomainName;
    /** MySQL database (schema) that holds the domain's tables. */
    database: string;
    description: string;
    tables: readonly CapturedTable[];
}

/**
 * How long a topic keeps data. `standard`: the configured topic retention (CDC and curated
 * topics); `audit`: the longer audit retention; `schema-history`: forever, because Debezium
 * replays it to rebuild its schema view; `heartbeat`: HEARTBEAT_RETENTION_MS, since only the
 * latest heartbeat matters; `signal`: SIGNAL_RETENTION_MS, the signal table's own change events.
 */
export type RetentionClass = "standard" | "audit" | "schema-history" | "heartbeat" | "signal";

/** Heartbeats only move the connector's offsets forward; a day of them is plenty. */
export const HEARTBEAT_RETENTION_MS = 86_400_000;

/**
 * The signal topic carries the signal table's rows (execute-snapshot signals, incremental
 * snapshot watermarks): no business records and no reader; a day is enough to inspect a backfill.
 */
export const SIGNAL_RETENTION_MS = 86_400_000;

/** `retention.ms` of a retention class under the stack's topic settings (-1: forever). Cloud and local both use it. */
export function retentionMsOf(retention: RetentionClass, cfg: { retentionHours: number; auditRetentionDays: number }): number {
    switch (retention) {
        case "schema-history":
            return -1;
        case "heartbeat":
            return HEARTBEAT_RETENTION_MS;
        case "signal":
            return SIGNAL_RETENTION_MS;
        case "audit":
            return cfg.auditRetentionDays * 86_400_000;
        case "standard":
            return cfg.retentionHours * 3_600_000;
    }
}

/** The ksqlDB apps of sql/ksqldb/ (one file each): the names KSQL_APPS declares. */
export type KsqlAppName = (typeof KSQL_APPS)[number]["name"];

export interface TopicSpec {
    name: string;
    retention: RetentionClass;
    /** Fixed partition count; otherwise the configured default. */
    partitions?: number;
    domain?: DomainName;
    table?: string;
    /** The ksqlDB app that writes a derived topic. */
    producedBy?: KsqlAppName;
    /** The Kafka Streams app that writes it (STREAMS_APPS). */
    streamsApp?: StreamsAppName;
    /** `cleanup.policy=compact`: the topic keeps the latest record per key instead of expiring by time. */
    compacted?: boolean;
    description: string;
}

/** Kafka topic `cleanup.policy` of a catalog topic; cloud and local both use it. */
export function cleanupPolicyOf(topic: Pick<TopicSpec, "compacted">): "compact" | "delete" {
    return topic.compacted ? "compact" : "delete";
}

/** A topic a ksqlDB app writes, declared with the app (KSQL_APPS `outputs`). */
export interface KsqlAppOutput {
    /** Appended to the topic prefix: `<prefix>.<suffix>`. */
    suffix: string;
    retention: RetentionClass;
    description: string;
    /** The alert intent (components/alerts.ts key) that fires on records of this topic. */
    alert?: string;
}

/** A ksqlDB app's output with the app that writes it. */
export interface DerivedTopic extends KsqlAppOutput {
    producedBy: KsqlAppName;
}

export const DOMAINS: readonly Domain[] = [
    {
        name: "sap",
        database: "sap_orders",
        description: "SAP sales orders, order items and material master",
        tables: [
            { name: "sales_orders", primaryKey: ["order_id"], description: "Sales order headers with status" },
            { name: "order_items", primaryKey: ["order_id", "item_no"], description: "Order line items" },
            { name: "materials", primaryKey: ["material_id"], description: "Material master" },
        ],
    },
    {
        name: "lims",
        database: "lims",
        description: "LIMS / WFX samples, specification limits and test results",
        tables: [
            { name: "samples", primaryKey: ["sample_id"], description: "Registered samples per batch" },
            { name: "spec_limits", primaryKey: ["spec_id"], description: "Specification limits per material and test" },
            { name: "test_results", primaryKey: ["result_id"], description: "Measured test results" },
        ],
    },
    {
        name: "mes",
        database: "mes",
        description: "Manufacturing execution: batches and machine events",
        tables: [
            { name: "batches", primaryKey: ["batch_id"], description: "Production batches" },
            { name: "machine_events", primaryKey: ["event_id"], description: "Shop-floor machine events and alarms" },
        ],
    },
    {
        name: "screening",
        database: "screening",
        description: "High-throughput screening runs and assay results",
        tables: [
            { name: "screening_runs", primaryKey: ["run_id"], description: "Screening runs" },
            { name: "assay_results", primaryKey: ["run_id", "plate_barcode", "well"], description: "Per-well assay readouts" },
        ],
    },
];


export function domainByName(name: string): Domain {
    const domain = DOMAINS.find((d) => d.name === name);
    if (!domain) throw new Error(`unknown domain "${name}"; the catalog has ${DOMAINS.map((d) => d.name).join(", ")}`);
    return domain;
}

/** The CDC connector's `topic.prefix` for a domain: unique per connector, as Debezium requires. */
export function cdcTopicPrefix(basePrefix: string, domain: Domain): string {
    return `${basePrefix}.${domain.name}`;
}

/** `<prefix>.<database>.<table>`, the topic Debezium writes a table's changes to. */
export function topicName(basePrefix: string, domain: Domain, table: string): string {
    if (!domain.tables.some((t) => t.name === table)) {
        throw new Error(`table "${table}" is not captured in domain ${domain.name}`);
    }
    return `${cdcTopicPrefix(basePrefix, domain)}.${domain.database}.${table}`;
}

/**
 * The CDC connectors' `topic.heartbeat.prefix`: inside the platform's prefix, so the topics are
 * ours to create and grant (the managed default `__debezium-heartbeat-<lcc-id>` is not; decisions.md D15-2).
 */
export function heartbeatTopicPrefix(basePrefix: string): string {
    return `${basePrefix}.heartbeat`;
}

/**
 * Where a domain's CDC connector sends heartbeats: Debezium names the topic
 * `<topic.heartbeat.prefix>.<topic.prefix>` (https://debezium.io/documentation/reference/stable/connectors/mysql.html#mysql-property-topic-heartbeat-prefix).
 * They carry no business records: no sink, ksqlDB app or record-counting alert reads them.
 */
export function heartbeatTopicName(basePrefix: string, domain: Domain): string {
    return `${heartbeatTopicPrefix(basePrefix)}.${cdcTopicPrefix(basePrefix, domain)}`;
}

/**
 * The Debezium signal table of every captured database (the SQL bootstrap creates it, the CDC
 * connector names it in `signal.data.collection`).
 */
export const SIGNAL_TABLE = "lifesci_cdc_signal";

/**
 * Where a domain's CDC connector streams its signal table's rows: Debezium adds the signal table
 * to its capture filter, so the execute-snapshot rows and the incremental snapshot's watermark
 * inserts/deletes go to `<topic.prefix>.<db>.<signal table>` like a captured table's changes.
 * https://debezium.io/documentation/reference/stable/configuration/signalling.html
 * https://debezium.io/documentation/reference/stable/connectors/mysql.html#mysql-incremental-snapshots
 * No sink, ksqlDB app or record-counting alert reads it.
 */
export function signalTopicName(basePrefix: string, domain: Domain): string {
    return `${cdcTopicPrefix(basePrefix, domain)}.${domain.database}.${SIGNAL_TABLE}`;
}

/** The Debezium schema history topic of a domain's connector. */
export function schemaHistoryTopic(basePrefix: string, domain: Domain): string {
    return `dbhistory.${cdcTopicPrefix(basePrefix, domain)}`;
}

/** `database.table` list for the connector's `table.include.list`. */
export function tableIncludeList(domain: Domain): string {
    return domain.tables.map((t) => `${domain.database}.${t.name}`).join(",");
}

export function cdcTopics(basePrefix: string, domain: Domain): TopicSpec[] {
    return domain.tables.map((t) => ({
        name: topicName(basePrefix, domain, t.name),
        retention: "standard" as const,
        domain: domain.name,
        table: t.name,
        description: `CDC changes of ${domain.database}.${t.name}`,
    }));
}

export function derivedTopicName(basePrefix: string, suffix: string): string {
    return `${basePrefix}.${suffix}`;
}

/** Every topic the platform creates, in a stable order. */
export function allTopics(basePrefix: string): TopicSpec[] {
    const topics: TopicSpec[] = [];
    for (const domain of DOMAINS) {
        topics.push(...cdcTopics(basePrefix, domain));
        topics.push({
            name: schemaHistoryTopic(basePrefix, domain),
            retention: "schema-history",
            // Debezium requires a single partition so the DDL history stays in order.
            partitions: 1,
            domain: domain.name,
            description: `Debezium schema history of ${domain.database}`,
        });
        topics.push({
            name: heartbeatTopicName(basePrefix, domain),
            retention: "heartbeat",
            partitions: 1,
            domain: domain.name,
            description: `CDC connector heartbeats of ${domain.database} (offsets move on while the tables are quiet; no business records)`,
        });
        topics.push({
            name: signalTopicName(basePrefix, domain),
            retention: "signal",
            partitions: 1,
            domain: domain.name,
            description: `Rows of ${domain.database}.${SIGNAL_TABLE} as the CDC connector captures them (backfill signals and snapshot watermarks; no business records)`,
        });
    }
    for (const derived of DERIVED_TOPICS) {
        topics.push({
            name: derivedTopicName(basePrefix, derived.suffix),
            retention: derived.retention,
            producedBy: derived.producedBy,
            description: derived.description,
        });
    }
    topics.push(...sinkDlqTopics(basePrefix));
    for (const app of STREAMS_APPS) topics.push(...streamsAppTopics(basePrefix, app));
    return topics;
}

// ---------------------------------------------------------------------------------------------
// Sinks: which topics leave Kafka, and where they land. The lake, warehouse and sink
// connectors are built from these declarations only.

/** The managed sink connectors; each owns one dead-letter topic `<prefix>.dlq.<sink>`. */
export type SinkName = "s3-raw" | "s3-audit" | "snowflake-cdc" | "snowflake-curated" | "snowflake-streams";
export const SINK_NAMES: readonly SinkName[] = ["s3-raw", "s3-audit", "snowflake-cdc", "snowflake-curated", "snowflake-streams"];

/** Derived topics archived unchanged in the object-locked audit bucket. */
export const AUDIT_ARCHIVE_SUFFIXES: readonly string[] = ["audit.cdc_changes"];

/** A column of a ksqlDB output, declared here because its schema is not in MySQL DDL. */
export interface KsqlOutputColumn {
    name: string;
    /** ksqlDB SQL type: BIGINT, INT, DOUBLE, BOOLEAN, STRING, DATE, TIMESTAMP, DECIMAL(p,s). */
    type: string;
}

export type WarehouseSource =
    /** Current row state of a captured table (the Debezium envelope is unwrapped on the way). */
    | { kind: "cdc"; domain: DomainName; table: string }
    /** A ksqlDB output topic with its declared value columns (ksqlDB value columns are nullable). */
    | { kind: "ksql"; suffix: string; columns: readonly KsqlOutputColumn[] }
    /**
     * A Kafka Streams app's output (STREAMS_APPS, by its env variable) with the columns of its JSON
     * value: one per top-level field (types in ksqlDB SQL terms, mapped like the ksqlDB ones).
     */
    | { kind: "streams"; app: StreamsAppName; env: string; columns: readonly KsqlOutputColumn[] };

export interface WarehouseTable {
    /** Snowflake table name (upper case, unquoted identifier). */
    name: string;
    /** `cdc` tables go to the CDC schema, `ksql` and `streams` tables to the CURATED schema. */
    source: WarehouseSource;
    description: string;
}

/** Topics that land in Snowflake, one table each. */
export const WAREHOUSE_TABLES: readonly WarehouseTable[] = [
    { name: "SAP_SALES_ORDERS", source: { kind: "cdc", domain: "sap", table: "sales_orders" }, description: "Sales orders, current state" },
    { name: "LIMS_SPEC_LIMITS", source: { kind: "cdc", domain: "lims", table: "spec_limits" }, description: "Specification limits, current state" },
    { name: "LIMS_TEST_RESULTS", source: { kind: "cdc", domain: "lims", table: "test_results" }, description: "Test results, current state" },
    { name: "MES_BATCHES", source: { kind: "cdc", domain: "mes", table: "batches" }, description: "Production batches, current state" },
    {
        name: "LAB_RESULTS_OOS",
        description: "Lab results outside their specification limits",
        source: {
            kind: "ksql",
            suffix: "ksql.lab_results_oos",
            columns: [
                { name: "RESULT_ID", type: "BIGINT" },
                { name: "SAMPLE_ID", type: "BIGINT" },
                { name: "TEST_CODE", type: "STRING" },
                { name: "RESULT_VALUE", type: "DECIMAL(18,6)" },
                { name: "LOWER_LIMIT", type: "DECIMAL(18,6)" },
                { name: "UPPER_LIMIT", type: "DECIMAL(18,6)" },
                { name: "UNIT", type: "STRING" },
                { name: "SPEC_VERSION", type: "INT" },
                { name: "ANALYST", type: "STRING" },
                { name: "MEASURED_AT", type: "TIMESTAMP" },
            ],
        },
    },
    {
        name: "ORDERS_STUCK",
        description: "Orders that stayed in one status past the SLA",
        source: {
            kind: "ksql",
            suffix: "ksql.orders_stuck",
            columns: [
                { name: "ORDER_ID", type: "BIGINT" },
                { name: "ORDER_NUMBER", type: "STRING" },
                { name: "PLANT", type: "STRING" },
                { name: "CUSTOMER_ID", type: "STRING" },
                { name: "STUCK_STATUS", type: "STRING" },
                { name: "MINUTES_IN_STATUS", type: "BIGINT" },
                { name: "SLA_MINUTES", type: "INT" },
                { name: "DETECTED_AT", type: "TIMESTAMP" },
            ],
        },
    },
    {
        name: "MACHINE_ALARMS",
        description: "Machine events of severity ALARM or CRITICAL",
        source: {
            kind: "ksql",
            suffix: "ksql.machine_alarms",
            columns: [
                { name: "EVENT_ID", type: "BIGINT" },
                { name: "MACHINE_ID", type: "STRING" },
                { name: "LINE_ID", type: "STRING" },
                { name: "BATCH_NUMBER", type: "STRING" },
                { name: "EVENT_TYPE", type: "STRING" },
                { name: "SEVERITY", type: "STRING" },
                { name: "PARAMETER_NAME", type: "STRING" },
                { name: "PARAMETER_VALUE", type: "DECIMAL(18,6)" },
                { name: "UNIT", type: "STRING" },
                { name: "MESSAGE", type: "STRING" },
                { name: "OCCURRED_AT", type: "TIMESTAMP" },
            ],
        },
    },
    {
        // Every status change of every batch (the topic is compacted, the table keeps history):
        // the current status of a batch is its row with the latest DECIDED_AT.
        name: "BATCH_RELEASE_STATUS",
        description: "Batch release readiness per batch (READY, BLOCKED with reasons, PENDING), every decision",
        source: {
            kind: "streams",
            app: "batch_release",
            env: "TOPIC_STATUS",
            // The app's JSON status value (streams/batch-release README, "Output records").
            columns: [
                { name: "BATCH_NUMBER", type: "STRING" },
                { name: "BATCH_ID", type: "BIGINT" },
                { name: "MATERIAL_ID", type: "STRING" },
                { name: "PLANT", type: "STRING" },
                { name: "LINE_ID", type: "STRING" },
                { name: "BATCH_STATUS", type: "STRING" },
                { name: "STATUS", type: "STRING" },
                { name: "REASON_CODES", type: "STRING" },
                { name: "REASON_SUMMARY", type: "STRING" },
                // The reasons array as JSON text ([{code, test_code|event_id, ..., text}]).
                { name: "REASONS", type: "STRING" },
                { name: "REQUIRED_TESTS", type: "INT" },
                { name: "TESTS_IN_SPEC", type: "INT" },
                { name: "STARTED_AT", type: "TIMESTAMP" },
                { name: "COMPLETED_AT", type: "TIMESTAMP" },
                { name: "DECIDED_AT", type: "TIMESTAMP" },
                { name: "SOURCE_TS", type: "TIMESTAMP" },
            ],
        },
    },
];

/** The dead-letter topic of a sink connector. */
export function dlqTopicName(basePrefix: string, sink: SinkName): string {
    return `${basePrefix}.dlq.${sink}`;
}

/** Every CDC topic: the raw lake keeps all of them. */
export function rawLakeTopics(basePrefix: string): string[] {
    return DOMAINS.flatMap((d) => cdcTopics(basePrefix, d).map((t) => t.name));
}

export function auditArchiveTopics(basePrefix: string): string[] {
    for (const suffix of AUDIT_ARCHIVE_SUFFIXES) requireDerivedTopic(suffix, "AUDIT_ARCHIVE_SUFFIXES");
    return AUDIT_ARCHIVE_SUFFIXES.map((suffix) => derivedTopicName(basePrefix, suffix));
}

function requireDerivedTopic(suffix: string, where: string): void {
    if (!DERIVED_TOPICS.some((d) => d.suffix === suffix)) {
        throw new Error(`catalog ${where}: "${suffix}" is not a derived topic; DERIVED_TOPICS has ${DERIVED_TOPICS.map((d) => d.suffix).join(", ")}`);
    }
}

/** The topic a warehouse table is loaded from; fails naming the table if the catalog does not declare it. */
export function warehouseTopic(basePrefix: string, table: WarehouseTable): string {
    const source = table.source;
    if (source.kind === "cdc") {
        const domain = DOMAINS.find((d) => d.name === source.domain);
        if (!domain) throw new Error(`catalog WAREHOUSE_TABLES ${table.name}: unknown domain "${source.domain}"`);
        if (!domain.tables.some((t) => t.name === source.table)) {
            throw new Error(`catalog WAREHOUSE_TABLES ${table.name}: table "${source.table}" is not captured in domain ${domain.name}`);
        }
        return topicName(basePrefix, domain, source.table);
    }
    if (source.kind === "streams") {
        const app = STREAMS_APPS.find((a) => a.name === source.app);
        if (!app) throw new Error(`catalog WAREHOUSE_TABLES ${table.name}: unknown Kafka Streams app "${source.app}"`);
        return streamsOutputTopic(basePrefix, app, source.env);
    }
    requireDerivedTopic(source.suffix, `WAREHOUSE_TABLES ${table.name}`);
    return derivedTopicName(basePrefix, source.suffix);
}

/** The Snowflake schema a warehouse table lives in: CDC for row state, CURATED for app outputs (ksqlDB, Kafka Streams). */
export function warehouseSchemaKind(table: WarehouseTable): "cdc" | "ksql" {
    return table.source.kind === "cdc" ? "cdc" : "ksql";
}

/** Topics that carry errors of the sinks, created like every other topic. */
export function sinkDlqTopics(basePrefix: string): TopicSpec[] {
    return SINK_NAMES.map((sink) => ({
        name: dlqTopicName(basePrefix, sink),
        retention: "standard" as const,
        description: `Records the ${sink} sink connector could not write (errors.tolerance=all)`,
    }));
}

/** A captured table an app reads, by domain and table name. */
export interface TableRef {
    domain: DomainName;
    table: string;
}

/**
 * A ksqlDB app as declared: its SQL file in sql/ksqldb/, the CDC tables it reads and the topics it
 * writes. Adding an app is one entry in KSQL_APPS plus its SQL file (README "Adding a ksqlDB app"):
 * its name, topics, grants, deployment, contracts and docs all follow from the entry.
 */
export interface KsqlAppDeclaration {
    /** lower_snake_case; names the deployment and the `ksqldb.allowReplay` entry. */
    name: string;
    /** SQL file under sql/ksqldb/. */
    file: string;
    description: string;
    inputs: readonly TableRef[];
    /** Topics it writes (created and owned by the platform), in the order the SQL creates them. */
    outputs: readonly KsqlAppOutput[];
}

export type KsqlApp = KsqlAppDeclaration & { name: KsqlAppName };

/** Keeps each declared name a literal type, so KsqlAppName is derived from the list. */
function declareKsqlApps<const T extends readonly KsqlAppDeclaration[]>(apps: T): T {
    return apps;
}

const everyCapturedTable: TableRef[] = DOMAINS.flatMap((d) => d.tables.map((t) => ({ domain: d.name, table: t.name })));

/** The apps in deployment order. */
export const KSQL_APPS = declareKsqlApps([
    {
        name: "order_monitoring",
        file: "order_monitoring.sql",
        description: "Order status changes per plant in 5-minute windows; orders stuck in a status past the SLA",
        inputs: [{ domain: "sap", table: "sales_orders" }],
        outputs: [
            {
                suffix: "ksql.orders_by_status_5m",
                retention: "standard",
                description: "Order counts per plant and status over 5-minute tumbling windows",
            },
            {
                suffix: "ksql.orders_stuck",
                retention: "standard",
                description: "Orders that stayed in one status past the SLA",
            },
        ],
    },
    {
        name: "lab_validation",
        file: "lab_validation.sql",
        description: "Lab results joined with their specification limits; out-of-spec results",
        inputs: [
            { domain: "lims", table: "spec_limits" },
            { domain: "lims", table: "test_results" },
        ],
        outputs: [
            {
                // ksqlDB re-keys spec limits by spec_id itself: Debezium's AVRO keys carry a schema id in
                // their bytes, so a join against the CDC topic directly would not be co-partitioned.
                suffix: "ksql.lab_spec_limits",
                retention: "standard",
                description: "Latest specification limits per spec_id (ksqlDB table state for the OOS join)",
            },
            {
                suffix: "ksql.lab_results_oos",
                retention: "standard",
                description: "Lab results outside their specification limits (sample, test, value, limits, unit)",
                alert: "lab_out_of_spec",
            },
        ],
    },
    {
        name: "manufacturing_events",
        file: "manufacturing_events.sql",
        description: "Alarm-severity machine events and event counts per machine and line",
        inputs: [{ domain: "mes", table: "machine_events" }],
        outputs: [
            {
                suffix: "ksql.machine_alarms",
                retention: "standard",
                description: "Machine events of severity ALARM or CRITICAL",
                alert: "machine_alarms",
            },
            {
                suffix: "ksql.machine_event_counts_5m",
                retention: "standard",
                description: "Machine event counts per machine and line over 5-minute tumbling windows",
            },
        ],
    },
    {
        name: "audit_trail",
        file: "audit_trail.sql",
        description: "Every CDC change of every captured table into the audit topic",
        inputs: everyCapturedTable,
        outputs: [
            {
                suffix: "audit.cdc_changes",
                retention: "audit",
                description: "Every CDC change with operation, before/after, source position and commit time",
            },
        ],
    },
]);

/** Topics produced downstream of CDC by the ksqlDB apps (their declared outputs); the platform creates and owns them. */
export const DERIVED_TOPICS: readonly DerivedTopic[] = KSQL_APPS.flatMap((app) => app.outputs.map((output) => ({ ...output, producedBy: app.name })));

/** CDC topics an app reads. */
export function ksqlAppInputTopics(basePrefix: string, app: KsqlApp): string[] {
    return app.inputs.map((ref) => topicName(basePrefix, domainByName(ref.domain), ref.table));
}

/** Derived topics an app writes. */
export function ksqlAppOutputTopics(basePrefix: string, app: KsqlApp): string[] {
    return DERIVED_TOPICS.filter((t) => t.producedBy === app.name).map((t) => derivedTopicName(basePrefix, t.suffix));
}

// ---------------------------------------------------------------------------------------------
// Kafka Streams apps (streams/<app>/): the catalog tables they read, the topics they write, and
// the environment the app reads its configuration from. Cloud (ECS), local (Docker) and the e2e
// harness all build that environment with streamsAppEnvironment, so topic names exist once.

export type StreamsAppName = "batch_release";

/** An input of a Kafka Streams app: the CDC topic of a catalog table, passed in `env`. */
export interface StreamsInput {
    env: string;
    table: TableRef;
}

/** A topic a Kafka Streams app writes; the platform creates and owns it. */
export interface StreamsOutput {
    /** The environment variable the app reads the topic name from. */
    env: string;
    /** Appended to the topic prefix: `<prefix>.<suffix>`. */
    suffix: string;
    retention: RetentionClass;
    compacted?: boolean;
    /** The app's dead-letter topic: poison records with their reason. */
    deadLetter?: boolean;
    /** The alert intent that fires on records of this topic. */
    alert?: string;
    description: string;
}

export interface StreamsApp {
    name: StreamsAppName;
    /** Maven project and Docker build context (its Dockerfile at the root), relative to the repository. */
    dir: string;
    /**
     * Kafka Streams `application.id` is `<prefix>.<applicationIdSuffix>`: it is the consumer group,
     * and internal topics and transactional ids start with `<application.id>-`. It must not be a
     * prefix of any other topic, or a grant on the app's internal topics would reach them.
     */
    applicationIdSuffix: string;
    description: string;
    inputs: readonly StreamsInput[];
    outputs: readonly StreamsOutput[];
}

export const STREAMS_APPS: readonly StreamsApp[] = [
    {
        name: "batch_release",
        dir: "streams/batch-release",
        applicationIdSuffix: "streams.batch-release",
        description:
            "Batch release readiness (review by exception): READY when every required test of the batch's material has a valid " +
            "in-spec result and no critical machine event occurred while it ran; BLOCKED with reasons; PENDING otherwise",
        inputs: [
            { env: "TOPIC_BATCHES", table: { domain: "mes", table: "batches" } },
            { env: "TOPIC_MACHINE_EVENTS", table: { domain: "mes", table: "machine_events" } },
            { env: "TOPIC_SAMPLES", table: { domain: "lims", table: "samples" } },
            { env: "TOPIC_TEST_RESULTS", table: { domain: "lims", table: "test_results" } },
            { env: "TOPIC_SPEC_LIMITS", table: { domain: "lims", table: "spec_limits" } },
        ],
        outputs: [
            {
                env: "TOPIC_STATUS",
                suffix: "streams.batch_release_status",
                retention: "standard",
                compacted: true,
                description: "Release status per batch (READY, BLOCKED with reasons, PENDING); one record per batch on every change, compacted",
            },
            {
                env: "TOPIC_OVERDUE",
                suffix: "streams.batch_release_overdue",
                retention: "standard",
                alert: "batch_release_overdue",
                description: "Batches completed more than OVERDUE_AFTER ago and still not READY",
            },
            {
                env: "TOPIC_DEAD_LETTER",
                suffix: "dlq.streams.batch_release",
                retention: "standard",
                deadLetter: true,
                description: "Records the batch release app could not process, with the reason in the headers",
            },
        ],
    },
];

export function streamsAppByName(name: string): StreamsApp {
    const app = STREAMS_APPS.find((a) => a.name === name);
    if (!app) throw new Error(`unknown Kafka Streams app "${name}"; the catalog has ${STREAMS_APPS.map((a) => a.name).join(", ")}`);
    return app;
}

/** Kafka Streams `application.id` of an app (its consumer group and the head of its internal topics). */
export function streamsApplicationId(basePrefix: string, app: StreamsApp): string {
    return `${basePrefix}.${app.applicationIdSuffix}`;
}

/**
 * Name prefix of everything Kafka Streams creates for the app: internal topics
 * (`<application.id>-<store>-changelog|repartition`) and, under exactly_once_v2, transactional ids
 * (`<application.id>-<processId>-<n>`). https://kafka.apache.org/documentation/streams/developer-guide/config-streams.html#application-id
 */
export function streamsInternalPrefix(basePrefix: string, app: StreamsApp): string {
    return `${streamsApplicationId(basePrefix, app)}-`;
}

/** CDC topics an app reads, in declaration order. */
export function streamsAppInputTopics(basePrefix: string, app: StreamsApp): string[] {
    return app.inputs.map((input) => {
        const domain = DOMAINS.find((d) => d.name === input.table.domain);
        if (!domain) throw new Error(`catalog STREAMS_APPS ${app.name} ${input.env}: unknown domain "${input.table.domain}"`);
        if (!domain.tables.some((t) => t.name === input.table.table)) {
            throw new Error(`catalog STREAMS_APPS ${app.name} ${input.env}: table "${input.table.table}" is not captured in domain ${domain.name}`);
        }
        return topicName(basePrefix, domain, input.table.table);
    });
}

/** Topics an app writes (status, overdue, dead letter...), in declaration order. */
export function streamsAppOutputTopics(basePrefix: string, app: StreamsApp): string[] {
    return app.outputs.map((o) => derivedTopicName(basePrefix, o.suffix));
}

/** The output topic an app passes in `env` (e.g. TOPIC_STATUS); fails naming the app and the variable. */
export function streamsOutputTopic(basePrefix: string, app: StreamsApp, env: string): string {
    const output = app.outputs.find((o) => o.env === env);
    if (!output) throw new Error(`catalog STREAMS_APPS ${app.name}: no output ${env}; it has ${app.outputs.map((o) => o.env).join(", ")}`);
    return derivedTopicName(basePrefix, output.suffix);
}

/** The topics a Streams app writes, as catalog topics (the platform creates them; the app creates only its internal topics). */
export function streamsAppTopics(basePrefix: string, app: StreamsApp): TopicSpec[] {
    const applicationId = streamsApplicationId(basePrefix, app);
    return app.outputs.map((o) => {
        const name = derivedTopicName(basePrefix, o.suffix);
        if (name.startsWith(applicationId)) {
            throw new Error(`catalog STREAMS_APPS ${app.name} ${o.env}: topic ${name} starts with the application.id ${applicationId}; grants on the app's internal topics would reach it`);
        }
        return { name, retention: o.retention, streamsApp: app.name, ...(o.compacted ? { compacted: true } : {}), description: o.description };
    });
}

/** Environment variables of a Streams app that carry credentials: never plain text (ECS `secrets`, not `environment`). */
export const STREAMS_SECRET_ENV = ["KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD", "SCHEMA_REGISTRY_USERNAME", "SCHEMA_REGISTRY_PASSWORD"] as const;
export type StreamsSecretEnv = (typeof STREAMS_SECRET_ENV)[number];

/** Where and how a Streams app runs: what differs between cloud, local and the e2e harness. */
export interface StreamsRuntime {
    basePrefix: string;
    bootstrapServers: string;
    /** PLAINTEXT (local, e2e) or SASL_SSL with an API key (Confluent Cloud). */
    securityProtocol: "PLAINTEXT" | "SASL_SSL";
    /** avro: Confluent wire format with Schema Registry (cloud); json: the JSON converter (local, e2e). */
    valueFormat: "avro" | "json";
    /** Required with avro. */
    schemaRegistryUrl?: string;
    /** Replication factor of the internal topics the app creates. */
    replicationFactor: number;
    /** ISO-8601 duration after completion past which a batch that is not READY is overdue (default PT24H). */
    overdueAfter?: string;
    /** ISO-8601 duration between overdue checks (default PT1M). */
    overdueCheckInterval?: string;
    /** Directory of the RocksDB state stores. */
    stateDir?: string;
    /** Port of `GET /health` (200 RUNNING, 503 otherwise) and `GET /metrics` (Prometheus text format). */
    healthPort?: number;
    /**
     * CloudWatch namespace of the app's embedded-metric-format lines on stdout (METRICS_EMF_NAMESPACE):
     * set where the awslogs driver ships stdout to CloudWatch Logs (ECS), unset elsewhere.
     */
    metricsNamespace?: string;
}

export interface StreamsEnvironment {
    /** Plain settings, safe to show in a task definition or `docker inspect`. */
    environment: Record<string, string>;
    /** Variables the deployment must supply as secrets (ECS `secrets`, Docker env from a secret); empty for PLAINTEXT/json. */
    secretEnv: StreamsSecretEnv[];
}

/** The app's health endpoint on HEALTH_PORT: 200 while Kafka Streams is RUNNING, 503 otherwise. */
export const STREAMS_HEALTH_PATH = "/health";
/** The app's metrics on HEALTH_PORT, in Prometheus' text exposition format (what the local Prometheus scrapes). */
export const STREAMS_METRICS_PATH = "/metrics";

/**
 * The container health check of a Streams app (ECS task and local container alike), as argv: 0
 * only when the endpoint answers 200. The app's image ships bash but no curl (its Dockerfile's
 * HEALTHCHECK uses the same probe), so the request goes through bash's /dev/tcp.
 */
export function streamsHealthProbe(port: number): string[] {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`Kafka Streams health probe: HEALTH_PORT ${port} is not a TCP port`);
    return ["bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${port} && printf "GET ${STREAMS_HEALTH_PATH} HTTP/1.0\\r\\n\\r\\n" >&3 && head -n1 <&3 | grep -q " 200 "`];
}

/** The same probe as one shell command line (Docker's CMD-SHELL form). */
export function streamsHealthProbeShell(port: number): string {
    const [bash, flag, script] = streamsHealthProbe(port);
    return `${bash} ${flag} '${script}'`;
}

export const STREAMS_DEFAULTS = { overdueAfter: "PT24H", overdueCheckInterval: "PT1M", stateDir: "/var/lib/kafka-streams", healthPort: 8080 } as const;

// java.time.Duration.parse accepts days, hours, minutes and (fractional) seconds.
const ISO_DURATION = /^P(?=\d|T\d)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;

/** True for a positive ISO-8601 duration java.time.Duration.parse reads (PT24H, P1D, PT30M, PT0.5S). */
export function isIsoDuration(value: string): boolean {
    return ISO_DURATION.test(value) && /[1-9]/.test(value);
}

/**
 * The app's configuration contract (streams/<app>/README): the environment of one Streams app.
 * Pure: topic names from the catalog helpers, everything else from `runtime`; fails naming the
 * variable when a value is unusable.
 */
export function streamsAppEnvironment(app: StreamsApp, runtime: StreamsRuntime): StreamsEnvironment {
    const where = `Kafka Streams app ${app.name}`;
    const overdueAfter = runtime.overdueAfter ?? STREAMS_DEFAULTS.overdueAfter;
    const overdueCheckInterval = runtime.overdueCheckInterval ?? STREAMS_DEFAULTS.overdueCheckInterval;
    const healthPort = runtime.healthPort ?? STREAMS_DEFAULTS.healthPort;
    if (!runtime.bootstrapServers) throw new Error(`${where}: KAFKA_BOOTSTRAP_SERVERS is empty`);
    for (const [env, value] of [["OVERDUE_AFTER", overdueAfter], ["OVERDUE_CHECK_INTERVAL", overdueCheckInterval]] as const) {
        if (!isIsoDuration(value)) throw new Error(`${where}: ${env} "${value}" is not a positive ISO-8601 duration (e.g. PT24H, PT1M)`);
    }
    if (!Number.isInteger(runtime.replicationFactor) || runtime.replicationFactor < 1) {
        throw new Error(`${where}: REPLICATION_FACTOR ${runtime.replicationFactor} must be a positive integer`);
    }
    if (!Number.isInteger(healthPort) || healthPort < 1 || healthPort > 65535) throw new Error(`${where}: HEALTH_PORT ${healthPort} is not a TCP port`);
    if (runtime.valueFormat === "avro" && !runtime.schemaRegistryUrl) throw new Error(`${where}: VALUE_FORMAT avro needs SCHEMA_REGISTRY_URL`);

    const environment: Record<string, string> = {
        KAFKA_BOOTSTRAP_SERVERS: runtime.bootstrapServers,
        KAFKA_SECURITY_PROTOCOL: runtime.securityProtocol,
        APPLICATION_ID: streamsApplicationId(runtime.basePrefix, app),
    };
    const inputs = streamsAppInputTopics(runtime.basePrefix, app);
    app.inputs.forEach((input, i) => (environment[input.env] = inputs[i]));
    for (const output of app.outputs) environment[output.env] = derivedTopicName(runtime.basePrefix, output.suffix);
    environment.VALUE_FORMAT = runtime.valueFormat;
    if (runtime.schemaRegistryUrl) environment.SCHEMA_REGISTRY_URL = runtime.schemaRegistryUrl;
    environment.OVERDUE_AFTER = overdueAfter;
    environment.OVERDUE_CHECK_INTERVAL = overdueCheckInterval;
    environment.REPLICATION_FACTOR = String(runtime.replicationFactor);
    environment.STATE_DIR = runtime.stateDir ?? STREAMS_DEFAULTS.stateDir;
    environment.HEALTH_PORT = String(healthPort);
    if (runtime.metricsNamespace !== undefined) {
        // CloudWatch namespaces: printable ASCII, 1-255 characters, AWS/ reserved
        // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html); the app checks the same.
        const ns = runtime.metricsNamespace;
        if (!/^[\x20-\x7e]{1,255}$/.test(ns) || ns.startsWith(":") || ns.startsWith("AWS/")) {
            throw new Error(`${where}: METRICS_EMF_NAMESPACE "${ns}" is not a CloudWatch namespace of our own (1-255 printable ASCII characters, not AWS/...)`);
        }
        environment.METRICS_EMF_NAMESPACE = ns;
    }

    const secretEnv: StreamsSecretEnv[] = [];
    if (runtime.securityProtocol === "SASL_SSL") secretEnv.push("KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD");
    // Schema Registry in Confluent Cloud takes its own API key; a local registry takes none.
    if (runtime.valueFormat === "avro" && runtime.securityProtocol === "SASL_SSL") secretEnv.push("SCHEMA_REGISTRY_USERNAME", "SCHEMA_REGISTRY_PASSWORD");
    return { environment, secretEnv };
}
