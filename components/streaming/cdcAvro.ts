// Predicted Avro schemas of the CDC connector: from a table's effective columns, the key and value
// (Debezium envelope) schemas that MySqlCdcSourceV2 / Debezium MySQL register with AVRO output,
// as a function of the connector's type-handling settings. Pure; used by schema:check and the
// contract tests to say before merge what a column change does to each subject.
//
// Type mapping: Debezium MySQL connector, "Data type mappings"
//   https://debezium.io/documentation/reference/stable/connectors/mysql.html#mysql-data-types
// (the managed connector documents the same keys and enums: decimal.handling.mode,
// time.precision.mode, bigint.unsigned.handling.mode, binary.handling.mode,
//   https://docs.confluent.io/cloud/current/connectors/cc-mysql-source-cdc-v2-debezium/cc-mysql-source-cdc-v2-debezium.html#configuration-properties)
// Connect schema -> Avro: Confluent AvroConverter (connect.name / connect.parameters / connect.type
// annotations, optional fields as unions with null first and default null)
//   https://docs.confluent.io/platform/current/schema-registry/connect.html
// Temporal columns: components/temporalTypes.ts (the platform sets time.precision.mode there).
// Envelope: before/after/source/transaction/op/ts_ms(+ts_us/ts_ns), "Change event values"
//   https://debezium.io/documentation/reference/stable/connectors/mysql.html#mysql-change-event-values

import { CONNECT_DATE, CONNECT_TIME, CONNECT_TIMESTAMP, connectSchemaOf } from "../temporalTypes";

/** Kafka Connect logical types and the Avro logical type the AvroConverter gives them. */
const CONNECT_LOGICAL_TYPES: Record<string, string> = {
    [CONNECT_DATE]: "date",
    [CONNECT_TIME]: "time-millis",
    [CONNECT_TIMESTAMP]: "timestamp-millis",
};

export type DecimalHandlingMode = "precise" | "double" | "string";
export type TimePrecisionMode = "adaptive_time_microseconds" | "adaptive" | "connect";
export type BigintUnsignedHandlingMode = "long" | "precise";
export type BinaryHandlingMode = "bytes" | "base64" | "base64-url-safe" | "hex";

/** The connector settings the registered schemas depend on. */
export interface CdcTypeSettings {
    decimalHandlingMode: DecimalHandlingMode;
    timePrecisionMode: TimePrecisionMode;
    bigintUnsignedHandlingMode: BigintUnsignedHandlingMode;
    binaryHandlingMode: BinaryHandlingMode;
}

/** The managed connector's documented defaults (connector-keys.json, MySqlCdcSourceV2). */
export const CONNECTOR_DEFAULT_TYPE_SETTINGS: CdcTypeSettings = {
    decimalHandlingMode: "precise",
    timePrecisionMode: "adaptive_time_microseconds",
    bigintUnsignedHandlingMode: "long",
    binaryHandlingMode: "bytes",
};

/** Reads the type settings out of a CDC connector config (documented defaults where a key is absent). */
export function typeSettingsOf(config: Readonly<Record<string, unknown>>): CdcTypeSettings {
    const pick = <T extends string>(key: string, fallback: T): T => (config[key] === undefined ? fallback : (String(config[key]) as T));
    return {
        decimalHandlingMode: pick("decimal.handling.mode", CONNECTOR_DEFAULT_TYPE_SETTINGS.decimalHandlingMode),
        timePrecisionMode: pick("time.precision.mode", CONNECTOR_DEFAULT_TYPE_SETTINGS.timePrecisionMode),
        bigintUnsignedHandlingMode: pick("bigint.unsigned.handling.mode", CONNECTOR_DEFAULT_TYPE_SETTINGS.bigintUnsignedHandlingMode),
        binaryHandlingMode: pick("binary.handling.mode", CONNECTOR_DEFAULT_TYPE_SETTINGS.binaryHandlingMode),
    };
}

/** The column facts the mapping needs (the effective schema's SchemaColumn fits). */
export interface AvroSourceColumn {
    name: string;
    type: string;
    args: readonly number[];
    enumValues?: readonly string[];
    unsigned: boolean;
    nullable: boolean;
    default?: { kind: "literal"; value: string } | { kind: "expression"; text: string };
}

export type AvroSchema = string | AvroSchema[] | { [key: string]: unknown };

/** The Avro type of one column's value, without nullability. Errors name the column. */
export function columnAvroType(column: AvroSourceColumn, s: CdcTypeSettings, where: string): Exclude<AvroSchema, AvroSchema[]> {
    const connect = (type: string, name?: string, parameters?: Record<string, string>, extra: Record<string, unknown> = {}) => ({
        type,
        ...(name ? { "connect.name": name } : {}),
        ...(parameters ? { "connect.parameters": parameters } : {}),
        ...extra,
    });
    const int16 = { type: "int", "connect.type": "int16" };
    const [arg0, arg1] = column.args;
    switch (column.type) {
        case "BOOLEAN":
        case "BOOL":
            return "boolean";
        case "BIT":
            return (arg0 ?? 1) === 1 ? "boolean" : connect("bytes", "io.debezium.data.Bits", { length: String(arg0) });
        case "TINYINT":
            return int16;
        case "SMALLINT":
            return column.unsigned ? "int" : int16;
        case "MEDIUMINT":
            return "int";
        case "INT":
        case "INTEGER":
            return column.unsigned ? "long" : "int";
        case "BIGINT":
            if (column.unsigned && s.bigintUnsignedHandlingMode === "precise") {
                return connect("bytes", "org.apache.kafka.connect.data.Decimal", { scale: "0" }, { logicalType: "decimal", precision: 20, scale: 0 });
            }
            return "long";
        case "FLOAT":
            return "float";
        case "DOUBLE":
        case "REAL":
            return "double";
        case "DECIMAL":
        case "NUMERIC": {
            const precision = arg0 ?? 10;
            const scale = arg1 ?? 0;
            if (s.decimalHandlingMode === "double") return "double";
            if (s.decimalHandlingMode === "string") return "string";
            return connect(
                "bytes",
                "org.apache.kafka.connect.data.Decimal",
                { scale: String(scale), "connect.decimal.precision": String(precision) },
                { logicalType: "decimal", precision, scale },
            );
        }
        case "CHAR":
        case "VARCHAR":
        case "TINYTEXT":
        case "TEXT":
        case "MEDIUMTEXT":
        case "LONGTEXT":
            return "string";
        case "ENUM":
            return connect("string", "io.debezium.data.Enum", { allowed: (column.enumValues ?? []).join(",") });
        case "SET":
            return connect("string", "io.debezium.data.EnumSet", { allowed: (column.enumValues ?? []).join(",") });
        case "JSON":
            return connect("string", "io.debezium.data.Json");
        case "BINARY":
        case "VARBINARY":
        case "TINYBLOB":
        case "BLOB":
        case "MEDIUMBLOB":
        case "LONGBLOB":
            return s.binaryHandlingMode === "bytes" ? "bytes" : "string";
        case "YEAR":
            return connect("int", "io.debezium.time.Year");
        case "DATE":
        case "TIME":
        case "DATETIME":
        case "TIMESTAMP": {
            // The Connect schema comes from the one temporal table (temporalTypes.ts); "adaptive"
            // (Debezium only) is adaptive_time_microseconds except TIME(<=3) as io.debezium.time.Time.
            if (s.timePrecisionMode === "adaptive" && column.type === "TIME" && (arg0 ?? 0) <= 3) return connect("int", "io.debezium.time.Time");
            const mode = s.timePrecisionMode === "connect" ? "connect" : "adaptive_time_microseconds";
            const schema = connectSchemaOf(column.type, arg0 ?? 0, mode, where);
            const avroType = schema.type === "int32" ? "int" : schema.type === "int64" ? "long" : "string";
            const logical = CONNECT_LOGICAL_TYPES[schema.name ?? ""];
            return logical ? connect(avroType, schema.name, undefined, { "connect.version": 1, logicalType: logical }) : connect(avroType, schema.name);
        }
        default:
            throw new Error(`${where}: column ${column.name} has MySQL type ${column.type}, which has no documented CDC Avro mapping here`);
    }
}

const baseType = (t: AvroSchema): string => (typeof t === "string" ? t : Array.isArray(t) ? "union" : String((t as { type: unknown }).type));

/** Unscaled two's-complement big-endian bytes of a decimal literal, as an Avro bytes default (code points 0-255). */
export function decimalDefaultBytes(value: string, scale: number): string {
    const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(value.trim());
    if (!m) throw new Error(`not a decimal literal: ${value}`);
    const fraction = (m[3] ?? "").padEnd(scale, "0").slice(0, scale);
    let unscaled = BigInt(`${m[2] || "0"}${fraction}`) * (m[1] ? -1n : 1n);
    const bytes: number[] = [];
    do {
        bytes.unshift(Number(unscaled & 0xffn));
        unscaled >>= 8n;
    } while (!(unscaled === 0n && (bytes[0] & 0x80) === 0) && !(unscaled === -1n && (bytes[0] & 0x80) !== 0));
    return String.fromCharCode(...bytes);
}

/**
 * The Avro default of a NOT NULL column with a DEFAULT, as the converter carries the column
 * default into the schema. Expression defaults (CURRENT_TIMESTAMP) become the type's zero
 * (Debezium documents epoch 0 for CURRENT_TIMESTAMP defaults).
 */
export function avroDefault(column: AvroSourceColumn, type: AvroSchema): unknown {
    const d = column.default;
    if (!d) return undefined;
    const base = baseType(type);
    if (d.kind === "expression") {
        if (base === "string") return "1970-01-01T00:00:00Z";
        if (base === "bytes") return "\u0000";
        return 0;
    }
    switch (base) {
        case "boolean":
            return d.value !== "0" && d.value.toLowerCase() !== "false";
        case "int":
        case "long":
            return Number.parseInt(d.value, 10);
        case "float":
        case "double":
            return Number(d.value);
        case "bytes": {
            const scale = Number((type as { scale?: number }).scale ?? 0);
            return (type as { logicalType?: string }).logicalType === "decimal" ? decimalDefaultBytes(d.value, scale) : d.value;
        }
        default:
            return d.value;
    }
}

/** One record field for a column: optional columns are ["null", T] with default null. */
export function columnField(column: AvroSourceColumn, s: CdcTypeSettings, where: string): Record<string, unknown> {
    const type = columnAvroType(column, s, where);
    if (column.nullable) {
        const literal = column.default?.kind === "literal" ? avroDefault(column, type) : undefined;
        // A non-null default must match the union's first branch (Avro spec), so the type comes first.
        return literal === undefined ? { name: column.name, type: ["null", type], default: null } : { name: column.name, type: [type, "null"], default: literal };
    }
    const def = avroDefault(column, type);
    return def === undefined ? { name: column.name, type } : { name: column.name, type, default: def };
}

export interface CdcSubjectNames {
    /** The connector's topic.prefix (`<topicPrefix>.<domain>`). */
    topicPrefix: string;
    database: string;
    table: string;
}

/** `<topic.prefix>.<database>.<table>`: the topic, and the namespace of its Key/Value/Envelope records. */
export const cdcTopicName = (n: CdcSubjectNames) => `${n.topicPrefix}.${n.database}.${n.table}`;

/** The source block every MySQL change event carries (io.debezium.connector.mysql.Source). */
function sourceRecord(): Record<string, unknown> {
    const optional = (name: string, type: AvroSchema) => ({ name, type: ["null", type], default: null });
    return {
        type: "record",
        name: "Source",
        namespace: "io.debezium.connector.mysql",
        fields: [
            { name: "version", type: "string" },
            { name: "connector", type: "string" },
            { name: "name", type: "string" },
            { name: "ts_ms", type: "long" },
            {
                name: "snapshot",
                type: [{ type: "string", "connect.version": 1, "connect.parameters": { allowed: "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental" }, "connect.default": "false", "connect.name": "io.debezium.data.Enum" }, "null"],
                default: "false",
            },
            { name: "db", type: "string" },
            optional("sequence", "string"),
            optional("ts_us", "long"),
            optional("ts_ns", "long"),
            optional("table", "string"),
            { name: "server_id", type: "long" },
            optional("gtid", "string"),
            { name: "file", type: "string" },
            { name: "pos", type: "long" },
            { name: "row", type: "int" },
            optional("thread", "long"),
            optional("query", "string"),
        ],
        "connect.name": "io.debezium.connector.mysql.Source",
    };
}

/** The key schema: the primary key columns (never null), record `<namespace>.Key`. */
export function predictKeySchema(names: CdcSubjectNames, columns: readonly AvroSourceColumn[], primaryKey: readonly string[], s: CdcTypeSettings): Record<string, unknown> {
    const namespace = cdcTopicName(names);
    const where = `${names.database}.${names.table}`;
    if (primaryKey.length === 0) throw new Error(`${where}: no primary key; the CDC key schema needs one`);
    return {
        type: "record",
        name: "Key",
        namespace,
        fields: primaryKey.map((key) => {
            const column = columns.find((c) => c.name === key);
            if (!column) throw new Error(`${where}: primary key column ${key} is not a column of the table`);
            return { name: key, type: columnAvroType(column, s, where) };
        }),
        "connect.name": `${namespace}.Key`,
    };
}

/** The value schema: the Debezium envelope around `<namespace>.Value`. */
export function predictValueSchema(names: CdcSubjectNames, columns: readonly AvroSourceColumn[], s: CdcTypeSettings): Record<string, unknown> {
    const namespace = cdcTopicName(names);
    const where = `${names.database}.${names.table}`;
    const value = {
        type: "record",
        name: "Value",
        namespace,
        fields: columns.map((c) => columnField(c, s, where)),
        "connect.name": `${namespace}.Value`,
    };
    return {
        type: "record",
        name: "Envelope",
        namespace,
        fields: [
            { name: "before", type: ["null", value], default: null },
            { name: "after", type: ["null", "Value"], default: null },
            { name: "source", type: sourceRecord() },
            {
                name: "transaction",
                type: [
                    "null",
                    {
                        type: "record",
                        name: "block",
                        namespace: "event",
                        fields: [
                            { name: "id", type: "string" },
                            { name: "total_order", type: "long" },
                            { name: "data_collection_order", type: "long" },
                        ],
                        "connect.version": 1,
                        "connect.name": "event.block",
                    },
                ],
                default: null,
            },
            { name: "op", type: "string" },
            { name: "ts_ms", type: ["null", "long"], default: null },
            { name: "ts_us", type: ["null", "long"], default: null },
            { name: "ts_ns", type: ["null", "long"], default: null },
        ],
        "connect.version": 2,
        "connect.name": `${namespace}.Envelope`,
    };
}
