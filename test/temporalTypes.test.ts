// Dates and times end to end (issue 15, finding 7): the schema every temporal column is registered
// with (from the CDC connector's time.precision.mode as configured) maps, by the sinks' documented
// mappings, to the type the Snowflake and local Postgres tables declare; and a date is a date in
// both warehouses, never a number of days or microseconds.
import { strict as assert } from "assert";
import { DOMAINS, WAREHOUSE_TABLES } from "../components/catalog";
import { domainTables } from "../components/ddl";
import { warehouseTableColumns } from "../components/sinks";
import { cdcSourceConfig } from "../components/source";
import { ksqlTypesFor } from "../components/sqlTypes";
import {
    CONNECT_DATE,
    CONNECT_TIMESTAMP,
    ConnectSchema,
    TimePrecisionMode,
    connectSchemaOf,
    isTemporal,
    postgresFamily,
    postgresFamilyFor,
    snowflakeFamily,
    snowflakeFamilyFor,
} from "../components/temporalTypes";
import { postgresWarehouseDdl } from "../local/settings";

/** The time.precision.mode the stack's CDC connectors are configured with (one value for all). */
function configuredMode(): TimePrecisionMode {
    const modes = new Set(
        DOMAINS.map(
            (domain) =>
                cdcSourceConfig({
                    connectorName: "x",
                    domain,
                    basePrefix: "lifesci",
                    hostname: "h",
                    port: 3306,
                    user: "u",
                    serviceAccountId: "sa",
                    cdc: { snapshotMode: "initial", sslMode: "verify_ca", heartbeatIntervalMs: 60000 },
                })["time.precision.mode"] ?? "adaptive_time_microseconds", // the documented default when unset
        ),
    );
    assert.equal(modes.size, 1);
    return [...modes][0] as TimePrecisionMode;
}

/** Column types of the local Postgres DDL, by table and column. */
function postgresColumns(): Map<string, string> {
    const out = new Map<string, string>();
    for (const m of postgresWarehouseDdl().matchAll(/CREATE TABLE IF NOT EXISTS "(\w+)"\."(\w+)" \(\n([\s\S]*?)\n\);/g)) {
        for (const line of m[3].split(",\n")) {
            const col = /^\s*"([^"]+)" ([A-Z ]+(?:\(\d+(?:,\d+)?\))?)/.exec(line);
            if (col) out.set(`${m[2]}.${col[1].toUpperCase()}`, col[2].trim());
        }
    }
    return out;
}

/** ksqlDB writes TIMESTAMP/DATE/TIME values with the Connect logical types (AVRO timestamp-millis, date, time-millis). */
function connectSchemaOfKsqlType(type: string): ConnectSchema | undefined {
    const t = type.toUpperCase();
    if (t === "TIMESTAMP") return { type: "int64", name: CONNECT_TIMESTAMP };
    if (t === "DATE") return { type: "int32", name: CONNECT_DATE };
    return undefined;
}

describe("dates and times end to end", () => {
    it("Debezium's documented temporal mapping per time.precision.mode", () => {
        assert.deepEqual(connectSchemaOf("DATE", 0, "connect", "t"), { type: "int32", name: CONNECT_DATE });
        assert.deepEqual(connectSchemaOf("DATETIME", 6, "connect", "t"), { type: "int64", name: CONNECT_TIMESTAMP });
        assert.deepEqual(connectSchemaOf("DATE", 0, "adaptive_time_microseconds", "t"), { type: "int32", name: "io.debezium.time.Date" });
        assert.deepEqual(connectSchemaOf("DATETIME", 6, "adaptive_time_microseconds", "t"), { type: "int64", name: "io.debezium.time.MicroTimestamp" });
        assert.deepEqual(connectSchemaOf("DATETIME", 3, "adaptive_time_microseconds", "t"), { type: "int64", name: "io.debezium.time.Timestamp" });
        assert.deepEqual(connectSchemaOf("TIMESTAMP", 6, "connect", "t"), { type: "string", name: "io.debezium.time.ZonedTimestamp" });
        assert.throws(() => connectSchemaOf("INT", 0, "connect", "table x"), /table x: MySQL type INT is not a temporal type/);
        // The sinks' documented mappings: only Connect's own logical types become DATE/TIMESTAMP columns.
        assert.equal(snowflakeFamilyFor({ type: "int64", name: CONNECT_TIMESTAMP }), "TIMESTAMP_NTZ");
        assert.equal(snowflakeFamilyFor({ type: "int64", name: "io.debezium.time.MicroTimestamp" }), "NUMBER");
        assert.equal(postgresFamilyFor({ type: "int32", name: CONNECT_DATE }), "DATE");
        assert.equal(postgresFamilyFor({ type: "int32", name: "io.debezium.time.Date" }), "INTEGER");
    });

    it("every temporal CDC column: registered schema -> documented sink type = declared Snowflake and Postgres type, and ksqlDB reads it as that type", () => {
        const mode = configuredMode();
        const pg = postgresColumns();
        let checked = 0;
        for (const table of WAREHOUSE_TABLES) {
            const source = table.source;
            if (source.kind !== "cdc") continue;
            const domain = DOMAINS.find((d) => d.name === source.domain)!;
            const ddl = domainTables(domain.name).find((t) => t.name === source.table)!;
            const snowflake = new Map(warehouseTableColumns(table).map((c) => [c.name, c.type]));
            for (const column of ddl.columns.filter((c) => isTemporal(c.type))) {
                const where = `${table.name}.${column.name.toUpperCase()} (${column.type}${column.args.length ? `(${column.args[0]})` : ""})`;
                const schema = connectSchemaOf(column.type, column.args[0] ?? 0, mode, where);
                assert.equal(snowflakeFamily(snowflake.get(column.name.toUpperCase())!), snowflakeFamilyFor(schema), `${where}: Snowflake declares ${snowflake.get(column.name.toUpperCase())} for ${JSON.stringify(schema)}`);
                const declaredPg = pg.get(`${table.name}.${column.name.toUpperCase()}`);
                assert.ok(declaredPg, `${where}: no Postgres column`);
                assert.equal(postgresFamily(declaredPg), postgresFamilyFor(schema), `${where}: Postgres declares ${declaredPg} for ${JSON.stringify(schema)}`);
                const ksql = ksqlTypesFor(column)[0];
                if (schema.name === CONNECT_TIMESTAMP) assert.equal(ksql, "TIMESTAMP", where);
                if (schema.name === CONNECT_DATE) assert.equal(ksql, "DATE", where);
                checked++;
            }
        }
        assert.ok(checked >= 8, `only ${checked} temporal columns checked`);
    });

    it("curated tables: ksqlDB TIMESTAMP/DATE outputs land as TIMESTAMP/DATE in both warehouses", () => {
        const pg = postgresColumns();
        let checked = 0;
        for (const table of WAREHOUSE_TABLES) {
            const source = table.source;
            if (source.kind !== "ksql") continue;
            const snowflake = new Map(warehouseTableColumns(table).map((c) => [c.name, c.type]));
            for (const column of source.columns) {
                const schema = connectSchemaOfKsqlType(column.type);
                if (!schema) continue;
                const where = `${table.name}.${column.name}`;
                assert.equal(snowflakeFamily(snowflake.get(column.name)!), snowflakeFamilyFor(schema), where);
                assert.equal(postgresFamily(pg.get(`${table.name}.${column.name}`)!), postgresFamilyFor(schema), where);
                checked++;
            }
        }
        assert.ok(checked >= 3, `only ${checked} curated temporal columns checked`);
    });

    it("analysts query a date as a date: no DATE or DATETIME column is declared as a number in either warehouse", () => {
        const pg = postgresColumns();
        for (const table of WAREHOUSE_TABLES) {
            const source = table.source;
            if (source.kind !== "cdc") continue;
            const domain = DOMAINS.find((d) => d.name === source.domain)!;
            const ddl = domainTables(domain.name).find((t) => t.name === source.table)!;
            const snowflake = new Map(warehouseTableColumns(table).map((c) => [c.name, c.type]));
            for (const column of ddl.columns.filter((c) => c.type === "DATE" || c.type === "DATETIME")) {
                const name = column.name.toUpperCase();
                const expected = column.type === "DATE" ? ["DATE", "DATE"] : ["TIMESTAMP_NTZ", "TIMESTAMP"];
                assert.deepEqual([snowflakeFamily(snowflake.get(name)!), postgresFamily(pg.get(`${table.name}.${name}`)!)], expected, `${table.name}.${name}`);
            }
        }
    });
});
