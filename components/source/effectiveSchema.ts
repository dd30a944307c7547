// The effective schema: each table's columns as the server reports them (information_schema)
// after the migrations ran, not as a text reader guesses them from CREATE/ALTER statements.
// Pure conversion functions plus one reader that takes an open connection; the types and the
// committed snapshot the program reads are in ../ddl.ts.
import type * as mysql from "mysql2/promise";
import { DdlColumn, DdlTable } from "../ddl";

export type ColumnDefault = NonNullable<DdlColumn["default"]>;

/** One row of information_schema.COLUMNS (the fields this module reads). */
export interface InformationSchemaColumn {
    TABLE_NAME: string;
    COLUMN_NAME: string;
    ORDINAL_POSITION: number;
    COLUMN_DEFAULT: string | null;
    IS_NULLABLE: string;
    DATA_TYPE: string;
    COLUMN_TYPE: string;
    CHARACTER_MAXIMUM_LENGTH: number | string | null;
    NUMERIC_PRECISION: number | string | null;
    NUMERIC_SCALE: number | string | null;
    DATETIME_PRECISION: number | string | null;
    EXTRA: string;
}

/** Values of `enum('A','B')` / `set(...)` in declaration order ('' escapes a quote). */
export function enumValuesOf(columnType: string): string[] {
    return [...columnType.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1].replace(/''/g, "'"));
}

/**
 * Reads COLUMN_DEFAULT for both servers. MariaDB (10.2.7+) quotes literals ('REGISTERED'),
 * reports "no default" on a nullable column as the text NULL and expressions bare
 * (current_timestamp(6)); MySQL 8 reports literals bare, no default as SQL NULL and marks
 * expressions with DEFAULT_GENERATED in EXTRA.
 * https://mariadb.com/kb/en/information-schema-columns-table/
 * https://dev.mysql.com/doc/refman/8.0/en/information-schema-columns-table.html
 */
export function parseColumnDefault(raw: string | null, extra: string, flavor: "mysql" | "mariadb"): ColumnDefault | undefined {
    if (raw === null) return undefined;
    if (flavor === "mariadb") {
        if (raw === "NULL") return undefined;
        if (raw.startsWith("'") && raw.endsWith("'")) return { kind: "literal", value: raw.slice(1, -1).replace(/''/g, "'").replace(/\\\\/g, "\\") };
        if (/^-?\d+(\.\d+)?$/.test(raw)) return { kind: "literal", value: raw };
        return { kind: "expression", text: raw };
    }
    if (/DEFAULT_GENERATED/i.test(extra)) return { kind: "expression", text: raw };
    return { kind: "literal", value: raw };
}

const num = (v: number | string | null) => (v === null ? undefined : Number(v));

/** One information_schema row -> column. Errors name the table and column. */
export function toDdlColumn(row: InformationSchemaColumn, flavor: "mysql" | "mariadb"): DdlColumn {
    const dataType = row.DATA_TYPE.toUpperCase();
    const columnType = row.COLUMN_TYPE.toLowerCase();
    let type = dataType;
    let args: number[] = [];
    switch (dataType) {
        case "DECIMAL":
            args = [num(row.NUMERIC_PRECISION)!, num(row.NUMERIC_SCALE)!];
            break;
        case "CHAR":
        case "VARCHAR":
        case "BINARY":
        case "VARBINARY":
            args = [num(row.CHARACTER_MAXIMUM_LENGTH)!];
            break;
        case "DATETIME":
        case "TIME":
        case "TIMESTAMP":
            args = [num(row.DATETIME_PRECISION) ?? 0];
            break;
        case "BIT":
            args = [num(row.NUMERIC_PRECISION) ?? 1];
            break;
        case "TINYINT":
            // BOOL/BOOLEAN are TINYINT(1), and (1) is the one display width the server keeps.
            // https://dev.mysql.com/doc/refman/8.0/en/numeric-type-syntax.html
            if (/^tinyint\(1\)/.test(columnType)) type = "BOOLEAN";
            break;
    }
    const extra = row.EXTRA ?? "";
    const columnDefault = parseColumnDefault(row.COLUMN_DEFAULT, extra, flavor);
    return {
        name: row.COLUMN_NAME,
        type,
        args,
        ...(dataType === "ENUM" || dataType === "SET" ? { enumValues: enumValuesOf(row.COLUMN_TYPE) } : {}),
        unsigned: /\bunsigned\b/.test(columnType),
        nullable: row.IS_NULLABLE === "YES",
        autoIncrement: /auto_increment/i.test(extra),
        hasDefault: columnDefault !== undefined || /on update/i.test(extra),
        ...(columnDefault ? { default: columnDefault } : {}),
    };
}

/** Every base table of `database` with columns in ordinal order, primary key and references. */
export async function readEffectiveSchema(conn: mysql.Connection, database: string, options: { exclude?: readonly string[] } = {}): Promise<DdlTable[]> {
    const [version] = await conn.query<mysql.RowDataPacket[]>("SELECT VERSION() AS v");
    const flavor = /mariadb/i.test(String(version[0].v)) ? "mariadb" : "mysql";
    const [tables] = await conn.query<mysql.RowDataPacket[]>(
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
        [database],
    );
    const [columns] = await conn.query<mysql.RowDataPacket[]>(
        `SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_DEFAULT, IS_NULLABLE, DATA_TYPE, COLUMN_TYPE,
                CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE, DATETIME_PRECISION, EXTRA
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`,
        [database],
    );
    const [keys] = await conn.query<mysql.RowDataPacket[]>(
        `SELECT TABLE_NAME, COLUMN_NAME, CONSTRAINT_NAME, REFERENCED_TABLE_NAME, ORDINAL_POSITION
         FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION`,
        [database],
    );
    const exclude = options.exclude ?? [];
    return tables
        .map((t) => String(t.TABLE_NAME))
        .filter((name) => !exclude.includes(name))
        .map((name) => ({
            name,
            columns: columns.filter((c) => c.TABLE_NAME === name).map((c) => toDdlColumn(c as unknown as InformationSchemaColumn, flavor)),
            primaryKey: keys.filter((k) => k.TABLE_NAME === name && k.CONSTRAINT_NAME === "PRIMARY").map((k) => String(k.COLUMN_NAME)),
            references: [...new Set(keys.filter((k) => k.TABLE_NAME === name && k.REFERENCED_TABLE_NAME).map((k) => String(k.REFERENCED_TABLE_NAME)))],
        }));
}
