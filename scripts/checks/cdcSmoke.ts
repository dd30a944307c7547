// CDC smoke: insert, update and delete one row per domain and read the binlog as the CDC user,
// proving each change arrives with full before/after images for every column: what Debezium
// needs to emit complete change events. Rows it writes are deleted again by the test itself.
import type * as mysql from "mysql2/promise";
import type ZongJiType from "@vlasky/zongji";
import { DdlColumn, DdlTable, domainTables } from "../../components/ddl";
import { DOMAINS, Domain, SIGNAL_TABLE } from "../../components/catalog";
// The source's pure side, not its index: a CLI run must not load the Pulumi resources.
import { HISTORY_TABLE, MySqlEndpoint, connectMySql, mySqlAccessError, readEffectiveSchema, redact, tlsOptions } from "../../components/source/pure";

export type ChangeOp = "insert" | "update" | "delete";

export interface ObservedChange {
    op: ChangeOp;
    /** Milliseconds from sending the autocommit statement to receiving its binlog event. */
    latencyMs: number;
    /** Columns missing (or undefined) from the before/after images. */
    missingBefore: string[];
    missingAfter: string[];
}

export interface DomainSmokeResult {
    domain: string;
    table: string;
    /** The columns of the insert's row image, as the binlog carried them. */
    imageColumns: string[];
    changes: ObservedChange[];
    problems: string[];
}

export interface SmokeReport {
    ok: boolean;
    domains: DomainSmokeResult[];
}

export interface SmokeOptions {
    /** An account that may write to the captured tables (not the CDC user). */
    writer: MySqlEndpoint;
    /** The CDC user: reads the binlog exactly as the connector would. */
    reader: MySqlEndpoint;
    domains?: Domain[];
    /**
     * Each domain's tables; default: what the server reports (information_schema), so a column a
     * migration just added is written and looked for in the row images.
     */
    tablesOf?: (domain: Domain) => DdlTable[];
    /** How long to wait for each binlog event. */
    eventTimeoutMs?: number;
}

/** The table a domain's smoke writes to: its first captured table that references no other. */
export function smokeTable(domain: Domain, tables: DdlTable[] = domainTables(domain.name)): DdlTable {
    for (const captured of domain.tables) {
        const table = tables.find((t) => t.name === captured.name);
        if (table && table.references.length === 0) return table;
    }
    throw new Error(`domain ${domain.name}: every captured table has foreign keys; the smoke needs one without`);
}

/** A value of the column's type; `variant` makes update values differ from insert values. */
export function sampleValue(table: string, column: DdlColumn, tag: string, variant = 0): string | number {
    const length = column.args[0] ?? 255;
    switch (column.type) {
        case "TINYINT":
        case "BOOLEAN":
        case "BOOL":
            return variant ? 0 : 1;
        case "SMALLINT":
        case "MEDIUMINT":
        case "INT":
        case "INTEGER":
        case "BIGINT":
            return 7 + variant;
        case "DECIMAL":
        case "NUMERIC": {
            const scale = column.args[1] ?? 0;
            return (1 + variant).toFixed(scale);
        }
        case "CHAR":
        case "VARCHAR":
            return `${variant ? "u" : "s"}${tag}`.slice(0, length);
        case "ENUM":
            return column.enumValues![Math.min(variant, column.enumValues!.length - 1)];
        case "DATE":
            return variant ? "2026-02-02" : "2026-01-01";
        case "DATETIME":
        case "TIMESTAMP":
            return variant ? "2026-02-02 12:00:00.654321" : "2026-01-01 08:30:00.123456";
        default:
            throw new Error(`smoke: no sample value for type ${column.type} (${table}.${column.name})`);
    }
}

/** The column the update changes: a non-key column the server does not maintain itself. */
export function updateColumn(table: DdlTable): DdlColumn {
    const candidates = table.columns.filter((c) => !table.primaryKey.includes(c.name) && !c.autoIncrement && !c.hasDefault);
    const preferred = ["DECIMAL", "DATETIME", "INT", "SMALLINT", "BIGINT", "VARCHAR", "CHAR"];
    for (const type of preferred) {
        const column = candidates.find((c) => c.type === type);
        if (column) return column;
    }
    throw new Error(`smoke: table ${table.name} has no column the smoke can update`);
}

/**
 * Columns an image lacks. Binlog readers decode columns left out of a MINIMAL image as null, so
 * a null counts as missing where the column is NOT NULL or the smoke wrote a value to it.
 */
function missingColumns(table: DdlTable, row: Record<string, unknown> | undefined, written: ReadonlySet<string>): string[] {
    if (!row) return table.columns.map((c) => c.name);
    return table.columns
        .filter((c) => {
            const value = row[c.name];
            return value === undefined || (value === null && (!c.nullable || written.has(c.name)));
        })
        .map((c) => c.name);
}

type RowsEvent = { getEventName(): string; tableId: number; tableMap: Record<number, { parentSchema: string; tableName: string }>; rows: any[] };

/** Collects row events and lets callers wait for the one matching a predicate. */
class EventWaiter {
    private readonly seen: { at: number; event: RowsEvent }[] = [];
    private readonly waiters: { match: (e: RowsEvent) => boolean; resolve: (v: { at: number; event: RowsEvent }) => void }[] = [];

    push(event: RowsEvent): void {
        const entry = { at: performance.now(), event };
        const i = this.waiters.findIndex((w) => w.match(event));
        if (i >= 0) this.waiters.splice(i, 1)[0].resolve(entry);
        else this.seen.push(entry);
    }

    wait(match: (e: RowsEvent) => boolean, timeoutMs: number, what: string): Promise<{ at: number; event: RowsEvent }> {
        const i = this.seen.findIndex((s) => match(s.event));
        if (i >= 0) return Promise.resolve(this.seen.splice(i, 1)[0]);
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no binlog event for ${what} within ${timeoutMs} ms`)), timeoutMs);
            this.waiters.push({ match, resolve: (v) => (clearTimeout(timer), resolve(v)) });
        });
    }
}

async function startBinlogReader(reader: MySqlEndpoint, domains: Domain[], tables: Map<string, DdlTable>, waiter: EventWaiter) {
    // zongji is an ES module; from CommonJS its class is the default export.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ZongJi = (require("@vlasky/zongji") as { default: typeof ZongJiType }).default;
    const zongji = new ZongJi({
        host: reader.host,
        port: reader.port,
        user: reader.user,
        password: reader.password,
        // The same verification as every other connection (zongji passes `ssl` to mysql).
        ssl: tlsOptions(reader),
    } as never);
    const failure = new Promise<never>((_, reject) => {
        zongji.on("error", (err: Error) => reject(mySqlAccessError(redact(`binlog reader (${reader.user}): ${err.message}`, [reader.password]))));
    });
    failure.catch(() => undefined);
    zongji.on("binlog", (event) => waiter.push(event as unknown as RowsEvent));
    const ready = new Promise<void>((resolve) => zongji.on("ready", () => resolve()));
    zongji.start({
        startAtEnd: true,
        serverId: 1000 + Math.floor(Math.random() * 100000),
        includeEvents: ["tablemap", "writerows", "updaterows", "deleterows"],
        includeSchema: Object.fromEntries(domains.map((d) => [d.database, [tables.get(d.name)!.name]])),
    });
    await Promise.race([ready, failure]);
    return { zongji, failure };
}

async function smokeDomain(
    writer: mysql.Connection,
    waiter: EventWaiter,
    domain: Domain,
    table: DdlTable,
    timeoutMs: number,
): Promise<DomainSmokeResult> {
    const tag = `smk${Date.now().toString(36)}${domain.name.slice(0, 2)}`;
    const insertColumns = table.columns.filter((c) => !c.autoIncrement && !(c.hasDefault && !table.primaryKey.includes(c.name)));
    const values = insertColumns.map((c) => sampleValue(table.name, c, tag));
    const qualified = `\`${domain.database}\`.\`${table.name}\``;
    const writtenColumns = new Set(insertColumns.map((c) => c.name));
    const changes: ObservedChange[] = [];
    const problems: string[] = [];
    const isOurTable = (e: RowsEvent) => {
        const t = e.tableMap[e.tableId];
        return t?.parentSchema === domain.database && t?.tableName === table.name;
    };

    let start = performance.now();
    const [inserted] = await writer.query<mysql.ResultSetHeader>(
        `INSERT INTO ${qualified} (${insertColumns.map((c) => `\`${c.name}\``).join(", ")}) VALUES (${values.map(() => "?").join(", ")})`,
        values,
    );
    const key: Record<string, string> = {};
    for (const k of table.primaryKey) {
        const column = table.columns.find((c) => c.name === k)!;
        key[k] = column.autoIncrement ? String(inserted.insertId) : String(values[insertColumns.indexOf(column)]);
    }
    const keyMatches = (row: Record<string, unknown> | undefined) => !!row && table.primaryKey.every((k) => String(row[k]) === key[k]);
    const where = table.primaryKey.map((k) => `\`${k}\` = ?`).join(" AND ");
    const keyValues = table.primaryKey.map((k) => key[k]);

    const written = await waiter.wait((e) => e.getEventName() === "writerows" && isOurTable(e) && e.rows.some(keyMatches), timeoutMs, `insert into ${qualified}`);
    const insertRow = written.event.rows.find(keyMatches);
    changes.push({ op: "insert", latencyMs: written.at - start, missingBefore: [], missingAfter: missingColumns(table, insertRow, writtenColumns) });

    const column = updateColumn(table);
    start = performance.now();
    await writer.query(`UPDATE ${qualified} SET \`${column.name}\` = ? WHERE ${where}`, [sampleValue(table.name, column, tag, 1), ...keyValues]);
    const updated = await waiter.wait(
        // With MINIMAL images only the before image carries the key.
        (e) => e.getEventName() === "updaterows" && isOurTable(e) && e.rows.some((r) => keyMatches(r.before) || keyMatches(r.after)),
        timeoutMs,
        `update of ${qualified}`,
    );
    const update = updated.event.rows.find((r) => keyMatches(r.before) || keyMatches(r.after));
    changes.push({ op: "update", latencyMs: updated.at - start, missingBefore: missingColumns(table, update.before, writtenColumns), missingAfter: missingColumns(table, update.after, writtenColumns) });
    if (update.before && update.after && String(update.before[column.name]) === String(update.after[column.name])) {
        problems.push(`update: ${column.name} shows no change between before and after`);
    }

    start = performance.now();
    await writer.query(`DELETE FROM ${qualified} WHERE ${where}`, keyValues);
    const deleted = await waiter.wait((e) => e.getEventName() === "deleterows" && isOurTable(e) && e.rows.some(keyMatches), timeoutMs, `delete from ${qualified}`);
    changes.push({ op: "delete", latencyMs: deleted.at - start, missingBefore: missingColumns(table, deleted.event.rows.find(keyMatches), writtenColumns), missingAfter: [] });

    for (const change of changes) {
        if (change.missingBefore.length) problems.push(`${change.op}: before image lacks ${change.missingBefore.join(", ")}`);
        if (change.missingAfter.length) problems.push(`${change.op}: after image lacks ${change.missingAfter.join(", ")}`);
    }
    return { domain: domain.name, table: table.name, imageColumns: Object.keys(insertRow ?? {}), changes, problems };
}

/** Runs the smoke for every domain (or the given ones). */
export async function runCdcSmoke(options: SmokeOptions): Promise<SmokeReport> {
    const domains = options.domains ?? [...DOMAINS];
    const writer = await connectMySql(options.writer);
    const tables = new Map<string, DdlTable>();
    try {
        for (const d of domains) {
            const all = options.tablesOf ? options.tablesOf(d) : await readEffectiveSchema(writer, d.database, { exclude: [HISTORY_TABLE, SIGNAL_TABLE] });
            tables.set(d.name, smokeTable(d, all));
        }
    } catch (err) {
        await writer.end().catch(() => undefined);
        throw err;
    }
    const waiter = new EventWaiter();
    const { zongji, failure } = await startBinlogReader(options.reader, domains, tables, waiter).catch(async (err) => {
        await writer.end().catch(() => undefined);
        throw err;
    });
    try {
        const results: DomainSmokeResult[] = [];
        for (const domain of domains) {
            const result = smokeDomain(writer, waiter, domain, tables.get(domain.name)!, options.eventTimeoutMs ?? 10_000);
            results.push(await Promise.race([result, failure]));
        }
        return { ok: results.every((r) => r.problems.length === 0), domains: results };
    } finally {
        zongji.stop();
        await writer.end().catch(() => undefined);
    }
}

export function formatSmoke(report: SmokeReport): string {
    const lines = report.domains.map((d) => {
        const latency = d.changes.map((c) => `${c.op} ${c.latencyMs.toFixed(1)} ms`).join(", ");
        return `${d.problems.length ? "FAIL" : "PASS"}  ${d.domain.padEnd(10)} ${d.table.padEnd(16)} ${latency}${d.problems.length ? `\n      ${d.problems.join("\n      ")}` : ""}`;
    });
    lines.push(report.ok ? "result: every change carried full before/after images" : "result: CDC would miss data (see above)");
    return lines.join("\n");
}
