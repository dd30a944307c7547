// The MySQL tables as the server reports them, for everything that needs columns without a
// server (Snowflake tables, the local warehouse DDL, the ksqlDB and catalog contracts): the
// committed effective schema, sql/mysql/effective-schema.json, which `npm run schema:check --
// --write` reads from information_schema after applying the migrations to a throwaway MariaDB
// (components/source/effectiveSchema.ts), and which a test and schema:check compare with the
// server. There is no CREATE TABLE text reader any more: the server answers.

import * as fs from "fs";
import * as path from "path";

/** A column as information_schema reports it. */
export interface DdlColumn {
    name: string;
    /** Base type in upper case: BIGINT, DECIMAL, VARCHAR, DATETIME, ENUM, BOOLEAN (= TINYINT(1)). */
    type: string;
    /** [precision, scale] for DECIMAL, [length] for CHAR/VARCHAR/BINARY, [fsp] for DATETIME/TIME/TIMESTAMP, [bits] for BIT. */
    args: number[];
    /** ENUM/SET values, in declaration order. */
    enumValues?: string[];
    unsigned: boolean;
    nullable: boolean;
    autoIncrement: boolean;
    /** True when the column has a DEFAULT or ON UPDATE clause (the server fills it in). */
    hasDefault: boolean;
    /** The default: a literal, or an expression the server evaluates (CURRENT_TIMESTAMP(6)). */
    default?: { kind: "literal"; value: string } | { kind: "expression"; text: string };
}

export interface DdlTable {
    name: string;
    /** In ordinal order. */
    columns: DdlColumn[];
    primaryKey: string[];
    /** Tables this one references through foreign keys. */
    references: string[];
}

export const EFFECTIVE_SCHEMA_FILE = "sql/mysql/effective-schema.json";

export interface SchemaSnapshot {
    comment: string;
    domains: Record<string, { database: string; migratedTo: string; tables: DdlTable[] }>;
}

/** Parsed snapshots by file, with the modification time they were read at. */
const snapshots = new Map<string, { mtimeMs: number; snapshot: SchemaSnapshot }>();

/**
 * Reads the snapshot; errors name the file and the command that renews it. Parsed once per file
 * version: every table lookup asks for it, and re-parsing made evaluation quadratic in tables.
 */
export function readSchemaSnapshot(repoRoot = path.join(__dirname, "..")): SchemaSnapshot {
    const file = path.join(repoRoot, EFFECTIVE_SCHEMA_FILE);
    if (!fs.existsSync(file)) throw new Error(`${EFFECTIVE_SCHEMA_FILE}: not found; create it with npm run schema:check -- --write`);
    const { mtimeMs } = fs.statSync(file);
    const cached = snapshots.get(file);
    if (cached && cached.mtimeMs === mtimeMs) return cached.snapshot;
    let snapshot: SchemaSnapshot;
    try {
        snapshot = JSON.parse(fs.readFileSync(file, "utf8")) as SchemaSnapshot;
    } catch (err) {
        throw new Error(`${EFFECTIVE_SCHEMA_FILE}: not valid JSON (${(err as Error).message}); renew it with npm run schema:check -- --write`);
    }
    snapshots.set(file, { mtimeMs, snapshot });
    return snapshot;
}

/** A domain's tables (by domain name) as the server reported them after its migrations. */
export function domainTables(domain: string, snapshot: SchemaSnapshot = readSchemaSnapshot()): DdlTable[] {
    const entry = snapshot.domains[domain];
    if (!entry) throw new Error(`${EFFECTIVE_SCHEMA_FILE}: no domain "${domain}"; add sql/mysql/${domain}/V001__baseline.sql and run npm run schema:check -- --write`);
    return entry.tables;
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

/** Minimal view of a catalog domain, so this module stays below the catalog. */
export interface DdlContractDomain {
    name: string;
    tables: readonly { name: string; primaryKey: readonly string[] }[];
}

/**
 * Contract between the catalog and the effective schema: every captured table exists after its
 * domain's migrations with exactly the declared primary key. `read` gives a domain's tables (the
 * snapshot by default; the tests pass what the server reports). One message per mismatch.
 */
export function catalogDdlMismatches(domains: readonly DdlContractDomain[], read: (domain: string) => DdlTable[] = (d) => domainTables(d)): string[] {
    const problems: string[] = [];
    for (const domain of domains) {
        let tables: DdlTable[];
        try {
            tables = read(domain.name);
        } catch (err) {
            problems.push(`domain ${domain.name}: ${(err as Error).message}`);
            continue;
        }
        for (const table of domain.tables) {
            const ddl = tables.find((t) => t.name === table.name);
            const where = `${domain.name}.${table.name} (sql/mysql/${domain.name}/)`;
            if (!ddl) {
                problems.push(`${where}: table is in the catalog but no migration creates it`);
            } else if (ddl.primaryKey.length === 0) {
                problems.push(`${where}: table has no primary key; CDC needs one for message keys`);
            } else if (ddl.primaryKey.join(",") !== table.primaryKey.join(",")) {
                problems.push(`${where}: catalog key (${table.primaryKey.join(", ")}) differs from DDL key (${ddl.primaryKey.join(", ")})`);
            }
        }
    }
    return problems;
}
