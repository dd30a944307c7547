// The changes the e2e run commits in MariaDB: inserts, updates and deletes in one table of each
// domain (the warehouse tables where a domain has one), paced one commit at a time so each change's
// commit -> record latency is its own. Ids start far above the seed data's.
import { DomainName } from "../components/catalog";

export type ChangeOp = "c" | "u" | "d";

export interface ChangeDriver {
    domain: DomainName;
    database: string;
    table: string;
    /** The table's primary key column (single-column keys only). */
    key: string;
    insert(id: number): { sql: string; params: unknown[] };
    update(id: number): { sql: string; params: unknown[] };
    /** A column the update changes and the value it sets, to recognise the update downstream. */
    updated: { column: string; value: string };
}

const upd = (table: string, key: string, column: string, value: string) => (id: number) => ({ sql: `UPDATE ${table} SET ${column} = ? WHERE ${key} = ?`, params: [value, id] });

export const CHANGE_DRIVERS: readonly ChangeDriver[] = [
    {
        domain: "sap",
        database: "sap_orders",
        table: "sales_orders",
        key: "order_id",
        insert: (id) => ({
            sql: "INSERT INTO sales_orders (order_id, order_number, plant, customer_id, status, requested_delivery, net_value, currency, created_at, status_changed_at) VALUES (?, ?, 'DE01', 'C-E2E', 'CREATED', '2026-12-24', 1234.56, 'EUR', '2026-12-03 08:15:02.123456', '2026-12-03 08:15:02.123456')",
            params: [id, String(id).padStart(10, "0")],
        }),
        update: upd("sales_orders", "order_id", "status", "RELEASED"),
        updated: { column: "status", value: "RELEASED" },
    },
    {
        domain: "lims",
        database: "lims",
        table: "spec_limits",
        key: "spec_id",
        insert: (id) => ({
            sql: "INSERT INTO spec_limits (spec_id, material_id, test_code, lower_limit, upper_limit, unit, spec_version, effective_from) VALUES (?, 'MAT-E2E', ?, 98.500001, 101.5, '%', 1, '2026-12-01 08:00:00.654321')",
            params: [id, `T${id}`],
        }),
        update: upd("spec_limits", "spec_id", "unit", "mg/g"),
        updated: { column: "unit", value: "mg/g" },
    },
    {
        domain: "mes",
        database: "mes",
        table: "batches",
        key: "batch_id",
        insert: (id) => ({
            sql: "INSERT INTO batches (batch_id, batch_number, plant, line_id, material_id, planned_qty, unit, started_at) VALUES (?, ?, 'DE01', 'L1', 'MAT-E2E', 1000.125, 'KG', '2026-12-02 06:00:00.5')",
            params: [id, `E${id}`],
        }),
        update: upd("batches", "batch_id", "status", "IN_PROGRESS"),
        updated: { column: "status", value: "IN_PROGRESS" },
    },
    {
        domain: "screening",
        database: "screening",
        table: "screening_runs",
        key: "run_id",
        insert: (id) => ({
            sql: "INSERT INTO screening_runs (run_id, run_code, assay_id, instrument_id, operator_id, plate_count) VALUES (?, ?, 'AS-E2E', 'INS-1', 'op-e2e', 4)",
            params: [id, `RUN-E2E-${id}`],
        }),
        update: upd("screening_runs", "run_id", "status", "RUNNING"),
        updated: { column: "status", value: "RUNNING" },
    },
];

export interface PlannedChange {
    driver: ChangeDriver;
    op: ChangeOp;
    id: number;
}

/**
 * Per table: `inserts` rows inserted, then each updated, then the first `deletes` deleted; the
 * tables interleaved so every connector works at once.
 */
export function planChanges(drivers: readonly ChangeDriver[], inserts: number, deletes: number, firstId = 900_001): PlannedChange[] {
    if (deletes > inserts) throw new Error(`planChanges: ${deletes} deletes of ${inserts} inserted rows`);
    const out: PlannedChange[] = [];
    const ids = Array.from({ length: inserts }, (_, i) => firstId + i);
    for (const op of ["c", "u", "d"] as const) {
        for (const id of op === "d" ? ids.slice(0, deletes) : ids) for (const driver of drivers) out.push({ driver, op, id });
    }
    return out;
}
