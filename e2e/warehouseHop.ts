// The warehouse hop: the local stack's CDC sink (Debezium JDBC sink) lands every change of the
// warehouse tables in PostgreSQL, in the columns and types of the local warehouse DDL: each
// committed change is waited for (commit -> visible row, p50/p99), then every row is compared with
// MariaDB's, value by value (dates as dates, timestamps at the connector's millisecond precision,
// decimals exact), deletes as the unwrap transform's __deleted rows.
import { DOMAINS, WAREHOUSE_TABLES } from "../components/catalog";
import { WAREHOUSE_SCHEMAS } from "../components/sinks";
import type { E2eContext } from "./harness";
import type { HopOutcome } from "./hops";
import { connectWarehouse, sleep } from "./runtime";

export const DELETED_COLUMN = "__deleted";

/**
 * One value as text for comparison: timestamps cut to milliseconds (time.precision.mode=connect),
 * trailing fractional zeros dropped (PostgreSQL prints 08:00:00.5, MariaDB 08:00:00.500000),
 * booleans as 1/0 (MySQL BOOLEAN is TINYINT(1)).
 */
export function comparable(value: unknown): string | null {
    if (value === null || value === undefined) return null;
    let text = String(value);
    if (text === "t" || text === "true") return "1";
    if (text === "f" || text === "false") return "0";
    const ts = /^(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2})(?:\.(\d+))?$/.exec(text);
    if (ts) {
        const ms = (ts[2] ?? "").slice(0, 3).replace(/0+$/, "");
        return `${ts[1].replace("T", " ")}${ms ? `.${ms}` : ""}`;
    }
    if (/^-?\d+\.\d+$/.test(text)) text = text.replace(/0+$/, "").replace(/\.$/, "");
    return text;
}

/** Differences between a source row and its warehouse row, column by column (the warehouse's columns). */
export function rowDifferences(source: Record<string, unknown>, warehouse: Record<string, unknown>): string[] {
    const out: string[] = [];
    for (const [column, value] of Object.entries(warehouse)) {
        if (column === DELETED_COLUMN) continue;
        if (!(column in source)) continue;
        const [a, b] = [comparable(source[column]), comparable(value)];
        if (a !== b) out.push(`${column}: source ${a} vs warehouse ${b}`);
    }
    return out;
}

interface WarehouseTarget {
    database: string;
    table: string;
    key: string;
    relation: string;
}

function targets(): WarehouseTarget[] {
    return WAREHOUSE_TABLES.flatMap((t) => {
        if (t.source.kind !== "cdc") return [];
        const source = t.source;
        const domain = DOMAINS.find((d) => d.name === source.domain)!;
        const key = domain.tables.find((x) => x.name === source.table)!.primaryKey;
        if (key.length !== 1) return [];
        return [{ database: domain.database, table: source.table, key: key[0], relation: `"${WAREHOUSE_SCHEMAS.cdc}"."${t.name}"` }];
    });
}

export async function warehouseHop(ctx: E2eContext): Promise<HopOutcome> {
    const sink = ctx.plan.sinkConnectors.find((c) => c.name.endsWith("-snowflake-cdc"));
    if (!sink || !ctx.deployed.has(sink.resource.name)) return { ok: false, detail: "the local stack's CDC warehouse sink was not deployed (its plugin is not on the worker)" };
    const pg = await connectWarehouse(ctx.postgres, { valuesAsText: true });
    const { connectMySql } = await import("../components/source");
    const mysql = await connectMySql(ctx.mariadb.rootEndpoint);
    try {
        const byTable = new Map(targets().map((t) => [`${t.database}.${t.table}`, t]));
        const pending = ctx.committed.filter((c) => byTable.has(`${c.driver.database}.${c.driver.table}`));
        const seenAt = new Map<number, number>();
        const deadline = Date.now() + 90_000;
        while (seenAt.size < pending.length && Date.now() < deadline) {
            const rows = new Map<string, Map<number, Record<string, unknown>>>();
            for (const t of new Set(pending.map((c) => byTable.get(`${c.driver.database}.${c.driver.table}`)!))) {
                const res = await pg.query(`SELECT * FROM ${t.relation} WHERE "${t.key}" >= 900000`);
                rows.set(t.relation, new Map(res.rows.map((r: Record<string, unknown>) => [Number(r[t.key]), r])));
            }
            const now = Date.now();
            pending.forEach((c, i) => {
                if (seenAt.has(i)) return;
                const row = rows.get(byTable.get(`${c.driver.database}.${c.driver.table}`)!.relation)!.get(c.id);
                if (!row) return;
                const deleted = row[DELETED_COLUMN] === "true";
                const seen = c.op === "c" || (c.op === "u" ? deleted || String(row[c.driver.updated.column]) === c.driver.updated.value : deleted);
                if (seen) seenAt.set(i, now);
            });
            await sleep(100);
        }
        const latencies = [...seenAt.entries()].map(([i, at]) => at - pending[i].committedAt);
        const problems: string[] = [];
        if (seenAt.size < pending.length) {
            const missing = pending.filter((_, i) => !seenAt.has(i)).slice(0, 3).map((c) => `${c.driver.table} ${c.op} ${c.id}`);
            problems.push(`${pending.length - seenAt.size} of ${pending.length} changes not in PostgreSQL within 90 s (e.g. ${missing.join(", ")})`);
        }
        // Every row, seed and new, against the source: live rows equal, deleted rows marked.
        let compared = 0;
        for (const t of byTable.values()) {
            const [source] = await mysql.query(`SELECT * FROM \`${t.database}\`.\`${t.table}\``);
            const res = await pg.query(`SELECT * FROM ${t.relation}`);
            const warehouse = new Map(res.rows.map((r: Record<string, unknown>) => [String(r[t.key]), r]));
            for (const row of source as Record<string, unknown>[]) {
                const w = warehouse.get(String(row[t.key]));
                compared++;
                if (!w) problems.push(`${t.relation}: no row for ${t.key}=${row[t.key]}`);
                else {
                    const diff = rowDifferences(row, w);
                    if (diff.length) problems.push(`${t.relation} ${t.key}=${row[t.key]}: ${diff.slice(0, 3).join("; ")}`);
                    if (w[DELETED_COLUMN] === "true") problems.push(`${t.relation} ${t.key}=${row[t.key]}: live row marked deleted`);
                }
                warehouse.delete(String(row[t.key]));
            }
            for (const [key, w] of warehouse) if (w[DELETED_COLUMN] !== "true") problems.push(`${t.relation}: row ${t.key}=${key} deleted at the source but not marked ${DELETED_COLUMN}`);
        }
        const detail = `${pending.length} changes of ${[...byTable.values()].map((t) => t.relation).join(", ")}; ${compared} live rows equal to MariaDB's column by column; deletes as ${DELETED_COLUMN}=true`;
        if (problems.length) return { ok: false, latencies, detail: `${problems.length} problem(s): ${problems.slice(0, 4).join("; ")}` };
        return { ok: true, latencies, detail };
    } finally {
        await pg.end().catch(() => undefined);
        await mysql.end().catch(() => undefined);
    }
}
