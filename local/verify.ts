// Proves the local data path end to end: inserts an order, an out-of-spec lab result and a
// machine alarm in MySQL, then waits (bounded) until each shows up at every hop: the CDC topics,
// the ksqlDB outputs, MinIO and Postgres. The hops are derived from the catalog; the probes
// that look at each system are injected, so the logic is tested without Docker.
import type * as mysql from "mysql2/promise";
import { AUDIT_ARCHIVE_SUFFIXES, WAREHOUSE_TABLES, derivedTopicName, domainByName, topicName, warehouseSchemaKind } from "../components/catalog";
import { RAW_TOPICS_DIR, WAREHOUSE_SCHEMAS } from "../components/sinks";

/** Spec limit the out-of-spec result is measured against (seed data of sql/mysql/lims/seed.sql). */
export const VERIFY_SPEC = { specId: 1, sampleId: 1, testCode: "ASSAY", outOfSpecValue: "120.000000", unit: "%" };

export interface VerificationRows {
    /** Unique per run; fits sales_orders.order_number (VARCHAR(10)). */
    marker: string;
    orderId: number;
    resultId: number;
    eventId: number;
    alarmMessage: string;
    insertedAt: Date;
}

/** A unique, short marker for one verification run. */
export function verificationMarker(now = Date.now()): string {
    return `V${now.toString(36).toUpperCase().slice(-9)}`;
}

/** Inserts the three rows (one transaction per database) and returns their keys. */
export async function insertVerificationRows(conn: mysql.Connection, marker: string): Promise<VerificationRows> {
    const sap = domainByName("sap").database;
    const lims = domainByName("lims").database;
    const mes = domainByName("mes").database;
    const insertedAt = new Date();
    const [order] = await conn.query<mysql.ResultSetHeader>(
        `INSERT INTO \`${sap}\`.sales_orders (order_number, plant, customer_id, status, net_value) VALUES (?, 'DE01', 'VERIFY', 'CREATED', 1.00)`,
        [marker],
    );
    const [result] = await conn.query<mysql.ResultSetHeader>(
        `INSERT INTO \`${lims}\`.test_results (sample_id, spec_id, test_code, result_value, unit, status, analyst, measured_at) VALUES (?, ?, ?, ?, ?, 'VALID', ?, NOW(6))`,
        [VERIFY_SPEC.sampleId, VERIFY_SPEC.specId, VERIFY_SPEC.testCode, VERIFY_SPEC.outOfSpecValue, VERIFY_SPEC.unit, marker],
    );
    const alarmMessage = `verification alarm ${marker}`;
    const [event] = await conn.query<mysql.ResultSetHeader>(
        `INSERT INTO \`${mes}\`.machine_events (machine_id, line_id, event_type, severity, message, occurred_at) VALUES ('VERIFY-M1', 'L1', 'ALARM', 'ALARM', ?, NOW(6))`,
        [alarmMessage],
    );
    return { marker, orderId: order.insertId, resultId: result.insertId, eventId: event.insertId, alarmMessage, insertedAt };
}

/** What each hop asks of the systems along the path. */
export interface PathProbes {
    /** A record of the topic contains these bytes (AVRO strings are plain UTF-8). */
    topicContains(topic: string, needle: string): Promise<boolean>;
    /** A pull query on a ksqlDB stream finds a row with column = value. */
    ksqlRowExists(stream: string, column: string, value: string | number): Promise<boolean>;
    /** An object under the prefix was written at or after `since`. */
    objectWrittenSince(bucket: string, prefix: string, since: Date): Promise<boolean>;
    /** The warehouse table holds a row with column = value. */
    warehouseRowExists(schema: string, table: string, column: string, value: string | number): Promise<boolean>;
}

export type HopStage = "kafka" | "ksqldb" | "minio" | "postgres";

export interface Hop {
    stage: HopStage;
    name: string;
    check(probes: PathProbes): Promise<boolean>;
}

const warehouseTable = (name: string) => {
    const table = WAREHOUSE_TABLES.find((t) => t.name === name);
    if (!table) throw new Error(`verification: warehouse table ${name} is not in the catalog`);
    return { schema: WAREHOUSE_SCHEMAS[warehouseSchemaKind(table)], table: table.name };
};

/** The hops of the path for these rows, named after the catalog topics, buckets and tables. */
export function verificationHops(basePrefix: string, rows: VerificationRows, buckets: { raw: string }): Hop[] {
    const ordersTopic = topicName(basePrefix, domainByName("sap"), "sales_orders");
    const resultsTopic = topicName(basePrefix, domainByName("lims"), "test_results");
    const eventsTopic = topicName(basePrefix, domainByName("mes"), "machine_events");
    const auditTopic = derivedTopicName(basePrefix, AUDIT_ARCHIVE_SUFFIXES[0]);
    const orders = warehouseTable("SAP_SALES_ORDERS");
    const oos = warehouseTable("LAB_RESULTS_OOS");
    const alarms = warehouseTable("MACHINE_ALARMS");
    return [
        { stage: "kafka", name: `order ${rows.marker} in ${ordersTopic}`, check: (p) => p.topicContains(ordersTopic, rows.marker) },
        { stage: "kafka", name: `lab result ${rows.resultId} in ${resultsTopic}`, check: (p) => p.topicContains(resultsTopic, rows.marker) },
        { stage: "kafka", name: `machine alarm ${rows.eventId} in ${eventsTopic}`, check: (p) => p.topicContains(eventsTopic, rows.alarmMessage) },
        { stage: "ksqldb", name: `order ${rows.marker} in the audit trail ${auditTopic}`, check: (p) => p.topicContains(auditTopic, rows.marker) },
        { stage: "ksqldb", name: `lab result ${rows.resultId} in LAB_RESULTS_OOS`, check: (p) => p.ksqlRowExists("LAB_RESULTS_OOS", "RESULT_ID", rows.resultId) },
        { stage: "ksqldb", name: `machine alarm ${rows.eventId} in MACHINE_ALARMS`, check: (p) => p.ksqlRowExists("MACHINE_ALARMS", "EVENT_ID", rows.eventId) },
        {
            stage: "minio",
            name: `new object in s3://${buckets.raw}/${RAW_TOPICS_DIR}/${ordersTopic}/`,
            check: (p) => p.objectWrittenSince(buckets.raw, `${RAW_TOPICS_DIR}/${ordersTopic}/`, rows.insertedAt),
        },
        { stage: "postgres", name: `order ${rows.marker} in ${orders.schema}.${orders.table}`, check: (p) => p.warehouseRowExists(orders.schema, orders.table, "order_number", rows.marker) },
        { stage: "postgres", name: `lab result ${rows.resultId} in ${oos.schema}.${oos.table}`, check: (p) => p.warehouseRowExists(oos.schema, oos.table, "RESULT_ID", rows.resultId) },
        { stage: "postgres", name: `machine alarm ${rows.eventId} in ${alarms.schema}.${alarms.table}`, check: (p) => p.warehouseRowExists(alarms.schema, alarms.table, "EVENT_ID", rows.eventId) },
    ];
}

export interface HopResult {
    hop: Hop;
    passed: boolean;
    /** Milliseconds from the insert until the hop first passed. */
    latencyMs?: number;
    /** The last probe error, if the hop never passed. */
    error?: string;
}

export interface WaitPolicy {
    timeoutMs: number;
    pollMs: number;
    now?: () => number;
    sleep?: (ms: number) => Promise<void>;
}

/** Polls every hop until it passes or the deadline; a probe error counts as "not yet" and is reported if the hop fails. */
export async function runVerification(hops: readonly Hop[], probes: PathProbes, startedAt: number, policy: WaitPolicy): Promise<HopResult[]> {
    const now = policy.now ?? Date.now;
    const sleep = policy.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const results: HopResult[] = hops.map((hop) => ({ hop, passed: false }));
    const deadline = startedAt + policy.timeoutMs;
    for (;;) {
        await Promise.all(
            results
                .filter((r) => !r.passed)
                .map(async (r) => {
                    try {
                        if (await r.hop.check(probes)) {
                            r.passed = true;
                            r.latencyMs = now() - startedAt;
                            r.error = undefined;
                        }
                    } catch (err) {
                        r.error = (err as Error).message.split("\n")[0];
                    }
                }),
        );
        if (results.every((r) => r.passed) || now() >= deadline) return results;
        await sleep(Math.min(policy.pollMs, Math.max(0, deadline - now())));
    }
}

/** One line per hop with PASS/FAIL and latency, then the URLs. */
export function formatVerification(results: readonly HopResult[], urls: Record<string, string>, timeoutMs: number): string {
    const lines = results.map((r) => {
        const status = r.passed ? "PASS" : "FAIL";
        const timing = r.passed ? `${(r.latencyMs! / 1000).toFixed(1)} s` : `not seen within ${Math.round(timeoutMs / 1000)} s${r.error ? ` (last error: ${r.error})` : ""}`;
        return `  ${status}  ${r.hop.stage.padEnd(8)} ${r.hop.name}  ${timing}`;
    });
    const passed = results.filter((r) => r.passed).length;
    return [
        `Verification: ${passed}/${results.length} hops passed`,
        ...lines,
        "",
        "URLs:",
        ...Object.entries(urls).map(([name, url]) => `  ${name.padEnd(15)} ${url}`),
    ].join("\n");
}
