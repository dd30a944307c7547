// The hops of the data path, in order. A hop is a name and a function returning
// {ok, latencyMs | latencies, detail}; it sees what earlier hops did through the context.
// To add a hop (e.g. a Kafka Streams app that reads the CDC topics), append one entry to HOPS:
// `ctx.moduleClasspath(pom)` gives a Maven module's classpath, `ctx.startJava(...)` runs it, and
// `ctx.watcher.waitFor(...)` sees its output topic.
import { DOMAINS } from "../components/catalog";
import { harnessConnectorConfig } from "./differences";
import { E2eContext } from "./harness";
import { RecordedConnector, engineProps, urnOf } from "./localStack";
import { sleep } from "./runtime";
import { SeenRecord } from "./topicWatcher";
import { addTableHop, heartbeatHop, migrationHop } from "./changeHops";
import { batchReleaseHop } from "./batchReleaseHop";
import { statusWarehouseHop } from "./statusWarehouseHop";
import { warehouseHop } from "./warehouseHop";
import { CHANGE_DRIVERS, planChanges } from "./workload";

export interface HopOutcome {
    ok: boolean;
    /** One latency (ms), or use `latencies` for p50/p99. */
    latencyMs?: number;
    latencies?: number[];
    detail: string;
    /** The hop cannot run on this machine (the detail says why); it does not fail the run. */
    notRun?: boolean;
}

export interface Hop {
    name: string;
    /** Hops whose failure makes this one meaningless: it fails naming them instead of running. */
    after?: string[];
    run(ctx: E2eContext): Promise<HopOutcome>;
}

export const HOP_NAMES = {
    evaluate: "local stack evaluates (mock engine) and passes its plan checks",
    deploy: "connectors created through the Connect provider in Pulumi's dynamic-provider host",
    snapshot: "initial snapshot: seed rows in the catalog topics",
    cdc: "insert/update/delete: Debezium envelope in the catalog topic, keyed by primary key",
    heartbeat: "heartbeat: the connector writes the heartbeat topic the program creates",
    migration: "migration while running: the new nullable column in the next event, as schema:check predicts",
    addTable: "added captured table: existing rows backfilled once through the signal table",
    warehouse: "warehouse sink: the changes in PostgreSQL, in the warehouse DDL's columns and types, deletes included",
    topics: "every topic a connector writes was created beforehand",
    batchRelease: "Kafka Streams batch release: CDC changes in MariaDB -> status record on batch_release_status",
    statusWarehouse: "status sink: batch_release_status in PostgreSQL, one row per batch, deleted with the batch",
    ksqldb: "ksqlDB apps: CDC topics -> derived topics",
    s3: "S3 sinks: raw lake and audit archive",
} as const;

/** Plugins the harness's Connect worker has (Maven Central); other connector classes cannot run here. */
async function installedPlugins(ctx: E2eContext): Promise<Set<string>> {
    const res = await fetch(`${ctx.connect.url}/connector-plugins`);
    return new Set(((await res.json()) as { class: string }[]).map((p) => p.class));
}

async function deployConnector(ctx: E2eContext, c: RecordedConnector, sensitive: Record<string, string>): Promise<void> {
    const { config } = harnessConnectorConfig(c.name, c.config, ctx.endpoints);
    const urn = urnOf(ctx.plan.run, c.resource);
    const props = engineProps(c.resource, { endpoint: ctx.connect.url, config, configSensitive: sensitive });
    const checked = await ctx.host.check(urn, {}, props);
    if (checked.failures.length) throw new Error(`${c.name}: check failed: ${JSON.stringify(checked.failures)}`);
    const created = await ctx.host.create(urn, checked.inputs);
    ctx.deployed.set(c.resource.name, { urn, id: created.id, outs: created.outs });
}

/** The sensitive values of a connector, generated for this run (the recorded ones are the mocks'). */
function sensitiveFor(ctx: E2eContext, c: RecordedConnector): Record<string, string> {
    const out: Record<string, string> = {};
    for (const key of Object.keys(c.configSensitive)) {
        if (key === "database.password") out[key] = ctx.secrets.cdcPassword;
        else if (key === "connection.password") out[key] = ctx.secrets.postgresPassword;
        else out[key] = c.configSensitive[key];
    }
    return out;
}

const deploy: Hop = {
    name: HOP_NAMES.deploy,
    async run(ctx) {
        const plugins = await installedPlugins(ctx);
        const runnable = [...ctx.plan.cdcConnectors, ...ctx.plan.sinkConnectors].filter((c) => plugins.has(c.config["connector.class"]));
        const skipped = [...ctx.plan.cdcConnectors, ...ctx.plan.sinkConnectors].filter((c) => !plugins.has(c.config["connector.class"]));
        if (ctx.plan.cdcConnectors.some((c) => !plugins.has(c.config["connector.class"]))) {
            return { ok: false, detail: `the CDC connector class ${ctx.plan.cdcConnectors[0].config["connector.class"]} is not installed on the worker` };
        }
        const started = Date.now();
        ctx.connectorsCreatedAt = started;
        const results = await Promise.allSettled(runnable.map((c) => deployConnector(ctx, c, sensitiveFor(ctx, c))));
        const errors = results.flatMap((r, i) => (r.status === "rejected" ? [`${runnable[i].name}: ${(r.reason as Error).message.split("\n").slice(0, 6).join(" | ")}`] : []));
        const names = runnable.map((c) => c.name).join(", ");
        const notHere = skipped.length ? `; not runnable here (plugin not in a reachable registry): ${skipped.map((c) => `${c.name} (${c.config["connector.class"]})`).join(", ")}` : "";
        if (errors.length) return { ok: false, detail: errors.join("; ") };
        return { ok: true, latencyMs: Date.now() - started, detail: `RUNNING: ${names}${notHere}` };
    },
};

/** `<prefix>.<db>.<table>` of a captured table, from the recorded connector config. */
function topicOf(ctx: E2eContext, domain: string, table: string): string {
    const c = ctx.plan.cdcConnectors.find((x) => x.name.endsWith(`-${domain}-cdc`));
    if (!c) throw new Error(`no CDC connector for domain ${domain}`);
    const db = DOMAINS.find((d) => d.name === domain)!.database;
    return `${c.config["topic.prefix"]}.${db}.${table}`;
}

const payload = (r: SeenRecord) => r.value?.payload;

const snapshot: Hop = {
    name: HOP_NAMES.snapshot,
    after: [HOP_NAMES.deploy],
    async run(ctx) {
        const problems: string[] = [];
        let rows = 0;
        let last = 0;
        // One bound for all tables: a broken connector costs two minutes, not two per table.
        const deadline = Date.now() + 120_000;
        for (const domain of DOMAINS) {
            for (const table of domain.tables) {
                const [{ n }] = await ctx.mariadb.query<{ n: number }[]>(`SELECT COUNT(*) AS n FROM \`${domain.database}\`.\`${table.name}\``);
                const expected = Number(n);
                rows += expected;
                const topic = topicOf(ctx, domain.name, table.name);
                const seen = () => ctx.watcher.on(topic).filter((r) => payload(r)?.op === "r");
                const done = await ctx.watcher.waitFor(() => seen().length >= expected, Math.max(1, deadline - Date.now()));
                if (expected > 0 && !done) problems.push(`${topic}: ${seen().length} of ${expected} seed rows`);
                const keys = new Set(seen().map((r) => JSON.stringify(r.key?.payload)));
                if (keys.size !== seen().length) problems.push(`${topic}: duplicate snapshot keys`);
                for (const r of seen()) last = Math.max(last, r.arrivedAt);
            }
        }
        if (rows === 0) problems.push("no seed rows in MariaDB (seedData off?)");
        if (problems.length) return { ok: false, detail: problems.join("; ") };
        return { ok: true, latencyMs: last - ctx.connectorsCreatedAt!, detail: `${rows} seed rows as op=r in ${DOMAINS.reduce((n, d) => n + d.tables.length, 0)} topics (latency: connector create -> last snapshot record)` };
    },
};

/** Problems with one CDC record for a committed change; empty when it is right. */
export function envelopeProblems(record: SeenRecord, change: { op: "c" | "u" | "d"; id: number; key: string; updated: { column: string; value: string } }): string[] {
    const p = record.value?.payload;
    const problems: string[] = [];
    const keyPayload = record.key?.payload;
    if (!keyPayload || Object.keys(keyPayload).length !== 1 || Number(keyPayload[change.key]) !== change.id) problems.push(`key ${JSON.stringify(keyPayload)} is not {${change.key}: ${change.id}}`);
    if (!p) return [...problems, "no value"];
    if (p.op !== change.op) problems.push(`op ${p.op}, expected ${change.op}`);
    if (change.op === "c" && (p.before !== null || !p.after)) problems.push("insert without after / with before");
    if (change.op === "u" && (!p.before || !p.after || String(p.after[change.updated.column]) !== change.updated.value)) problems.push(`update without before/after or ${change.updated.column} != ${change.updated.value}`);
    if (change.op === "d" && (!p.before || p.after !== null)) problems.push("delete without before / with after");
    if (!p.source || typeof p.source.file !== "string" || !p.source.file || typeof p.source.pos !== "number") problems.push("source.file/pos missing");
    return problems;
}

const INSERTS_PER_TABLE = 15;
const DELETES_PER_TABLE = 8;
const PACE_MS = 15;

const cdc: Hop = {
    name: HOP_NAMES.cdc,
    after: [HOP_NAMES.deploy],
    async run(ctx) {
        const { connectMySql } = await import("../components/source");
        const conns = new Map<string, Awaited<ReturnType<typeof connectMySql>>>();
        for (const d of CHANGE_DRIVERS) conns.set(d.database, await connectMySql({ ...ctx.mariadb.rootEndpoint, database: d.database }));
        const planned = planChanges(CHANGE_DRIVERS, INSERTS_PER_TABLE, DELETES_PER_TABLE);
        try {
            for (const change of planned) {
                const conn = conns.get(change.driver.database)!;
                const { sql, params } =
                    change.op === "c"
                        ? change.driver.insert(change.id)
                        : change.op === "u"
                          ? change.driver.update(change.id)
                          : { sql: `DELETE FROM ${change.driver.table} WHERE ${change.driver.key} = ?`, params: [change.id] };
                await conn.query(sql, params);
                ctx.committed.push({ ...change, committedAt: Date.now() });
                await sleep(PACE_MS);
            }
        } finally {
            for (const c of conns.values()) await c.end().catch(() => undefined);
        }
        const latencies: number[] = [];
        const problems: string[] = [];
        // One bound for the whole batch: a missing record costs the rest of it, not a minute each.
        const deadline = Date.now() + 60_000;
        const left = () => Math.max(1, deadline - Date.now());
        for (const change of ctx.committed) {
            const topic = topicOf(ctx, change.driver.domain, change.driver.table);
            const record = await ctx.watcher.waitFor(
                (r) => r.topic === topic && payload(r)?.op === change.op && Number(r.key?.payload?.[change.driver.key]) === change.id,
                left(),
            );
            if (!record) {
                problems.push(`${topic}: no op=${change.op} record for ${change.driver.key}=${change.id}`);
                continue;
            }
            const wrong = envelopeProblems(record, { op: change.op, id: change.id, key: change.driver.key, updated: change.driver.updated });
            if (wrong.length) problems.push(`${topic} ${change.op} ${change.id}: ${wrong.join(", ")}`);
            latencies.push(record.arrivedAt - change.committedAt);
            if (change.op === "d") {
                const tombstone = await ctx.watcher.waitFor((r) => r.topic === topic && r.value === null && Number(r.key?.payload?.[change.driver.key]) === change.id, left());
                if (!tombstone) problems.push(`${topic}: no tombstone after the delete of ${change.id} (tombstones.on.delete=true)`);
            }
        }
        if (problems.length) return { ok: false, latencies, detail: `${problems.length} problem(s): ${problems.slice(0, 4).join("; ")}` };
        return { ok: true, latencies, detail: `${ctx.committed.length} changes (insert/update/delete) in ${CHANGE_DRIVERS.map((d) => `${d.database}.${d.table}`).join(", ")}` };
    },
};

/** Connect's own topics and Kafka's: created by the worker/broker, not by the platform. */
const INTERNAL_TOPIC = /^(__consumer_offsets|__transaction_state|_lifesci-e2e-connect-)/;

const topicsCreated: Hop = {
    name: HOP_NAMES.topics,
    after: [HOP_NAMES.deploy],
    async run(ctx) {
        const problems: string[] = [];
        const statuses: string[] = [];
        for (const name of ctx.deployed.keys()) {
            const connector = [...ctx.plan.cdcConnectors, ...ctx.plan.sinkConnectors].find((c) => c.resource.name === name);
            if (!connector) continue;
            const res = await fetch(`${ctx.connect.url}/connectors/${encodeURIComponent(connector.name)}/status`);
            const status = (await res.json()) as { connector: { state: string }; tasks: { id: number; state: string; trace?: string }[] };
            statuses.push(`${connector.name} ${status.connector?.state}`);
            for (const t of status.tasks ?? []) if (t.state !== "RUNNING") problems.push(`${connector.name} task ${t.id} ${t.state}: ${(t.trace ?? "").split("\n")[0]}`);
        }
        const res = await fetch(`${ctx.connect.url}/connectors?expand=info`);
        const known = (await res.json()) as Record<string, unknown>;
        const topicsRes = await Promise.all(Object.keys(known).map(async (n) => ((await (await fetch(`${ctx.connect.url}/connectors/${encodeURIComponent(n)}/topics`)).json()) as Record<string, { topics: string[] }>)[n]?.topics ?? []));
        const written = new Set(topicsRes.flat());
        const missing = [...written].filter((t) => !ctx.createdTopics.has(t) && !INTERNAL_TOPIC.test(t));
        if (missing.length) problems.push(`written but not created by the platform: ${missing.join(", ")}`);
        if (problems.length) return { ok: false, detail: problems.join("; ") };
        return { ok: true, detail: `${written.size} topics written (Connect's topic tracking), all created beforehand; tasks RUNNING: ${statuses.length}` };
    },
};

const warehouse: Hop = { name: HOP_NAMES.warehouse, after: [HOP_NAMES.cdc], run: warehouseHop };
const batchRelease: Hop = { name: HOP_NAMES.batchRelease, after: [HOP_NAMES.snapshot], run: batchReleaseHop };
const statusWarehouse: Hop = { name: HOP_NAMES.statusWarehouse, after: [HOP_NAMES.batchRelease], run: statusWarehouseHop };
const migration: Hop = { name: HOP_NAMES.migration, after: [HOP_NAMES.deploy], run: migrationHop };
const addTable: Hop = { name: HOP_NAMES.addTable, after: [HOP_NAMES.deploy], run: addTableHop };
const heartbeat: Hop = { name: HOP_NAMES.heartbeat, after: [HOP_NAMES.deploy], run: heartbeatHop };

/** What cannot run on this machine, said in the output rather than skipped silently. */
const notHere = (name: string, why: string): Hop => ({ name, run: async () => ({ ok: true, notRun: true, detail: why }) });

/** The hops, in the order they run. */
export const HOPS: Hop[] = [
    deploy,
    snapshot,
    cdc,
    warehouse,
    migration,
    addTable,
    heartbeat,
    batchRelease,
    statusWarehouse,
    // Last: after every hop has written what it writes.
    topicsCreated,
    notHere(HOP_NAMES.ksqldb, "ksqlDB is in no reachable registry (Confluent's images and packages only); the grammar, replay and contract tests cover the apps"),
    notHere(HOP_NAMES.s3, "the Confluent S3 sink (Confluent Hub) and MinIO (Docker Hub) are not reachable; the mapping, policy and replication tests cover them"),
];
