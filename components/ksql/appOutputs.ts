// What a ksqlDB app writes: the columns (and, where they follow from the declarations, the
// types) of each persistent query's projection. Used for the contract between the ksqlDB apps
// and the Snowflake tables the curated sink loads, so the two cannot drift apart silently.
import { WAREHOUSE_TABLES, WarehouseTable, derivedTopicName } from "../catalog";
import { KsqlAppSql, KsqlColumn, KsqlSqlError, KsqlStatement, canonicalName } from "./appReader";
import { normalizeKsqlType } from "../sqlTypes";
import { splitTopLevel } from "../sqlText";

export interface ProjectedColumn {
    name: string;
    expression: string;
    /** ksqlDB type when it follows from declared columns; undefined when not inferred. */
    type?: string;
}

// `<`/`>` are comparisons in select lists, not brackets.

/** The select list of a `CREATE ... AS SELECT` statement, with output names. */
export function projectedColumns(statement: KsqlStatement): ProjectedColumn[] {
    const select = /\bAS\s+SELECT\s+([\s\S]*?)\s+FROM\s/i.exec(statement.sql);
    if (statement.kind !== "query" || !select) return [];
    return splitTopLevel(select[1], "()", "'`").map((item) => {
        const aliased = /^([\s\S]*?)\s+AS\s+(`[^`]+`|[A-Za-z_][A-Za-z0-9_]*)$/i.exec(item);
        if (aliased) return { expression: aliased[1].trim(), name: canonicalName(aliased[2]) };
        const last = /([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(item);
        return { expression: item, name: canonicalName(last ? last[1] : item) };
    });
}

function structField(columns: KsqlColumn[] | undefined, struct: string, field: string): string | undefined {
    const column = columns?.find((c) => c.name.toUpperCase() === struct.toUpperCase());
    return column?.fields?.find((f) => f.name.toUpperCase() === field.toUpperCase())?.type;
}

/** Infers an expression's type from the app's declared sources and earlier projections. */
function inferType(expression: string, statement: KsqlStatement, app: KsqlAppSql, depth = 0): string | undefined {
    if (depth > 8) return undefined;
    const expr = expression.trim();
    const fn = /^([A-Z_]+)\s*\(([\s\S]*)\)$/i.exec(expr);
    if (fn) {
        const name = fn[1].toUpperCase();
        if (name === "COUNT") return "BIGINT";
        if (name === "FROM_UNIXTIME") return "TIMESTAMP";
        if (name === "UNIX_TIMESTAMP") return "BIGINT";
        if (name === "LATEST_BY_OFFSET" || name === "EARLIEST_BY_OFFSET") return inferType(fn[2], statement, app, depth + 1);
        return undefined;
    }
    if (/^\d+$/.test(expr)) return "INT";
    const resolveRead = (alias?: string) => {
        const read = alias
            ? statement.reads.find((r) => (r.alias ?? r.name).toUpperCase() === alias.toUpperCase())
            : statement.reads.length === 1
              ? statement.reads[0]
              : undefined;
        return read && app.statements.find((s) => s.name === read.name && s.index < statement.index && s.kind !== "insert");
    };
    const deref = /^(?:([A-Za-z_]\w*)\.)?([A-Za-z_]\w*)->([A-Za-z_]\w*)$/.exec(expr);
    if (deref) return structField(resolveRead(deref[1])?.columns, deref[2], deref[3]);
    const column = /^(?:([A-Za-z_]\w*)\.)?([A-Za-z_]\w*)$/.exec(expr);
    if (column) {
        const source = resolveRead(column[1]);
        if (!source) return undefined;
        const declared = source.columns?.find((c) => c.name.toUpperCase() === column[2].toUpperCase());
        if (declared) return declared.type;
        const projected = projectedColumns(source).find((c) => c.name === canonicalName(column[2]));
        return projected ? inferType(projected.expression, source, app, depth + 1) : undefined;
    }
    return undefined;
}

/** The columns a query writes to `topic`, with inferred types, or undefined if no app writes it. */
export function outputSchema(apps: readonly KsqlAppSql[], topic: string): { app: KsqlAppSql; statement: KsqlStatement; columns: ProjectedColumn[] } | undefined {
    for (const app of apps) {
        const statement = app.statements.find((s) => s.kind === "query" && s.kafkaTopic === topic);
        if (statement) {
            const columns = projectedColumns(statement).map((c) => ({ ...c, type: inferType(c.expression, statement, app) }));
            return { app, statement, columns };
        }
    }
    return undefined;
}

/**
 * Contract: each warehouse table loaded from a ksqlDB output declares exactly the columns the
 * app writes, in order, with the same types wherever the app's types follow from declarations.
 */
export function warehouseKsqlMismatches(
    apps: readonly KsqlAppSql[],
    basePrefix: string,
    tables: readonly WarehouseTable[] = WAREHOUSE_TABLES,
): string[] {
    const problems: string[] = [];
    for (const table of tables) {
        if (table.source.kind !== "ksql") continue;
        const topic = derivedTopicName(basePrefix, table.source.suffix);
        const schema = outputSchema(apps, topic);
        if (!schema) {
            problems.push(`warehouse table ${table.name}: no ksqlDB app writes ${topic}`);
            continue;
        }
        const where = `${schema.app.file} statement ${schema.statement.index} (${schema.statement.name})`;
        const declared = table.source.columns.map((c) => c.name.toUpperCase());
        const written = schema.columns.map((c) => c.name);
        if (declared.join(",") !== written.join(",")) {
            const missing = written.filter((c) => !declared.includes(c));
            const extra = declared.filter((c) => !written.includes(c));
            const detail = [
                missing.length ? `not declared: ${missing.join(", ")}` : "",
                extra.length ? `not written by the app: ${extra.join(", ")}` : "",
                !missing.length && !extra.length ? "same columns in a different order" : "",
            ].filter(Boolean);
            problems.push(`warehouse table ${table.name}: columns differ from ${where}; ${detail.join("; ")}`);
            continue;
        }
        for (const column of table.source.columns) {
            const inferred = schema.columns.find((c) => c.name === column.name.toUpperCase())!.type;
            if (inferred && normalizeKsqlType(inferred) !== normalizeKsqlType(column.type)) {
                problems.push(`warehouse table ${table.name}: column ${column.name} is declared ${column.type} but ${where} writes ${inferred}`);
            }
        }
    }
    return problems;
}

/** Throws, listing every mismatch, when a curated warehouse table disagrees with its app. */
export function assertWarehouseMatchesKsql(apps: readonly KsqlAppSql[], basePrefix: string): void {
    const problems = warehouseKsqlMismatches(apps, basePrefix);
    if (problems.length > 0) {
        throw new KsqlSqlError(`catalog WAREHOUSE_TABLES disagree with the ksqlDB apps:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    }
}
