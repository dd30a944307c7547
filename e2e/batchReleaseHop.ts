// The batch release Kafka Streams app (streams/batch-release) on the real data path: the app as a
// Java process against the broker, reading the CDC topics Debezium writes from MariaDB (Connect's
// JSON converter, hence VALUE_FORMAT=json), with the environment of the local stack's container
// (e2e/differences.ts STREAMS_ENV_RULES lists what the harness changes). A sample batch is driven
// through its life by SQL commits, to its deletion; the hop checks each status record and measures
// the latency from a test-result commit to its status record. After each step it also waits for
// the batch's row in the local warehouse (the local stack's status sink, created by the deploy hop)
// and records what it saw; the status warehouse hop judges those observations.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { STREAMS_APPS, streamsAppInputTopics, streamsHealthProbe } from "../components/catalog";
import { streamsAppMetrics } from "../components/monitoring/pure";
import { harnessStreamsEnvironment } from "./differences";
import type { E2eContext } from "./harness";
import type { HopOutcome } from "./hops";
import { connectWarehouse, freePort, sleep } from "./runtime";
import type { SeenRecord } from "./topicWatcher";

const APP = STREAMS_APPS.find((a) => a.name === "batch_release")!;
const POM = path.join(__dirname, "..", APP.dir, "pom.xml");
const MAIN_CLASS = "com.lifesci.batchrelease.Main";

/** A status record's value: the app writes plain JSON strings (README "Output records"). */
export interface StatusValue {
    batch_number: string;
    status: "READY" | "BLOCKED" | "PENDING";
    reason_codes: string;
    reasons: string;
    reason_summary: string;
    batch_status: string;
    [k: string]: unknown;
}

/** The status value of a record: flat JSON, or the payload of Connect's {schema, payload} envelope (STATUS_JSON_SCHEMAS=true); null for a tombstone. */
export function statusOf(r: SeenRecord): StatusValue | null {
    const value = statusEnvelopeOf(r);
    if (value === null) return null;
    return ("schema" in value && "payload" in value ? value.payload : value) as StatusValue;
}

/** The parsed value as written (envelope or flat); null for a tombstone. */
export function statusEnvelopeOf(r: SeenRecord): Record<string, any> | null {
    if (r.value === null || r.value === undefined) return null;
    return (typeof r.value === "string" ? JSON.parse(r.value) : r.value) as Record<string, any>;
}

export const keyOf = (r: SeenRecord) => (typeof r.key === "string" ? r.key : JSON.stringify(r.key));

/** `<prefix>` of the local stack: the CDC connectors' topic.prefix is `<prefix>.<domain>`. */
export function basePrefixOf(ctx: E2eContext): string {
    const mes = ctx.plan.cdcConnectors.find((c) => c.name.endsWith("-mes-cdc"));
    if (!mes) throw new Error("no CDC connector for domain mes");
    return String(mes.config["topic.prefix"]).replace(/\.mes$/, "");
}

/** One step of the sample batch's life: SQL to commit, and the status it must lead to (a tombstone when the batch is deleted). */
interface Step {
    what: string;
    sql: { database: "mes" | "lims"; statement: string; params?: unknown[] }[];
    expect: { status: StatusValue["status"]; reasonCodes: string } | "tombstone";
    /** A test-result commit: its latency goes into the hop's figures. */
    resultCommit?: boolean;
}

export const BATCH = "BR-E2E-01";
const MATERIAL = "MAT-E2E-BR";
const ids = { batch: 800_001, spec: 800_001, sample: 800_001, event: 800_001, result: 800_001, retest: 800_002 };

/** The sample batch's life, one commit (or a few) per step. */
export const LIFE: Step[] = [
    {
        what: "spec ASSAY [98, 102] v1 and the batch starts",
        sql: [
            { database: "lims", statement: "INSERT INTO spec_limits (spec_id, material_id, test_code, lower_limit, upper_limit, unit, spec_version, effective_from) VALUES (?, ?, 'ASSAY', 98.0, 102.0, '%', 1, '2026-01-01 00:00:00')", params: [ids.spec, MATERIAL] },
            { database: "mes", statement: "INSERT INTO batches (batch_id, batch_number, plant, line_id, material_id, planned_qty, unit, status, started_at) VALUES (?, ?, 'DE01', 'TAB-L2', ?, 1000, 'KG', 'IN_PROGRESS', NOW(6) - INTERVAL 2 HOUR)", params: [ids.batch, BATCH, MATERIAL] },
        ],
        expect: { status: "PENDING", reasonCodes: "BATCH_NOT_COMPLETED,TEST_MISSING" },
    },
    {
        what: "a CRITICAL machine event while it runs",
        sql: [{ database: "mes", statement: "INSERT INTO machine_events (event_id, machine_id, line_id, batch_number, event_type, severity, message, occurred_at) VALUES (?, 'TP-0207', 'TAB-L2', ?, 'ALARM', 'CRITICAL', 'Punch breakage detected', NOW(6) - INTERVAL 1 HOUR)", params: [ids.event, BATCH] }],
        expect: { status: "BLOCKED", reasonCodes: "BATCH_NOT_COMPLETED,TEST_MISSING,MACHINE_ALARM" },
    },
    {
        what: "the event is deleted after investigation",
        sql: [{ database: "mes", statement: "DELETE FROM machine_events WHERE event_id = ?", params: [ids.event] }],
        expect: { status: "PENDING", reasonCodes: "BATCH_NOT_COMPLETED,TEST_MISSING" },
    },
    {
        what: "the batch completes",
        sql: [{ database: "mes", statement: "UPDATE batches SET status = 'COMPLETED', completed_at = NOW(6), actual_qty = 998.5 WHERE batch_id = ?", params: [ids.batch] }],
        expect: { status: "PENDING", reasonCodes: "TEST_MISSING" },
    },
    {
        what: "a release sample and a VALID in-spec ASSAY result",
        sql: [
            { database: "lims", statement: "INSERT INTO samples (sample_id, sample_code, plant, material_id, batch_number, sample_type, collected_at) VALUES (?, 'S-E2E-BR-01', 'DE01', ?, ?, 'RELEASE', NOW(6))", params: [ids.sample, MATERIAL, BATCH] },
            { database: "lims", statement: "INSERT INTO test_results (result_id, sample_id, spec_id, test_code, result_value, unit, status, analyst, measured_at) VALUES (?, ?, ?, 'ASSAY', 99.870000, '%', 'VALID', 'e2e', NOW(6))", params: [ids.result, ids.sample, ids.spec] },
        ],
        expect: { status: "READY", reasonCodes: "" },
        resultCommit: true,
    },
    {
        what: "the result is corrected to 97.1 (out of spec)",
        sql: [{ database: "lims", statement: "UPDATE test_results SET result_value = 97.100000 WHERE result_id = ?", params: [ids.result] }],
        expect: { status: "BLOCKED", reasonCodes: "TEST_OUT_OF_SPEC" },
        resultCommit: true,
    },
    {
        what: "QA invalidates it",
        sql: [{ database: "lims", statement: "UPDATE test_results SET status = 'INVALIDATED' WHERE result_id = ?", params: [ids.result] }],
        expect: { status: "PENDING", reasonCodes: "TEST_MISSING" },
        resultCommit: true,
    },
    {
        what: "a VALID retest, 100.2",
        sql: [{ database: "lims", statement: "INSERT INTO test_results (result_id, sample_id, spec_id, test_code, result_value, unit, status, analyst, measured_at) VALUES (?, ?, ?, 'ASSAY', 100.200000, '%', 'VALID', 'e2e', NOW(6))", params: [ids.retest, ids.sample, ids.spec] }],
        expect: { status: "READY", reasonCodes: "" },
        resultCommit: true,
    },
    {
        what: "spec v2 tightens ASSAY to [100.5, 101.5]",
        sql: [{ database: "lims", statement: "INSERT INTO spec_limits (spec_id, material_id, test_code, lower_limit, upper_limit, unit, spec_version, effective_from) VALUES (?, ?, 'ASSAY', 100.5, 101.5, '%', 2, NOW(6))", params: [ids.spec + 1, MATERIAL] }],
        expect: { status: "BLOCKED", reasonCodes: "TEST_OUT_OF_SPEC" },
    },
    {
        what: "the batch row is deleted in MES (a data correction)",
        sql: [{ database: "mes", statement: "DELETE FROM batches WHERE batch_id = ?", params: [ids.batch] }],
        expect: "tombstone",
    },
];

/** What the local warehouse showed for the sample batch after one step of its life. */
export interface StatusRowObservation {
    step: string;
    committedAt: number;
    /** The status record (or tombstone) the step led to. */
    record?: SeenRecord;
    /** When the row matched the record (or was gone, after a tombstone); undefined: it did not within the wait. */
    seenAt?: number;
    /** The row as last read (null: no row). */
    row: Record<string, unknown> | null;
}

/** The local warehouse's status relation (schema.table as the warehouse DDL quotes it). */
export const STATUS_RELATION = `"CURATED"."BATCH_RELEASE_STATUS"`;
const ROW_WAIT_MS = 30_000;

/** A status row equals a record's payload: text columns as text, counts as numbers, timestamps as the same instant (the TIMESTAMP column holds UTC). */
export function statusRowDifferences(row: Record<string, unknown>, payload: Record<string, unknown>): string[] {
    const out: string[] = [];
    for (const [field, value] of Object.entries(payload)) {
        const cell = row[field];
        if (!(field in row)) {
            out.push(`no column ${field}`);
            continue;
        }
        if (value === null || cell === null) {
            if (value !== cell) out.push(`${field}: record ${JSON.stringify(value)} vs row ${JSON.stringify(cell)}`);
            continue;
        }
        const same = /_at$|_ts$/.test(field) ? Date.parse(String(value)) === Date.parse(`${String(cell).replace(" ", "T")}Z`) : String(value) === String(cell);
        if (!same) out.push(`${field}: record ${JSON.stringify(value)} vs row ${JSON.stringify(cell)}`);
    }
    return out;
}

type PgClient = InstanceType<typeof import("pg").Client>;

/** Waits until the batch's row in the local warehouse matches the record (or is gone after a tombstone). */
async function observeRow(pg: PgClient, batch: string, record: SeenRecord, committedAt: number, step: string): Promise<StatusRowObservation> {
    const payload = statusOf(record);
    const deadline = Date.now() + ROW_WAIT_MS;
    let row: Record<string, unknown> | null = null;
    for (;;) {
        const res = await pg.query(`SELECT * FROM ${STATUS_RELATION} WHERE "batch_number" = $1`, [batch]);
        row = res.rows[0] ?? null;
        const matches = payload === null ? row === null : row !== null && statusRowDifferences(row, payload).length === 0;
        if (matches) return { step, committedAt, record, seenAt: Date.now(), row };
        if (Date.now() > deadline) return { step, committedAt, record, row };
        await sleep(50);
    }
}

const POISON = "{not a Debezium envelope";

/** A record no decoder can read, straight into a CDC topic: it must go to the dead-letter topic, and processing on. */
async function sendPoison(ctx: E2eContext, topic: string): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Kafka, logLevel } = require("kafkajs") as typeof import("kafkajs");
    const producer = new Kafka({ clientId: "lifesci-e2e-poison", brokers: [ctx.kafka.bootstrap], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    try {
        await producer.send({ topic, messages: [{ key: "{}", value: POISON }] });
    } finally {
        await producer.disconnect();
    }
}

/** The status sink's connector as the local stack records it. */
export function statusSinkOf(ctx: E2eContext) {
    return ctx.plan.sinkConnectors.find((c) => c.name.endsWith("-snowflake-streams"));
}

/** A client of the harness's PostgreSQL, values as PostgreSQL prints them; undefined when the status sink was not deployed. */
export async function statusWarehouseClient(ctx: E2eContext): Promise<PgClient | undefined> {
    const sink = statusSinkOf(ctx);
    if (!sink || !ctx.deployed.has(sink.resource.name)) return undefined;
    return connectWarehouse(ctx.postgres, { valuesAsText: true });
}

async function healthy(url: string): Promise<boolean> {
    const res = await fetch(url).catch(() => undefined);
    return res?.status === 200;
}

export async function batchReleaseHop(ctx: E2eContext): Promise<HopOutcome> {
    const basePrefix = basePrefixOf(ctx);
    const healthPort = await freePort();
    // The local container's environment (the catalog's, target local), with the harness's rewrites only.
    const local = ctx.plan.streamsApps.get(APP.name);
    if (!local) return { ok: false, detail: `the local stack runs no container for ${APP.name}` };
    const environment = harnessStreamsEnvironment(APP.name, local, { kafkaBootstrap: ctx.kafka.bootstrap, stateDir: path.join(ctx.dir, "batch-release-state"), healthPort });
    ctx.log(`batch-release environment: the local container's, rewritten: ${Object.keys(local).filter((k) => local[k] !== environment[k]).join(", ")}`);
    const problems: string[] = [];
    // The seed batch B2611-0042 completed on 2026-11-21 and is not READY: overdue at the first check.
    if (environment.OVERDUE_AFTER !== "PT24H") problems.push(`the hop expects OVERDUE_AFTER PT24H (the local default), got ${environment.OVERDUE_AFTER}`);
    // The catalog's input topics are the topics the connectors actually write.
    const inputs = streamsAppInputTopics(basePrefix, APP);
    for (const t of inputs) if (!ctx.watcher.records.some((r) => r.topic === t)) problems.push(`no CDC record on ${t} (catalog topic name != connector topic?)`);
    for (const env of ["TOPIC_STATUS", "TOPIC_OVERDUE", "TOPIC_DEAD_LETTER"]) {
        if (!ctx.createdTopics.has(environment[env])) problems.push(`${env} ${environment[env]} was not created by the platform`);
    }
    if (problems.length) return { ok: false, detail: problems.join("; ") };
    const statusTopic = environment.TOPIC_STATUS;

    const built = Date.now();
    const classpath = ctx.moduleClasspath(POM);
    const started = Date.now();
    ctx.log(`batch-release compiled and its classpath resolved in ${started - built} ms`);
    const app = ctx.startJava({ name: "batch-release", classpath, mainClass: MAIN_CLASS, env: environment });
    const health = `http://127.0.0.1:${healthPort}/health`;
    for (;;) {
        if (app.exited()) return { ok: false, detail: `batch-release exited during start-up:\n${app.tail()}` };
        if (await healthy(health)) break;
        if (Date.now() - started > 180_000) return { ok: false, detail: `batch-release not RUNNING within 180 s:\n${app.tail()}` };
        await sleep(500);
    }
    ctx.log(`batch-release RUNNING after ${Date.now() - started} ms (health ${health})`);

    // The seed batches, from the snapshot: B2611-0042 waits for its DISSOLUTION_30M result, B2611-0043 had an ALARM.
    const seedChecks: [string, (s: StatusValue) => boolean, string][] = [
        ["B2611-0042", (s) => s.status === "PENDING" && s.reason_codes === "TEST_MISSING" && s.reasons.includes("DISSOLUTION_30M"), "PENDING, DISSOLUTION_30M missing"],
        ["B2611-0043", (s) => s.status === "BLOCKED" && s.reason_codes.includes("MACHINE_ALARM") && s.reasons.includes("\"event_id\":3"), "BLOCKED by ALARM event 3"],
    ];
    for (const [batch, ok, want] of seedChecks) {
        const r = await ctx.watcher.waitFor((x) => x.topic === statusTopic && keyOf(x) === batch && !!statusOf(x) && ok(statusOf(x)!), 120_000);
        if (!r) {
            const last = ctx.watcher.on(statusTopic).filter((x) => keyOf(x) === batch).map((x) => statusOf(x)).pop();
            problems.push(`seed batch ${batch}: expected ${want}, last status ${last ? `${last.status} ${last.reason_codes}` : "none"}`);
        }
    }

    // The sample batch's life.
    const { connectMySql } = await import("../components/source");
    const conns = {
        mes: await connectMySql({ ...ctx.mariadb.rootEndpoint, database: "mes" }),
        lims: await connectMySql({ ...ctx.mariadb.rootEndpoint, database: "lims" }),
    };
    // The local warehouse, when the deploy hop created the status sink (the status warehouse hop says if not).
    const pg = await statusWarehouseClient(ctx);
    ctx.statusRows = [];
    const life: string[] = [];
    const latencies: number[] = [];
    // A deletion under STATUS_JSON_SCHEMAS: the schema'd null payload (what the JDBC sink deletes on), then the tombstone.
    const describe = (x: SeenRecord) =>
        statusEnvelopeOf(x) === null ? "tombstone" : statusOf(x) === null ? "delete (schema, null payload)" : `${statusOf(x)!.status}${statusOf(x)!.reason_codes ? ` (${statusOf(x)!.reason_codes})` : ""}`;
    try {
        for (const [i, step] of LIFE.entries()) {
            if (i === LIFE.length - 2) await sendPoison(ctx, environment.TOPIC_TEST_RESULTS);
            const before = new Set(ctx.watcher.on(statusTopic));
            for (const q of step.sql) await conns[q.database].query(q.statement, q.params ?? []);
            const committedAt = Date.now();
            const fresh = (x: SeenRecord) => x.topic === statusTopic && keyOf(x) === BATCH && !before.has(x);
            const expect = step.expect;
            const wanted = (x: SeenRecord) => fresh(x) && (expect === "tombstone" ? statusEnvelopeOf(x) === null : statusOf(x)?.status === expect.status && statusOf(x)?.reason_codes === expect.reasonCodes);
            const r = await ctx.watcher.waitFor(wanted, 60_000);
            // Rows of one step commit to different topics, so a decision in between may show (e.g. the
            // batch before its spec): every status record of the step is listed.
            const seen = ctx.watcher.on(statusTopic).filter(fresh).map(describe);
            const want = expect === "tombstone" ? "tombstone" : `${expect.status} (${expect.reasonCodes})`;
            if (!r) {
                problems.push(`step ${i + 1} (${step.what}): no ${want} for ${BATCH} within 60 s; saw ${seen.join(", ") || "nothing"}`);
                break;
            }
            const latency = r.arrivedAt - committedAt;
            if (step.resultCommit) latencies.push(latency);
            let warehouse = "";
            if (pg) {
                const seenRow = await observeRow(pg, BATCH, r, committedAt, `${i + 1}. ${step.what}`);
                ctx.statusRows.push(seenRow);
                warehouse = seenRow.seenAt
                    ? `; Postgres: ${seenRow.row ? `${seenRow.row.status} (${seenRow.row.reason_codes})` : "no row"} ${seenRow.seenAt - committedAt} ms after the commit`
                    : `; Postgres: not as the record within ${ROW_WAIT_MS / 1000} s (row: ${seenRow.row ? `${seenRow.row.status} (${seenRow.row.reason_codes})` : "none"})`;
            }
            life.push(`${i + 1}. ${step.what}: ${seen.join(" then ")}, ${latency} ms after the commit${warehouse}`);
        }
    } finally {
        await conns.mes.end().catch(() => undefined);
        await conns.lims.end().catch(() => undefined);
        await pg?.end().catch(() => undefined);
    }

    // Overdue: one record for the seed batch that completed long ago and is not READY, none for the sample batch.
    const overdueTopic = environment.TOPIC_OVERDUE;
    const overdue = await ctx.watcher.waitFor((x) => x.topic === overdueTopic && keyOf(x) === "B2611-0042", 30_000);
    if (!overdue) problems.push(`no overdue record for B2611-0042 on ${overdueTopic} within 30 s`);
    else {
        await sleep(7_000); // more than one check interval: the episode must not repeat
        const perBatch = ctx.watcher.on(overdueTopic).map(keyOf);
        if (perBatch.filter((k) => k === "B2611-0042").length !== 1) problems.push(`B2611-0042 overdue ${perBatch.filter((k) => k === "B2611-0042").length} times, expected once`);
        if (perBatch.includes(BATCH)) problems.push(`${BATCH} completed seconds ago but was reported overdue`);
        life.push(`overdue: ${perBatch.length} record(s) (${[...new Set(perBatch)].join(", ")}), ${overdue.arrivedAt - started} ms after the app started`);
    }

    // The container's health probe (ECS task definition and local container), against the running app.
    try {
        const [command, ...args] = streamsHealthProbe(healthPort);
        execFileSync(command, args, { stdio: "pipe", timeout: 10_000 });
    } catch {
        problems.push("the platform's health probe (streamsHealthProbe) failed against the running app");
    }
    // Batches by status on GET /metrics (the dashboard panel's source) agree with the status topic:
    // the latest record per batch, counted per status.
    try {
        const names = streamsAppMetrics(APP);
        const latest = new Map<string, StatusValue | null>();
        for (const r of ctx.watcher.on(statusTopic)) latest.set(keyOf(r), statusOf(r));
        const fromTopic: Record<string, number> = { READY: 0, BLOCKED: 0, PENDING: 0 };
        for (const v of latest.values()) if (v) fromTopic[v.status]++;
        const response = await fetch(`http://127.0.0.1:${healthPort}/metrics`);
        const text = await response.text();
        const fromMetrics: Record<string, number> = { READY: 0, BLOCKED: 0, PENDING: 0 };
        const sample = new RegExp(`^${names.batchesByStatus.prometheus}\\{(.*)\\} (\\d+)$`);
        for (const line of text.split("\n")) {
            const m = sample.exec(line);
            const status = m && new RegExp(`${names.statusLabel.prometheus}="([A-Z]+)"`).exec(m[1])?.[1];
            if (m && status) fromMetrics[status] = (fromMetrics[status] ?? 0) + Number(m[2]);
        }
        const contentType = response.headers.get("content-type");
        if (contentType !== "text/plain; version=0.0.4; charset=utf-8") problems.push(`GET /metrics content type ${contentType}`);
        if (JSON.stringify(fromMetrics) !== JSON.stringify(fromTopic)) {
            problems.push(`GET /metrics batches by status ${JSON.stringify(fromMetrics)} disagree with the status topic ${JSON.stringify(fromTopic)}`);
        } else life.push(`GET /metrics: batches by status ${JSON.stringify(fromMetrics)}, as the status topic's latest record per batch`);
    } catch (e) {
        problems.push(`GET /metrics: ${(e as Error).message}`);
    }
    // Exactly the one poison record sent above is dead-lettered, unchanged, and the step after it was decided.
    const deadLetters = ctx.watcher.on(environment.TOPIC_DEAD_LETTER);
    if (deadLetters.length !== 1 || deadLetters[0].value !== POISON) {
        problems.push(`dead-letter topic: expected the one poison record, got ${deadLetters.length}: ${deadLetters.map((r) => JSON.stringify(r.value)).join(", ").slice(0, 300)}`);
    } else life.push(`poison record on ${environment.TOPIC_TEST_RESULTS}: dead-lettered unchanged, the next change decided`);
    const final = ctx.watcher.on(statusTopic).filter((x) => keyOf(x) === BATCH && statusEnvelopeOf(x) !== null).pop();
    if (final) ctx.log(`last status record of ${BATCH} before its deletion: ${typeof final.value === "string" ? final.value : JSON.stringify(final.value)}`);

    // SIGTERM (what ECS and Docker send): Streams closes cleanly within the stop timeout.
    const stopStarted = Date.now();
    await app.stop();
    const stopMs = Date.now() - stopStarted;
    if (!/batch-release stopped \(exit 0\)$/m.test(app.tail(5))) problems.push(`no clean stop after SIGTERM (${stopMs} ms):\n${app.tail(5)}`);
    else life.push(`SIGTERM: closed cleanly in ${stopMs} ms`);
    fs.writeFileSync(path.join(ctx.dir, "batch-release-life.txt"), life.join("\n") + "\n");
    ctx.log(`batch ${BATCH}:\n  ${life.join("\n  ")}`);
    if (problems.length) return { ok: false, latencies, detail: problems.join("; ") };
    return {
        ok: true,
        latencies,
        detail: `${BATCH}: ${LIFE.map((s) => (s.expect === "tombstone" ? "tombstone" : s.expect.status)).join(" -> ")}; seed batches decided; latency = test-result commit -> status record`,
    };
}
