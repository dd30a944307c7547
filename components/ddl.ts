import * as fs from "fs";
import * as path from "path";
import { splitTopLevel } from "./sqlText";

// A deliberately small parser for the CREATE TABLE statements in sql/mysql/.
// It reads what contract tests and later generators need (columns, types,
// nullability, primary key) and fails loudly, naming the file, on anything it
// cannot read, so a DDL typo never silently drops a column.

export interface DdlColumn {
    name: string;
    /** Base type in upper case, e.g. DECIMAL, VARCHAR, DATETIME, ENUM. */
    type: string;
    /** Type arguments: [precision, scale] for DECIMAL, [length] for VARCHAR, [fsp] for DATETIME. */
    args: number[];
    /** ENUM values, in declaration order. */
    enumValues?: string[];
    unsigned: boolean;
    nullable: boolean;
    autoIncrement: boolean;
    /** True when the column has a DEFAULT or ON UPDATE clause (the server fills it in). */
    hasDefault: boolean;
}

export interface DdlTable {
    name: string;
    columns: DdlColumn[];
    primaryKey: string[];
    /** Tables this one references through foreign keys. */
    references: string[];
}

export class DdlParseError extends Error {
    constructor(file: string, message: string) {
        super(`${file}: ${message}`);
        this.name = "DdlParseError";
    }
}

function stripComments(sql: string): string {
    return sql.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/--[^\n]*/g, " ").replace(/#[^\n]*/g, " ");
}

const unquote = (identifier: string) => identifier.replace(/`/g, "").trim();

function parseColumn(file: string, table: string, definition: string): DdlColumn {
    const m = /^`?(\w+)`?\s+(\w+)\s*(\(([^)]*)\))?\s*(.*)$/is.exec(definition);
    if (!m) throw new DdlParseError(file, `table ${table}: cannot read column definition "${definition}"`);
    const [, name, rawType, , rawArgs, rest] = m;
    const type = rawType.toUpperCase();
    let args: number[] = [];
    let enumValues: string[] | undefined;
    if (rawArgs !== undefined) {
        if (type === "ENUM" || type === "SET") {
            enumValues = [...rawArgs.matchAll(/'((?:[^']|'')*)'/g)].map((v) => v[1]);
        } else {
            args = rawArgs.split(",").map((a) => Number(a.trim()));
            if (args.some((a) => !Number.isInteger(a))) {
                throw new DdlParseError(file, `table ${table}: column ${name} has bad type arguments "(${rawArgs})"`);
            }
        }
    }
    const modifiers = rest.toUpperCase();
    // A PRIMARY KEY column is NOT NULL even without the keyword.
    const nullable = !/\bNOT\s+NULL\b/.test(modifiers) && !/\bPRIMARY\s+KEY\b/.test(modifiers);
    return {
        name,
        type,
        args,
        enumValues,
        unsigned: /\bUNSIGNED\b/.test(modifiers),
        nullable,
        autoIncrement: /\bAUTO_INCREMENT\b/.test(modifiers),
        hasDefault: /\bDEFAULT\b/.test(modifiers),
    };
}

const CONSTRAINT_LINE = /^(UNIQUE|KEY|INDEX|CONSTRAINT|FOREIGN|CHECK|FULLTEXT|SPATIAL)\b/i;

/** Parses every CREATE TABLE statement of one DDL file. */
export function parseDdl(file: string, sql: string): DdlTable[] {
    const text = stripComments(sql);
    const tables: DdlTable[] = [];
    const header = /CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([`\w.]+)\s*\(/gi;
    let match: RegExpExecArray | null;
    while ((match = header.exec(text)) !== null) {
        const name = unquote(match[1]).split(".").pop()!;
        // Find the parenthesis that closes the column list.
        let depth = 1;
        let i = header.lastIndex;
        for (; i < text.length && depth > 0; i++) {
            if (text[i] === "(") depth++;
            else if (text[i] === ")") depth--;
        }
        if (depth !== 0) throw new DdlParseError(file, `table ${name}: unbalanced parentheses`);
        const body = text.slice(header.lastIndex, i - 1);
        header.lastIndex = i;

        const columns: DdlColumn[] = [];
        const references: string[] = [];
        let primaryKey: string[] = [];
        for (const part of splitTopLevel(body)) {
            const fk = /\bFOREIGN\s+KEY\b.*\bREFERENCES\s+`?(\w+)`?/is.exec(part);
            if (fk) references.push(fk[1]);
            // Up to the last ")": key parts may carry a prefix length, e.g. `sku`(20).
            const pk = /^PRIMARY\s+KEY\s*\((.*)\)/is.exec(part);
            if (pk) {
                primaryKey = splitTopLevel(pk[1]).map((c) => unquote(c.replace(/\(\d+\)$/, "")));
            } else if (!CONSTRAINT_LINE.test(part)) {
                const column = parseColumn(file, name, part);
                if (/\bPRIMARY\s+KEY\b/i.test(part)) primaryKey = [column.name];
                columns.push(column);
            }
        }
        for (const key of primaryKey) {
            if (!columns.some((c) => c.name === key)) {
                throw new DdlParseError(file, `table ${name}: primary key column ${key} is not declared`);
            }
        }
        if (tables.some((t) => t.name === name)) throw new DdlParseError(file, `table ${name} is declared twice`);
        tables.push({ name, columns, primaryKey, references });
    }
    return tables;
}


/** Where the MySQL DDL and seed files live. */
export const MYSQL_SQL_DIR = path.join(__dirname, "..", "sql", "mysql");

/** The text of one file of sql/mysql/; errors name the file. */
export function readSqlFile(file: string): string {
    const fullPath = path.join(MYSQL_SQL_DIR, file);
    if (!fs.existsSync(fullPath)) throw new DdlParseError(`sql/mysql/${file}`, "file not found");
    return fs.readFileSync(fullPath, "utf8");
}

/** Splits a SQL script into statements on `;` outside quotes and comments. */
export function splitSqlStatements(sql: string): string[] {
    const statements: string[] = [];
    let current = "";
    let quote: string | undefined;
    for (let i = 0; i < sql.length; i++) {
        const ch = sql[i];
        if (quote) {
            current += ch;
            if (ch === "\\" && quote !== "`") {
                current += sql[++i] ?? "";
            } else if (ch === quote) {
                quote = undefined;
            }
        } else if (ch === "-" && sql[i + 1] === "-") {
            while (i < sql.length && sql[i] !== "\n") i++;
            current += "\n";
        } else if (ch === "/" && sql[i + 1] === "*") {
            const end = sql.indexOf("*/", i + 2);
            i = end === -1 ? sql.length : end + 1;
            current += " ";
        } else if (ch === ";") {
            if (current.trim()) statements.push(current.trim());
            current = "";
        } else {
            if (ch === "'" || ch === '"' || ch === "`") quote = ch;
            current += ch;
        }
    }
    if (current.trim()) statements.push(current.trim());
    return statements;
}

/** Reads and parses one DDL file of sql/mysql/; errors name the file. */
export function readDdlFile(file: string): DdlTable[] {
    return parseDdl(`sql/mysql/${file}`, readSqlFile(file));
}

/** Minimal view of a catalog domain, so this module stays below the catalog. */
export interface DdlContractDomain {
    name: string;
    ddlFile: string;
    tables: readonly { name: string; primaryKey: readonly string[] }[];
}

/**
 * Contract between the catalog and the DDL: every captured table exists in its domain's DDL
 * file with exactly the declared primary key. Returns one message per mismatch, naming the table.
 */
export function catalogDdlMismatches(domains: readonly DdlContractDomain[], read = readDdlFile): string[] {
    const problems: string[] = [];
    for (const domain of domains) {
        let tables: DdlTable[];
        try {
            tables = read(domain.ddlFile);
        } catch (err) {
            problems.push(`domain ${domain.name}: ${(err as Error).message}`);
            continue;
        }
        for (const table of domain.tables) {
            const ddl = tables.find((t) => t.name === table.name);
            const where = `${domain.name}.${table.name} (sql/mysql/${domain.ddlFile})`;
            if (!ddl) {
                problems.push(`${where}: table is in the catalog but has no CREATE TABLE`);
            } else if (ddl.primaryKey.length === 0) {
                problems.push(`${where}: table has no primary key; CDC needs one for message keys`);
            } else if (ddl.primaryKey.join(",") !== table.primaryKey.join(",")) {
                problems.push(`${where}: catalog key (${table.primaryKey.join(", ")}) differs from DDL key (${ddl.primaryKey.join(", ")})`);
            }
        }
    }
    return problems;
}
