// Renders the ksqlDB apps of sql/ksqldb/: `${name}` placeholders and `-- @foreach captured_table`
// blocks expanded from the catalog, then read statement by statement. File reads only in loadKsqlApp.
import * as fs from "fs";
import * as path from "path";
import { KsqlApp, domainByName, topicName } from "../catalog";
import { KsqlAppSql, KsqlSqlError, KsqlStatement, parseKsqlStatement, stripKsqlComments } from "./appReader";

export const KSQL_SQL_DIR = path.join(__dirname, "..", "..", "sql", "ksqldb");

/** Values for the `${name}` placeholders of the SQL files. */
export interface KsqlTemplateVars {
    topicPrefix: string;
    orderStuckSlaMinutes: number;
}

const FOREACH = /^\s*--\s*@foreach\s+captured_table\s*$/;
const END = /^\s*--\s*@end\s*$/;

/**
 * `${primaryKeyText}`: the row's primary key as text, from the after image (the before image for
 * deletes), columns joined by ','; part of the audit record's stable event key.
 */
function primaryKeyText(columns: readonly string[]): string {
    const parts = columns.map((c) => `CAST(COALESCE(after->${c}, before->${c}) AS STRING)`);
    return parts.length === 1 ? parts[0] : `CONCAT_WS(',', ${parts.join(", ")})`;
}

/**
 * Renders an app's SQL: repeats `-- @foreach captured_table` ... `-- @end` blocks once per input
 * table of the app, substitutes `${name}` placeholders, and keeps each line's file line number.
 */
function renderLines(file: string, text: string, app: KsqlApp, vars: KsqlTemplateVars): { text: string; line: number }[] {
    // Comments go first (line count kept) so placeholders in comments are not rendered;
    // directives are read from the raw lines.
    const raw = text.split("\n");
    const source = stripKsqlComments(text)
        .split("\n")
        .map((t, i) => ({ text: FOREACH.test(raw[i]) || END.test(raw[i]) ? raw[i] : t, line: i + 1 }));
    const expanded: { text: string; line: number; extra: Record<string, string> }[] = [];
    for (let i = 0; i < source.length; i++) {
        if (END.test(source[i].text)) throw new KsqlSqlError(`${file}:${source[i].line}: @end without @foreach`);
        if (!FOREACH.test(source[i].text)) {
            expanded.push({ ...source[i], extra: {} });
            continue;
        }
        const close = source.findIndex((l, j) => j > i && END.test(l.text));
        if (close < 0) throw new KsqlSqlError(`${file}:${source[i].line}: @foreach without @end`);
        const block = source.slice(i + 1, close);
        for (const ref of app.inputs) {
            const domain = domainByName(ref.domain);
            const primaryKey = domain.tables.find((t) => t.name === ref.table)?.primaryKey ?? [];
            const extra = {
                domain: ref.domain,
                database: domain.database,
                table: ref.table,
                topic: topicName(vars.topicPrefix, domain, ref.table),
                primaryKeyText: primaryKeyText(primaryKey),
            };
            expanded.push(...block.map((l) => ({ ...l, extra })));
        }
        i = close;
    }
    return expanded.map(({ text: t, line, extra }) => ({
        line,
        text: t.replace(/\$\{(\w+)\}/g, (_, name: string) => {
            const value = name in extra ? extra[name] : (vars as unknown as Record<string, unknown>)[name];
            if (value === undefined) {
                const known = [...Object.keys(vars), ...Object.keys(extra)].join(", ");
                throw new KsqlSqlError(`${file}:${line}: unknown placeholder \${${name}}; known here: ${known}`);
            }
            return String(value);
        }),
    }));
}

/** Renders and reads an app's SQL text. Errors name the file, line and statement. */
export function parseKsqlApp(app: KsqlApp, text: string, vars: KsqlTemplateVars, file = `sql/ksqldb/${app.file}`): KsqlAppSql {
    const lines = renderLines(file, text, app, vars);
    const stripped = lines.map((l) => l.text).join("\n");
    const statements: KsqlStatement[] = [];
    let start = 0;
    let quote: string | undefined;
    const lineAt = (offset: number) => lines[stripped.slice(0, offset).split("\n").length - 1]?.line ?? 0;
    const flush = (end: number) => {
        const body = stripped.slice(start, end);
        if (body.trim()) {
            const offset = start + body.search(/\S/);
            const line = lineAt(offset);
            const index = statements.length + 1;
            const parsed = parseKsqlStatement(body, `${file} statement ${index} (line ${line})`);
            statements.push({ ...parsed, index, line });
        }
        start = end + 1;
    };
    for (let i = 0; i < stripped.length; i++) {
        const ch = stripped[i];
        if (quote) {
            if (ch === quote) quote = undefined;
        } else if (ch === "'" || ch === "`") {
            quote = ch;
        } else if (ch === ";") {
            flush(i);
        }
    }
    if (stripped.slice(start).trim()) {
        throw new KsqlSqlError(`${file} line ${lineAt(start + stripped.slice(start).search(/\S/))}: last statement does not end with ';'`);
    }
    if (statements.length === 0) throw new KsqlSqlError(`${file}: no statements`);
    return { app, file, statements };
}

/** Reads sql/ksqldb/<file> of an app and renders it. */
export function loadKsqlApp(app: KsqlApp, vars: KsqlTemplateVars): KsqlAppSql {
    const fullPath = path.join(KSQL_SQL_DIR, app.file);
    if (!fs.existsSync(fullPath)) throw new KsqlSqlError(`sql/ksqldb/${app.file}: file not found (catalog app ${app.name})`);
    return parseKsqlApp(app, fs.readFileSync(fullPath, "utf8"), vars);
}
