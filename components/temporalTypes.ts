// Dates and times end to end: the Kafka Connect schema the CDC connector gives a MySQL temporal
// column under its `time.precision.mode`, and the column type each sink documents for that schema.
// The warehouse contract checks the declared Snowflake and Postgres types against these, so a
// connector setting and a table declaration cannot drift apart silently. Pure.

/** The values the managed connector accepts (connector-keys.json); the local Debezium accepts more. */
export type TimePrecisionMode = "adaptive_time_microseconds" | "connect";

/** The platform's choice (decisions.md D15-1): Kafka Connect logical types, millisecond precision. */
export const TIME_PRECISION_MODE: TimePrecisionMode = "connect";

/** A Kafka Connect schema: its primitive type and, for logical types, the schema name. */
export interface ConnectSchema {
    type: "int32" | "int64" | "string";
    name?: string;
}

export const CONNECT_DATE = "org.apache.kafka.connect.data.Date";
export const CONNECT_TIME = "org.apache.kafka.connect.data.Time";
export const CONNECT_TIMESTAMP = "org.apache.kafka.connect.data.Timestamp";

export const TEMPORAL_MYSQL_TYPES = ["DATE", "DATETIME", "TIMESTAMP", "TIME"] as const;

export function isTemporal(mysqlType: string): boolean {
    return (TEMPORAL_MYSQL_TYPES as readonly string[]).includes(mysqlType.toUpperCase());
}

/**
 * Debezium's MySQL temporal mapping (https://debezium.io/documentation/reference/stable/connectors/mysql.html#mysql-temporal-types;
 * the managed MySqlCdcSourceV2 documents the same `time.precision.mode` values). TIMESTAMP is
 * `io.debezium.time.ZonedTimestamp` (ISO-8601 text in UTC) in every mode.
 */
export function connectSchemaOf(mysqlType: string, fsp: number, mode: TimePrecisionMode, where: string): ConnectSchema {
    const type = mysqlType.toUpperCase();
    if (type === "TIMESTAMP") return { type: "string", name: "io.debezium.time.ZonedTimestamp" };
    if (mode === "connect") {
        if (type === "DATE") return { type: "int32", name: CONNECT_DATE };
        if (type === "TIME") return { type: "int32", name: CONNECT_TIME };
        if (type === "DATETIME") return { type: "int64", name: CONNECT_TIMESTAMP };
    } else {
        if (type === "DATE") return { type: "int32", name: "io.debezium.time.Date" };
        if (type === "TIME") return { type: "int64", name: "io.debezium.time.MicroTime" };
        if (type === "DATETIME") return { type: "int64", name: fsp > 3 ? "io.debezium.time.MicroTimestamp" : "io.debezium.time.Timestamp" };
    }
    throw new Error(`${where}: MySQL type ${mysqlType} is not a temporal type`);
}

/**
 * The Snowflake column type the Snowflake Kafka connector gives a Connect schema when it creates or
 * evolves a table (schema detection, https://docs.snowflake.com/en/user-guide/data-load-snowpipe-streaming-kafka-schema-detection:
 * "the column is created with the data types defined in the provided schema registry"; the
 * connector maps Connect Date to DATE, Timestamp to TIMESTAMP, other int32/int64 to INT/BIGINT,
 * string to VARCHAR). Returned as a type family: TIMESTAMP is TIMESTAMP_NTZ under Snowflake's
 * default TIMESTAMP_TYPE_MAPPING (https://docs.snowflake.com/en/sql-reference/parameters#timestamp-type-mapping).
 */
export function snowflakeFamilyFor(schema: ConnectSchema): string {
    if (schema.type === "int32") return schema.name === CONNECT_DATE ? "DATE" : schema.name === CONNECT_TIME ? "TIME" : "NUMBER";
    if (schema.type === "int64") return schema.name === CONNECT_TIMESTAMP ? "TIMESTAMP_NTZ" : "NUMBER";
    return "VARCHAR";
}

/**
 * The PostgreSQL column type the Confluent JDBC sink writes a Connect schema as (its data mapping
 * table, https://docs.confluent.io/kafka-connectors/jdbc/current/sink-connector/overview.html#auto-creation-and-auto-evolution:
 * Date -> DATE, Time -> TIME, Timestamp -> TIMESTAMP, INT32 -> INT, INT64 -> BIGINT, STRING -> TEXT).
 */
export function postgresFamilyFor(schema: ConnectSchema): string {
    if (schema.type === "int32") return schema.name === CONNECT_DATE ? "DATE" : schema.name === CONNECT_TIME ? "TIME" : "INTEGER";
    if (schema.type === "int64") return schema.name === CONNECT_TIMESTAMP ? "TIMESTAMP" : "BIGINT";
    return "TEXT";
}

/** The family of a declared Snowflake type: `TIMESTAMP_NTZ(3)` -> TIMESTAMP_NTZ, `NUMBER(19,0)` -> NUMBER. */
export function snowflakeFamily(declared: string): string {
    const base = declared.toUpperCase().replace(/\(.*$/, "").trim();
    const aliases: Record<string, string> = { DATETIME: "TIMESTAMP_NTZ", TIMESTAMP: "TIMESTAMP_NTZ", INT: "NUMBER", INTEGER: "NUMBER", BIGINT: "NUMBER", STRING: "VARCHAR", TEXT: "VARCHAR" };
    return aliases[base] ?? base;
}

/** The family of a declared PostgreSQL type: `TIMESTAMP(3)` -> TIMESTAMP, `INT` -> INTEGER. */
export function postgresFamily(declared: string): string {
    const base = declared.toUpperCase().replace(/\(.*$/, "").replace(/\s+WITHOUT TIME ZONE$/, "").trim();
    const aliases: Record<string, string> = { INT: "INTEGER", INT4: "INTEGER", INT8: "BIGINT", VARCHAR: "TEXT" };
    return aliases[base] ?? base;
}
