// Hops that change the running platform the way a deploy does, through the same providers in
// Pulumi's dynamic-provider host: a migration applied while the connectors run (checked against
// schema:check's verdict), and a captured table added by the README's recipe (backfilled once by
// the signal table's incremental snapshot). Plus the heartbeat topic.
import * as fs from "fs";
import * as path from "path";
import { DOMAINS, Domain, cdcTopics } from "../components/catalog";
import { readMigrationDir } from "../components/source";
import { localCdcSourceConfig } from "../local/connectorMapping";
import { runSchemaCheck, stackCheckSettings } from "../scripts/checks/schemaCheck";
import { REPO_ROOT } from "../scripts/mockEngine";
import { E2eContext, bootstrapProps } from "./harness";
import type { HopOutcome } from "./hops";
import { RecordedConnector, engineProps, urnOf } from "./localStack";
import { kafkaAdmin, tempDir } from "./runtime";
import type { SeenRecord } from "./topicWatcher";

const payload = (r: SeenRecord) => r.value?.payload;

function cdcConnector(ctx: E2eContext, domain: Domain): RecordedConnector {
    const c = ctx.plan.cdcConnectors.find((x) => x.name.endsWith(`-${domain.name}-cdc`));
    if (!c) throw new Error(`no CDC connector for domain ${domain.name}`);
    return c;
}

/** The heartbeat topic each CDC connector writes (`<topic.heartbeat.prefix>.<topic.prefix>`) is one the program created, and heartbeats arrive. */
export async function heartbeatHop(ctx: E2eContext): Promise<HopOutcome> {
    const problems: string[] = [];
    const firsts: number[] = [];
    for (const domain of DOMAINS) {
        const config = cdcConnector(ctx, domain).config;
        const topic = `${config["topic.heartbeat.prefix"] ?? "__debezium-heartbeat"}.${config["topic.prefix"]}`;
        if (!ctx.createdTopics.has(topic)) {
            problems.push(`${domain.name}: the connector writes heartbeats to ${topic}, which the program does not create`);
            continue;
        }
        const interval = Number(config["heartbeat.interval.ms"] ?? 0);
        if (!(interval > 0)) {
            problems.push(`${domain.name}: heartbeat.interval.ms is not set: no heartbeats`);
            continue;
        }
        const wait = Math.max(1, ctx.connectorsCreatedAt! + interval + 30_000 - Date.now());
        const first = await ctx.watcher.waitFor((r) => r.topic === topic, wait);
        if (!first) problems.push(`${domain.name}: no heartbeat on ${topic} within heartbeat.interval.ms (${interval} ms) + 30 s`);
        else firsts.push(first.arrivedAt - ctx.connectorsCreatedAt!);
    }
    if (problems.length) return { ok: false, detail: problems.join("; ") };
    return { ok: true, latencyMs: Math.max(...firsts), detail: `heartbeats on the program's ${DOMAINS.length} heartbeat topics (latency: connector create -> first heartbeat; interval ${cdcConnector(ctx, DOMAINS[0]).config["heartbeat.interval.ms"]} ms)` };
}

/** A copy of the repository's migration folders with one more migration, for schema:check and the bootstrap. */
function withMigration(domain: Domain, version: number, description: string, sql: string): { root: string; migrations: ReturnType<typeof readMigrationDir>["migrations"]; seed?: string } {
    const root = tempDir();
    for (const d of DOMAINS) fs.cpSync(path.join(REPO_ROOT, "sql", "mysql", d.name), path.join(root, "sql", "mysql", d.name), { recursive: true });
    const dir = path.join(root, "sql", "mysql", domain.name);
    fs.writeFileSync(path.join(dir, `V${String(version).padStart(3, "0")}__${description}.sql`), sql);
    return { root, ...readMigrationDir(dir, `sql/mysql/${domain.name}`) };
}

/** The bootstrap, updated in the host with `databases` changed for one domain (what a deploy of a new migration does). */
async function applyMigrationThroughBootstrap(ctx: E2eContext, domain: Domain, migrations: unknown[]): Promise<void> {
    const deployed = ctx.deployed.get(ctx.plan.bootstrap.name)!;
    // The last deployed inputs: migrations of earlier hops stay applied (and in the "repository").
    const base = deployed.inputs ?? bootstrapProps(ctx);
    const databases = (base.databases as { name: string; migrations: unknown[] }[]).map((d) => (d.name === domain.database ? { ...d, migrations } : d));
    const news = { ...base, databases };
    const checked = await ctx.host.check(deployed.urn, deployed.outs, news);
    if (checked.failures.length) throw new Error(`bootstrap check: ${JSON.stringify(checked.failures)}`);
    const outs = await ctx.host.update(deployed.urn, deployed.id, deployed.outs, checked.inputs);
    ctx.deployed.set(ctx.plan.bootstrap.name, { ...deployed, outs, inputs: checked.inputs });
}

/** Connect schema fields of the `after` struct of a JsonConverter record. */
function afterFields(r: SeenRecord): { field: string; type: string; optional: boolean }[] {
    const after = (r.value?.schema?.fields as { field: string; fields?: { field: string; type: string; optional: boolean }[] }[] | undefined)?.find((f) => f.field === "after");
    return after?.fields ?? [];
}

export const MIGRATION = { domain: "sap", table: "sales_orders", column: "e2e_note", version: 900 } as const;

/** A migration applied while the connector runs: the next change event carries the new column, as schema:check predicted. */
export async function migrationHop(ctx: E2eContext): Promise<HopOutcome> {
    const domain = DOMAINS.find((d) => d.name === MIGRATION.domain)!;
    const topic = `${cdcConnector(ctx, domain).config["topic.prefix"]}.${domain.database}.${MIGRATION.table}`;
    const before = ctx.watcher.on(topic).find((r) => payload(r)?.after);
    if (!before) return { ok: false, detail: `no earlier record on ${topic} to compare the schema with` };
    const sql = `ALTER TABLE ${MIGRATION.table} ADD COLUMN ${MIGRATION.column} VARCHAR(40) NULL;\n`;
    const copy = withMigration(domain, MIGRATION.version, "e2e_note", sql);
    try {
        // schema:check's verdict on exactly this migration (scratch databases on the same MariaDB).
        const settings = stackCheckSettings(REPO_ROOT, "local");
        const { connectMySql } = await import("../components/source");
        const conn = await connectMySql(ctx.mariadb.rootEndpoint);
        const report = await runSchemaCheck({ repoRoot: copy.root, conn, basePrefix: settings.basePrefix, settings: settings.typeSettings, modeFor: settings.modeFor, domains: [domain], scratchPrefix: "e2e_schema_check" }).finally(() => conn.end());
        const verdict = report.subjects.find((s) => s.subject === `${topic}-value`);
        if (!verdict) return { ok: false, detail: `schema:check reports nothing for ${topic}-value: ${JSON.stringify(report.errors)}` };

        await applyMigrationThroughBootstrap(ctx, domain, copy.migrations);
        const id = 990_001;
        const conn2 = await connectMySql({ ...ctx.mariadb.rootEndpoint, database: domain.database });
        let committedAt: number;
        try {
            await conn2.query(
                `INSERT INTO ${MIGRATION.table} (order_id, order_number, plant, customer_id, ${MIGRATION.column}) VALUES (?, 'E2E990001', 'DE01', 'C-E2E', 'after the migration')`,
                [id],
            );
            committedAt = Date.now();
        } finally {
            await conn2.end();
        }
        const record = await ctx.watcher.waitFor((r) => r.topic === topic && payload(r)?.op === "c" && Number(r.key?.payload?.order_id) === id, 60_000);
        if (!record) return { ok: false, detail: `no change event on ${topic} after the migration (connector stopped? schema:check said ${verdict.compatible ? "compatible" : "incompatible"})` };
        const emittedNew = afterFields(record).filter((f) => !afterFields(before).some((b) => b.field === f.field));
        const predictedNew = verdict.changes.filter((c) => c.kind === "added").map((c) => c.column);
        const problems: string[] = [];
        if (payload(record).after?.[MIGRATION.column] !== "after the migration") problems.push(`after.${MIGRATION.column} is ${JSON.stringify(payload(record).after?.[MIGRATION.column])}`);
        if (JSON.stringify(emittedNew.map((f) => f.field)) !== JSON.stringify(predictedNew)) problems.push(`schema:check predicted added ${JSON.stringify(predictedNew)}, the connector emitted new fields ${JSON.stringify(emittedNew.map((f) => f.field))}`);
        if (emittedNew.some((f) => !f.optional)) problems.push("the new column was emitted as required; schema:check predicted a nullable (optional) field");
        if (!verdict.compatible) problems.push(`schema:check says ${verdict.mode}-incompatible, yet the connector emitted the change: ${JSON.stringify(verdict.problems)}`);
        if (problems.length) return { ok: false, latencyMs: record.arrivedAt - committedAt, detail: problems.join("; ") };
        return {
            ok: true,
            latencyMs: record.arrivedAt - committedAt,
            detail: `V${MIGRATION.version} (ADD COLUMN ${MIGRATION.column} NULL) through the bootstrap: next event carries it as an optional ${emittedNew[0]?.type}; schema:check: ${verdict.mode} compatible, added [${predictedNew.join(", ")}]`,
        };
    } finally {
        fs.rmSync(copy.root, { recursive: true, force: true });
    }
}

export const ADDED_TABLE = { domain: "lims", table: "e2e_instruments", key: "instrument_id", rows: 3, version: 901 } as const;

/** The keys of the local connector config that adding a table to the catalog changes, from the program's own builder. */
export function configChangeOfAddedTable(domain: Domain, table: string, key: string): Record<string, string> {
    const settings = { namePrefix: "x", basePrefix: "x", mysqlHost: "h", mysqlPort: 1, user: "u", cdc: { snapshotMode: "initial", sslMode: "required", heartbeatIntervalMs: 1 } as never, serverId: 1, kafka: { bootstrapServers: "k", schemaRegistryUrl: "s" } };
    const before = localCdcSourceConfig({ ...settings, domain }).config;
    const after = localCdcSourceConfig({ ...settings, domain: { ...domain, tables: [...domain.tables, { name: table, primaryKey: [key], description: "added by the e2e run" }] } }).config;
    return Object.fromEntries(Object.entries(after).filter(([k, v]) => before[k] !== v));
}

/** The README's recipe for adding a captured table, run for real: its existing rows arrive once, through the signal table. */
export async function addTableHop(ctx: E2eContext): Promise<HopOutcome> {
    const domain = DOMAINS.find((d) => d.name === ADDED_TABLE.domain)!;
    const extended: Domain = { ...domain, tables: [...domain.tables, { name: ADDED_TABLE.table, primaryKey: [ADDED_TABLE.key], description: "added by the e2e run" }] };
    // 1. The migration with the table and its existing rows, through the bootstrap.
    const values = Array.from({ length: ADDED_TABLE.rows }, (_, i) => `('INS-${i + 1}', 'instrument ${i + 1}')`).join(", ");
    const copy = withMigration(domain, ADDED_TABLE.version, ADDED_TABLE.table, `CREATE TABLE ${ADDED_TABLE.table} (\n  ${ADDED_TABLE.key} VARCHAR(32) NOT NULL PRIMARY KEY,\n  name VARCHAR(64) NOT NULL\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\nINSERT INTO ${ADDED_TABLE.table} VALUES ${values};\n`);
    try {
        await applyMigrationThroughBootstrap(ctx, domain, copy.migrations);
    } finally {
        fs.rmSync(copy.root, { recursive: true, force: true });
    }
    // 2. The catalog entry's topic, created before the connector may write it (as the program's topics come first).
    const connector = cdcConnector(ctx, domain);
    const basePrefix = connector.config["topic.prefix"].slice(0, -`.${domain.name}`.length);
    const like = ctx.plan.topics.find((t) => t.name.startsWith(`${connector.config["topic.prefix"]}.${domain.database}.`));
    const newTopics = cdcTopics(basePrefix, extended).filter((t) => !ctx.createdTopics.has(t.name));
    const admin = kafkaAdmin(ctx.kafka.bootstrap);
    await admin.connect();
    try {
        await admin.createTopics({ waitForLeaders: true, topics: newTopics.map((t) => ({ topic: t.name, numPartitions: like?.partitions ?? 1, replicationFactor: 1, configEntries: Object.entries(like?.configs ?? {}).map(([name, value]) => ({ name, value })) })) });
    } finally {
        await admin.disconnect();
    }
    for (const t of newTopics) ctx.createdTopics.add(t.name);
    await ctx.watcher.addTopics(newTopics.map((t) => t.name));

    // 3. The connector update (the include list the builder derives from the catalog), in the host.
    const deployedConnector = ctx.deployed.get(connector.resource.name)!;
    const change = configChangeOfAddedTable(domain, ADDED_TABLE.table, ADDED_TABLE.key);
    const { connectorState: _s, taskStates: _t, workerId: _w, ...inputs } = deployedConnector.outs;
    const connectorNews = { ...inputs, config: { ...(inputs.config as Record<string, string>), ...change } };
    const connectorOuts = await ctx.host.update(deployedConnector.urn, deployedConnector.id, deployedConnector.outs, connectorNews);
    ctx.deployed.set(connector.resource.name, { ...deployedConnector, outs: connectorOuts });

    // 4. The snapshot signal resource, updated after the connector: writes one execute-snapshot signal.
    const signal = ctx.plan.snapshotSignals.find((r) => r.name.endsWith(`-${domain.name}-snapshot-signal`));
    if (!signal) return { ok: false, detail: `the local stack has no snapshot signal for ${domain.name}` };
    // The signal writer logs in as the CDC user (its recorded user); only the password is this run's.
    const signalProps = engineProps(signal, { host: ctx.mariadb.host, port: ctx.mariadb.port, password: ctx.secrets.cdcPassword });
    const urn = urnOf(ctx.plan.run, signal);
    const first = await ctx.host.create(urn, (await ctx.host.check(urn, {}, signalProps)).inputs);
    const signalledAt = Date.now();
    const updated = await ctx.host.update(urn, first.id, first.outs, { ...signalProps, tables: [...(signalProps.tables as string[]), ADDED_TABLE.table] });
    const signalIds = updated.signalIds as string[];
    if (!signalIds || signalIds.length !== 1) return { ok: false, detail: `the signal provider wrote ${JSON.stringify(signalIds)} signals, expected one` };

    // 5. Existing rows arrive as op=r, once.
    const topic = newTopics[0]?.name ?? `${connector.config["topic.prefix"]}.${domain.database}.${ADDED_TABLE.table}`;
    const rows = () => ctx.watcher.on(topic).filter((r) => payload(r)?.op === "r");
    const done = await ctx.watcher.waitFor(() => rows().length >= ADDED_TABLE.rows, 90_000);
    if (!done) return { ok: false, detail: `${rows().length} of ${ADDED_TABLE.rows} existing rows of ${domain.database}.${ADDED_TABLE.table} arrived on ${topic} within 90 s of the signal` };
    const last = Math.max(...rows().map((r) => r.arrivedAt));
    // A second deploy with the same catalog writes no second signal.
    const again = await ctx.host.diff(urn, first.id, updated, { ...signalProps, tables: [...(signalProps.tables as string[]), ADDED_TABLE.table] });
    await new Promise((r) => setTimeout(r, 3000));
    const keys = rows().map((r) => JSON.stringify(r.key?.payload));
    const problems: string[] = [];
    if (new Set(keys).size !== keys.length || keys.length !== ADDED_TABLE.rows) problems.push(`backfilled ${keys.length} records for ${ADDED_TABLE.rows} rows (${new Set(keys).size} distinct keys)`);
    if (again.changes !== "none") problems.push(`a re-deploy with the same tables has changes (${again.changes}): it would signal again`);
    if (problems.length) return { ok: false, detail: problems.join("; ") };
    return {
        ok: true,
        latencyMs: last - signalledAt,
        detail: `V${ADDED_TABLE.version} + catalog entry ${domain.database}.${ADDED_TABLE.table}: topic created first, connector updated (${Object.keys(change).join(", ")}), one execute-snapshot signal; its ${ADDED_TABLE.rows} rows arrived once as op=r (latency: signal -> last row)`,
    };
}
