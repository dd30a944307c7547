// One type table for every layer: a MySQL column as the CDC connector delivers it (AVRO,
// decimal.handling.mode=precise, time.precision.mode=connect, bigint.unsigned.handling.mode=long),
// the ksqlDB types it can be read as, and how the Snowflake warehouse and the local Postgres
// stand-in declare it. Every mapping in the program reads from here. Dates and times: DATE and
// DATETIME travel as Kafka Connect Date/Timestamp logical types (milliseconds), which ksqlDB reads
// as DATE/TIMESTAMP and both sinks write as DATE/TIMESTAMP columns (temporalTypes.ts checks the
// declarations against the connectors' documented mappings).
import { DdlColumn } from "./ddl";

/** How a ksqlDB column type is declared in Snowflake and in the local Postgres stand-in. */
interface KsqlTypeRow {
    snowflake: string;
    postgres: string;
}

const KSQL_TYPES: Record<string, KsqlTypeRow> = {
    BIGINT: { snowflake: "NUMBER(19,0)", postgres: "BIGINT" },
    INT: { snowflake: "NUMBER(10,0)", postgres: "INTEGER" },
    INTEGER: { snowflake: "NUMBER(10,0)", postgres: "INTEGER" },
    DOUBLE: { snowflake: "FLOAT", postgres: "DOUBLE PRECISION" },
    BOOLEAN: { snowflake: "BOOLEAN", postgres: "BOOLEAN" },
    STRING: { snowflake: "VARCHAR", postgres: "TEXT" },
    VARCHAR: { snowflake: "VARCHAR", postgres: "TEXT" },
    BYTES: { snowflake: "BINARY", postgres: "BYTEA" },
    DATE: { snowflake: "DATE", postgres: "DATE" },
    // Connect Timestamp / Time carry milliseconds.
    TIMESTAMP: { snowflake: "TIMESTAMP_NTZ(3)", postgres: "TIMESTAMP(3)" },
    TIME: { snowflake: "TIME(3)", postgres: "TIME(3)" },
};

const DECIMAL = /^DECIMAL\((\d+),\s*(\d+)\)$/i;

/**
 * A MySQL type: the ksqlDB types its Debezium representation can be read as (the first is how it
 * is delivered) and its Snowflake CDC-table type (undefined: no mapping yet).
 */
interface MySqlTypeRow {
    ksql(column: DdlColumn): string[];
    snowflake?(column: DdlColumn): string;
}

/** Digits of the largest value of an integer type, signed and unsigned. */
const integer = (signed: number, unsigned: number, ksql: (c: DdlColumn) => string[]): MySqlTypeRow => ({
    ksql,
    snowflake: (c) => `NUMBER(${c.unsigned ? unsigned : signed},0)`,
});
const intOrBigint = () => ["INT", "BIGINT"];
const text = (snowflake: (c: DdlColumn) => string): MySqlTypeRow => ({ ksql: () => ["STRING"], snowflake });
const bytes: MySqlTypeRow = { ksql: () => ["BYTES"] };

const MYSQL_TYPES: Record<string, MySqlTypeRow> = {
    TINYINT: integer(3, 3, intOrBigint),
    SMALLINT: integer(5, 5, intOrBigint),
    MEDIUMINT: integer(7, 8, intOrBigint),
    INT: integer(10, 10, (c) => (c.unsigned ? ["BIGINT"] : ["INT", "BIGINT"])),
    INTEGER: integer(10, 10, (c) => (c.unsigned ? ["BIGINT"] : ["INT", "BIGINT"])),
    BIGINT: integer(19, 20, () => ["BIGINT"]),
    YEAR: { ksql: intOrBigint },
    BOOLEAN: { ksql: () => ["BOOLEAN"], snowflake: () => "BOOLEAN" },
    BOOL: { ksql: () => ["BOOLEAN"], snowflake: () => "BOOLEAN" },
    DECIMAL: { ksql: (c) => [`DECIMAL(${c.args[0] ?? 10},${c.args[1] ?? 0})`], snowflake: (c) => `NUMBER(${c.args[0] ?? 10},${c.args[1] ?? 0})` },
    NUMERIC: { ksql: (c) => [`DECIMAL(${c.args[0] ?? 10},${c.args[1] ?? 0})`], snowflake: (c) => `NUMBER(${c.args[0] ?? 10},${c.args[1] ?? 0})` },
    FLOAT: { ksql: () => ["DOUBLE"], snowflake: () => "FLOAT" },
    DOUBLE: { ksql: () => ["DOUBLE"], snowflake: () => "FLOAT" },
    REAL: { ksql: () => ["DOUBLE"] },
    CHAR: text((c) => `VARCHAR(${c.args[0] ?? 1})`),
    VARCHAR: text((c) => `VARCHAR(${c.args[0] ?? 1})`),
    TINYTEXT: { ksql: () => ["STRING"] },
    TEXT: text(() => "VARCHAR"),
    MEDIUMTEXT: text(() => "VARCHAR"),
    LONGTEXT: text(() => "VARCHAR"),
    ENUM: text((c) => `VARCHAR(${Math.max(...(c.enumValues ?? [""]).map((v) => v.length), 1)})`),
    SET: { ksql: () => ["STRING"] },
    JSON: text(() => "VARIANT"),
    // io.debezium.time.ZonedTimestamp in every time.precision.mode: ISO-8601 text (UTC).
    TIMESTAMP: { ksql: () => ["STRING"], snowflake: (c) => `TIMESTAMP_TZ(${c.args[0] ?? 0})` },
    // org.apache.kafka.connect.data.Timestamp (epoch ms): fractional seconds beyond 3 digits are dropped.
    DATETIME: { ksql: () => ["TIMESTAMP"], snowflake: () => "TIMESTAMP_NTZ(3)" },
    // org.apache.kafka.connect.data.Time (ms since midnight).
    TIME: { ksql: () => ["TIME"], snowflake: () => "TIME(3)" },
    // org.apache.kafka.connect.data.Date (days since the epoch).
    DATE: { ksql: () => ["DATE"], snowflake: () => "DATE" },
    BINARY: bytes,
    VARBINARY: bytes,
    BLOB: bytes,
    TINYBLOB: bytes,
    MEDIUMBLOB: bytes,
    LONGBLOB: bytes,
    BIT: bytes,
};

/** A ksqlDB type as declarations compare it: upper case, no blanks, VARCHAR read as STRING. */
export function normalizeKsqlType(raw: string): string {
    const type = raw.toUpperCase().replace(/\s+/g, "");
    return type === "VARCHAR" ? "STRING" : type;
}

/** ksqlDB types a MySQL column can be read as; the first is how the connector delivers it. Empty: unknown type. */
export function ksqlTypesFor(column: DdlColumn): string[] {
    return MYSQL_TYPES[column.type]?.ksql(column) ?? [];
}

/** Snowflake type of a MySQL column as the CDC connector delivers it. Errors name the column. */
export function mysqlToSnowflakeType(column: DdlColumn, where: string): string {
    const snowflake = MYSQL_TYPES[column.type]?.snowflake;
    if (!snowflake) throw new Error(`${where}: column ${column.name} has MySQL type ${column.type}, which has no Snowflake mapping yet`);
    return snowflake(column);
}

function ksqlRow(type: string): KsqlTypeRow | undefined {
    const decimal = DECIMAL.exec(type);
    if (decimal) return { snowflake: `NUMBER(${decimal[1]},${decimal[2]})`, postgres: `NUMERIC(${decimal[1]},${decimal[2]})` };
    return KSQL_TYPES[type.toUpperCase()];
}

/** Snowflake type of a ksqlDB column type. */
export function ksqlToSnowflakeType(type: string, where: string): string {
    const row = ksqlRow(type);
    if (!row) throw new Error(`${where}: ksqlDB type ${type} has no Snowflake mapping`);
    return row.snowflake;
}

/** Postgres type (local warehouse stand-in) of a ksqlDB column type. */
export function ksqlToPostgresType(type: string, where: string): string {
    const row = ksqlRow(type);
    if (!row) throw new Error(`${where}: type ${type} has no Postgres mapping`);
    return row.postgres;
}

/**
 * The Kafka Connect schema type (JsonConverter's `type`: string, int32, int64...) a Kafka Streams
 * app's JSON field must have to land in a declared column of this type. Timestamps travel as
 * ISO-8601 UTC strings: Snowflake casts them into TIMESTAMP_NTZ, the local Postgres casts them on
 * insert (the sink's pgjdbc `stringtype=unspecified`, local/connectorMapping.ts).
 */
const CONNECT_TYPE_OF_COLUMN: Record<string, string> = {
    BIGINT: "int64",
    INT: "int32",
    INTEGER: "int32",
    DOUBLE: "float64",
    BOOLEAN: "boolean",
    STRING: "string",
    VARCHAR: "string",
    TIMESTAMP: "string",
};

/** The Connect type a Streams app's field must carry for a column of this ksqlDB type; errors name the column. */
export function connectTypeForColumn(type: string, where: string): string {
    const connect = CONNECT_TYPE_OF_COLUMN[type.toUpperCase()];
    if (!connect) throw new Error(`${where}: type ${type} has no Kafka Connect type a Kafka Streams app can write it as`);
    return connect;
}
