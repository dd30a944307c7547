// Contract: the Snowflake tables of the curated sink <-> what the ksqlDB apps write.
import { strict as assert } from "assert";
import { KSQL_APPS, WAREHOUSE_TABLES, WarehouseTable } from "../catalog";
import { loadCheckedKsqlApps, parseKsqlApp } from ".";
import { outputSchema, projectedColumns, warehouseKsqlMismatches } from "./appOutputs";

const vars = { topicPrefix: "lifesci", orderStuckSlaMinutes: 240 };
const apps = loadCheckedKsqlApps(vars);
const table = (name: string) => WAREHOUSE_TABLES.find((t) => t.name === name)!;

/** A copy of a curated warehouse table with its declared columns changed. */
function withColumns(name: string, change: (columns: { name: string; type: string }[]) => { name: string; type: string }[]): WarehouseTable {
    const original = table(name);
    if (original.source.kind !== "ksql") throw new Error(`${name} is not a ksqlDB table`);
    return { ...original, source: { ...original.source, columns: change([...original.source.columns]) } };
}

describe("warehouse tables <-> ksqlDB outputs contract", () => {
    it("every curated warehouse table declares exactly what its app writes", () => {
        assert.deepEqual(warehouseKsqlMismatches(apps, "lifesci"), []);
        const curated = WAREHOUSE_TABLES.filter((t) => t.source.kind === "ksql");
        assert.ok(curated.length >= 3);
    });

    it("infers types through join aliases, tables built by the app and functions", () => {
        const oos = outputSchema(apps, "lifesci.ksql.lab_results_oos")!;
        const types = Object.fromEntries(oos.columns.map((c) => [c.name, c.type]));
        assert.equal(types.RESULT_VALUE, "DECIMAL(18,6)", "r.after->result_value from the declared STRUCT");
        assert.equal(types.LOWER_LIMIT, "DECIMAL(18,6)", "s.lower_limit through LATEST_BY_OFFSET in the spec-limits table");
        assert.equal(types.SPEC_VERSION, "INT");
        assert.equal(types.MEASURED_AT, "TIMESTAMP", "FROM_UNIXTIME");
        const counts = outputSchema(apps, "lifesci.ksql.machine_event_counts_5m")!;
        assert.equal(counts.columns.find((c) => c.name === "EVENT_COUNT")!.type, "BIGINT", "COUNT(*)");
        assert.equal(outputSchema(apps, "lifesci.ksql.nothing"), undefined);
    });

    it("a declared column the app does not write fails naming table, file and column", () => {
        const broken = withColumns("LAB_RESULTS_OOS", (cols) => [...cols, { name: "REVIEWER", type: "STRING" }]);
        assert.deepEqual(warehouseKsqlMismatches(apps, "lifesci", [broken]), [
            "warehouse table LAB_RESULTS_OOS: columns differ from sql/ksqldb/lab_validation.sql statement 4 (LAB_RESULTS_OOS); not written by the app: REVIEWER",
        ]);
    });

    it("a column the app writes but the table lacks fails naming it", () => {
        const broken = withColumns("MACHINE_ALARMS", (cols) => cols.filter((c) => c.name !== "SEVERITY"));
        assert.match(warehouseKsqlMismatches(apps, "lifesci", [broken])[0], /MACHINE_ALARMS: columns differ .*not declared: SEVERITY/);
    });

    it("a type that differs from the app's fails naming the column and both types", () => {
        const broken = withColumns("MACHINE_ALARMS", (cols) => cols.map((c) => (c.name === "OCCURRED_AT" ? { ...c, type: "BIGINT" } : c)));
        assert.deepEqual(warehouseKsqlMismatches(apps, "lifesci", [broken]), [
            "warehouse table MACHINE_ALARMS: column OCCURRED_AT is declared BIGINT but sql/ksqldb/manufacturing_events.sql statement 2 (MACHINE_ALARMS) writes TIMESTAMP",
        ]);
    });

    it("a curated table whose topic no app writes fails naming the topic", () => {
        const orphan = withColumns("ORDERS_STUCK", (cols) => cols);
        const moved = { ...orphan, source: { ...orphan.source, suffix: "ksql.orders_by_status_5m" } } as WarehouseTable;
        const apps3 = apps.filter((a) => a.app.name !== "order_monitoring");
        assert.deepEqual(warehouseKsqlMismatches(apps3, "lifesci", [moved]), ["warehouse table ORDERS_STUCK: no ksqlDB app writes lifesci.ksql.orders_by_status_5m"]);
    });

    it("reads select lists with nested commas, CASE and unaliased columns", () => {
        const app = KSQL_APPS[0];
        const sql = `CREATE STREAM s1 (after STRUCT<a BIGINT, b STRING>) WITH (KAFKA_TOPIC='t1', VALUE_FORMAT='AVRO');
CREATE STREAM s2 WITH (KAFKA_TOPIC='t2') AS SELECT after->a AS a, CONCAT(after->b, 'x,y') AS joined, CASE WHEN after->a > 1 THEN 'big' ELSE 'small' END AS size, b FROM s1 EMIT CHANGES;`;
        const parsed = parseKsqlApp(app, sql, vars, "inline.sql");
        assert.deepEqual(projectedColumns(parsed.statements[1]).map((c) => c.name), ["A", "JOINED", "SIZE", "B"]);
    });
});
