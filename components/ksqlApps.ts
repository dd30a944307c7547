// The ksqlDB apps of sql/ksqldb/: rendering (placeholders, per-table blocks from the catalog),
// a small statement reader for the statements the apps use, and the contract checks between
// the apps, the catalog and the MySQL DDL. Pure: no resources; file reads only in loadKsqlApp.
import * as fs from "fs";
import * as path from "path";
import { KSQL_APPS, KsqlApp, TopicSpec, allTopics, domainByName, ksqlAppInputTopics, ksqlAppOutputTopics, topicName } from "./catalog";
import { DdlColumn, DdlTable, readDdlFile } from "./ddl";
import { splitTopLevel } from "./sqlText";

export const KSQL_SQL_DIR = path.join(__dirname, "..", "sql", "ksqldb");

/** Values for the `${name}` placeholders of the SQL files. */
export interface KsqlTemplateVars {
    topicPrefix: string;
    orderStuckSlaMinutes: number;
}

export type StatementKind = "source" | "query" | "insert";

export interface KsqlColumn {
    name: string;
    /** Normalised type, e.g. BIGINT, DECIMAL(18,6), STRUCT<...>. */
    type: string;
    /** Fields of a STRUCT column. */
    fields?: KsqlColumn[];
}

export interface KsqlStatement {
    /** 1-based position in the rendered app. */
    index: number;
    /** Line of the file where the statement starts. */
    line: number;
    /** Rendered text without comments, whitespace collapsed, ending with `;`. */
    sql: string;
    kind: StatementKind;
    objectType: "STREAM" | "TABLE";
    /** Stream/table created (source, query) or written (insert); upper case unless quoted. */
    name: string;
    /** Streams/tables read, with their alias in the statement. */
    reads: { name: string; alias?: string }[];
    kafkaTopic?: string;
    /** Declared columns of a source; undefined when the value schema is inferred from Schema Registry. */
    columns?: KsqlColumn[];
}

export interface KsqlAppSql {
    app: KsqlApp;
    /** `sql/ksqldb/<file>`, as error messages name it. */
    file: string;
    statements: KsqlStatement[];
}

export class KsqlSqlError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "KsqlSqlError";
    }
}

const IDENT = "(`[^`]+`|[A-Za-z_][A-Za-z0-9_]*)";
const NOT_ALIAS = new Set(
    ["WINDOW", "WHERE", "JOIN", "LEFT", "RIGHT", "FULL", "INNER", "OUTER", "ON", "GROUP", "EMIT", "PARTITION", "HAVING", "WITHIN", "LIMIT"],
);

/** Canonical identifier: unquoted names are upper-cased, as ksqlDB does. */
export function canonicalName(identifier: string): string {
    return identifier.startsWith("`") ? identifier.slice(1, -1) : identifier.toUpperCase();
}

/** Replaces every character inside '...' literals and `...` identifiers with a space-free marker. */
function maskQuoted(text: string): string {
    let out = "";
    let quote: string | undefined;
    for (const ch of text) {
        if (quote) {
            out += ch === quote ? ch : "_";
            if (ch === quote) quote = undefined;
        } else {
            if (ch === "'" || ch === "`") quote = ch;
            out += ch;
        }
    }
    return out;
}

/** Removes `--` and block comments outside quotes. */
export function stripKsqlComments(text: string): string {
    let out = "";
    let quote: string | undefined;
    for (let i = 0; i < text.length; i++) {
        const ch = text[i];
        if (quote) {
            if (ch === quote) quote = undefined;
            out += ch;
        } else if (ch === "'" || ch === "`") {
            quote = ch;
            out += ch;
        } else if (ch === "-" && text[i + 1] === "-") {
            while (i < text.length && text[i] !== "\n") i++;
            out += "\n";
        } else if (ch === "/" && text[i + 1] === "*") {
            const end = text.indexOf("*/", i + 2);
            const skipped = text.slice(i, end < 0 ? text.length : end + 2);
            out += skipped.replace(/[^\n]/g, " ");
            i = end < 0 ? text.length : end + 1;
        } else {
            out += ch;
        }
    }
    return out;
}

/** Collapses whitespace outside quotes; the form statements are compared and sent in. */
export function normalizeKsql(text: string): string {
    let out = "";
    let quote: string | undefined;
    let pendingSpace = false;
    for (const ch of stripKsqlComments(text).trim()) {
        if (quote) {
            out += ch;
            if (ch === quote) quote = undefined;
            continue;
        }
        if (/\s/.test(ch)) {
            pendingSpace = true;
            continue;
        }
        if (pendingSpace && out && out[out.length - 1] !== "(" && !"),;".includes(ch)) out += " ";
        pendingSpace = false;
        if (ch === "'" || ch === "`") quote = ch;
        out += ch;
    }
    return out.endsWith(";") ? out : `${out};`;
}

/** The text between the bracket at `open` and its partner, and the index after the partner. */
function bracketed(text: string, open: number): { inner: string; end: number } | undefined {
    const opener = text[open];
    const closer = opener === "(" ? ")" : ">";
    let depth = 0;
    for (let i = open; i < text.length; i++) {
        if (text[i] === opener) depth++;
        else if (text[i] === closer && --depth === 0) return { inner: text.slice(open + 1, i), end: i + 1 };
    }
    return undefined;
}

function parseColumns(body: string, where: string): KsqlColumn[] {
    return splitTopLevel(body, "()<>", "'`").map((definition) => {
        const m = new RegExp(`^${IDENT}\\s+([\\s\\S]+?)(\\s+(PRIMARY\\s+)?KEY)?$`, "i").exec(definition.trim());
        if (!m) throw new KsqlSqlError(`${where}: cannot read column definition "${definition}"`);
        const name = canonicalName(m[1]);
        const rawType = m[2].replace(/\s+/g, " ").trim();
        if (/^STRUCT\s*</i.test(rawType)) {
            const inner = bracketed(rawType, rawType.indexOf("<"));
            if (!inner) throw new KsqlSqlError(`${where}: unbalanced STRUCT<...> in column ${name}`);
            const fields = parseColumns(inner.inner, `${where}, column ${name}`);
            return { name, type: `STRUCT<${fields.map((f) => `${f.name} ${f.type}`).join(", ")}>`, fields };
        }
        return { name, type: normalizeType(rawType) };
    });
}

function normalizeType(raw: string): string {
    const type = raw.toUpperCase().replace(/\s+/g, "");
    return type === "VARCHAR" ? "STRING" : type;
}

function withProperties(text: string): Record<string, string> {
    const at = /\bWITH\s*\(/i.exec(maskQuoted(text));
    if (!at) return {};
    const inner = bracketed(text, at.index + at[0].length - 1);
    if (!inner) return {};
    const props: Record<string, string> = {};
    for (const part of splitTopLevel(inner.inner, "()<>", "'`")) {
        const m = /^(\w+)\s*=\s*'([^']*)'$/.exec(part.trim()) ?? /^(\w+)\s*=\s*(\S+)$/.exec(part.trim());
        if (m) props[m[1].toUpperCase()] = m[2];
    }
    return props;
}

function readsOf(selectText: string): { name: string; alias?: string }[] {
    const masked = maskQuoted(selectText);
    const reads: { name: string; alias?: string }[] = [];
    const re = new RegExp(`\\b(?:FROM|JOIN)\\s+${IDENT}(?:\\s+(?:AS\\s+)?${IDENT})?`, "gi");
    let m: RegExpExecArray | null;
    while ((m = re.exec(masked)) !== null) {
        // Recover the real identifier text (masking kept positions).
        const name = canonicalName(selectText.substr(m.index + m[0].indexOf(m[1]), m[1].length));
        const alias = m[2] && !NOT_ALIAS.has(m[2].toUpperCase()) ? canonicalName(m[2]) : undefined;
        if (m[2] && !alias) re.lastIndex -= m[2].length; // the keyword belongs to the next clause
        reads.push({ name, alias });
    }
    return reads;
}

/** Reads one rendered statement (comments already stripped). */
export function parseKsqlStatement(text: string, where: string): Omit<KsqlStatement, "index" | "line"> {
    const sql = normalizeKsql(text);
    const masked = maskQuoted(sql);
    const create = new RegExp(`^CREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:SOURCE\\s+)?(STREAM|TABLE)\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?${IDENT}\\s*`, "i").exec(masked);
    if (create) {
        const objectType = create[1].toUpperCase() as "STREAM" | "TABLE";
        const name = canonicalName(sql.substr(create.index + create[0].indexOf(create[2]), create[2].length));
        let rest = sql.slice(create[0].length);
        let columns: KsqlColumn[] | undefined;
        if (rest.startsWith("(")) {
            const cols = bracketed(rest, 0);
            if (!cols) throw new KsqlSqlError(`${where}: unbalanced column list`);
            columns = parseColumns(cols.inner, where);
            rest = rest.slice(cols.end);
        }
        const asSelect = /\bAS\s+SELECT\b/i.exec(maskQuoted(rest));
        const props = withProperties(asSelect ? rest.slice(0, asSelect.index) : rest);
        if (asSelect) {
            return { sql, kind: "query", objectType, name, reads: readsOf(rest.slice(asSelect.index)), kafkaTopic: props.KAFKA_TOPIC };
        }
        return { sql, kind: "source", objectType, name, reads: [], kafkaTopic: props.KAFKA_TOPIC, columns };
    }
    const insert = new RegExp(`^INSERT\\s+INTO\\s+${IDENT}\\s+`, "i").exec(masked);
    if (insert) {
        const name = canonicalName(sql.substr(insert.index + insert[0].indexOf(insert[1]), insert[1].length));
        return { sql, kind: "insert", objectType: "STREAM", name, reads: readsOf(sql.slice(insert[0].length)) };
    }
    throw new KsqlSqlError(
        `${where}: unsupported statement "${sql.slice(0, 60)}"; apps hold CREATE STREAM/TABLE [AS SELECT] and INSERT INTO (drops and terminations are the provider's job)`,
    );
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

// ---- Contract ------------------------------------------------------------------------------

/** Top-level fields of a Debezium change event value. */
export const DEBEZIUM_ENVELOPE: Record<string, string | undefined> = {
    BEFORE: undefined, // STRUCT of the table's columns
    AFTER: undefined,
    SOURCE: undefined,
    OP: "STRING",
    TS_MS: "BIGINT",
    TS_US: "BIGINT",
    TS_NS: "BIGINT",
    TRANSACTION: undefined,
};

/** Fields of the `source` block of Debezium MySQL events, with their ksqlDB types. */
export const DEBEZIUM_MYSQL_SOURCE: Record<string, string> = {
    VERSION: "STRING",
    CONNECTOR: "STRING",
    NAME: "STRING",
    TS_MS: "BIGINT",
    TS_US: "BIGINT",
    TS_NS: "BIGINT",
    SNAPSHOT: "STRING",
    DB: "STRING",
    SEQUENCE: "STRING",
    TABLE: "STRING",
    SERVER_ID: "BIGINT",
    GTID: "STRING",
    FILE: "STRING",
    POS: "BIGINT",
    ROW: "INT",
    THREAD: "BIGINT",
    QUERY: "STRING",
};

/**
 * ksqlDB types a MySQL column can be read as, given the connector's settings
 * (AVRO, decimal.handling.mode=precise, time.precision.mode=adaptive_time_microseconds,
 * bigint.unsigned.handling.mode=long).
 */
export function ksqlTypesFor(column: DdlColumn): string[] {
    switch (column.type) {
        case "BIGINT":
            return ["BIGINT"];
        case "INT":
        case "INTEGER":
            return column.unsigned ? ["BIGINT"] : ["INT", "BIGINT"];
        case "MEDIUMINT":
        case "SMALLINT":
        case "TINYINT":
        case "YEAR":
            return ["INT", "BIGINT"];
        case "BOOLEAN":
        case "BOOL":
            return ["BOOLEAN"];
        case "DECIMAL":
        case "NUMERIC": {
            const [precision = 10, scale = 0] = column.args;
            return [`DECIMAL(${precision},${scale})`];
        }
        case "FLOAT":
        case "DOUBLE":
        case "REAL":
            return ["DOUBLE"];
        case "CHAR":
        case "VARCHAR":
        case "TEXT":
        case "TINYTEXT":
        case "MEDIUMTEXT":
        case "LONGTEXT":
        case "ENUM":
        case "SET":
        case "JSON":
        case "TIMESTAMP": // io.debezium.time.ZonedTimestamp: ISO-8601 text
            return ["STRING"];
        case "DATETIME": // io.debezium.time.Timestamp (ms) or MicroTimestamp (us): epoch BIGINT
        case "TIME": // io.debezium.time.MicroTime
            return ["BIGINT"];
        case "DATE": // io.debezium.time.Date: days since the epoch
            return ["INT"];
        case "BINARY":
        case "VARBINARY":
        case "BLOB":
        case "TINYBLOB":
        case "MEDIUMBLOB":
        case "LONGBLOB":
        case "BIT":
            return ["BYTES"];
        default:
            return [];
    }
}

export interface KsqlContractContext {
    basePrefix: string;
    /** Every catalog topic. */
    topics: TopicSpec[];
    /** Reads a domain's DDL file (by file name under sql/mysql/). */
    readDdl: (ddlFile: string) => DdlTable[];
}

export function defaultContractContext(basePrefix: string): KsqlContractContext {
    const cache = new Map<string, DdlTable[]>();
    return {
        basePrefix,
        topics: allTopics(basePrefix),
        readDdl: (file) => {
            if (!cache.has(file)) cache.set(file, readDdlFile(file));
            return cache.get(file)!;
        },
    };
}

function describeStatement(file: string, s: KsqlStatement): string {
    const verb = s.kind === "insert" ? "INSERT INTO" : `CREATE ${s.objectType}`;
    return `${file} statement ${s.index} (line ${s.line}, ${verb} ${s.name})`;
}

const FIELD_REF = /(?:\b([A-Za-z_]\w*)\s*\.\s*)?\b(before|after|source)\s*->\s*(`[^`]+`|[A-Za-z_]\w*)/gi;

/**
 * Contract of one app with the catalog and the MySQL DDL. Returns one message per problem,
 * naming the file, the statement and the column or stream.
 */
export function ksqlAppProblems(appSql: KsqlAppSql, ctx: KsqlContractContext): string[] {
    const { app, file, statements } = appSql;
    const problems: string[] = [];
    const topicsByName = new Map(ctx.topics.map((t) => [t.name, t]));
    const inputs = new Set(ksqlAppInputTopics(ctx.basePrefix, app));
    const outputs = new Set(ksqlAppOutputTopics(ctx.basePrefix, app));
    const definedAt = new Map<string, KsqlStatement>();
    for (const s of statements) {
        if (s.kind === "insert") continue;
        if (definedAt.has(s.name)) {
            problems.push(`${describeStatement(file, s)}: ${s.name} is already created by statement ${definedAt.get(s.name)!.index}`);
        } else {
            definedAt.set(s.name, s);
        }
    }
    const cdcTableOf = (s: KsqlStatement | undefined) => {
        const spec = s?.kafkaTopic ? topicsByName.get(s.kafkaTopic) : undefined;
        if (!spec?.domain || !spec.table) return undefined;
        const domain = domainByName(spec.domain);
        const ddl = ctx.readDdl(domain.ddlFile).find((t) => t.name === spec.table);
        return ddl && { domain, ddl, label: `${domain.database}.${spec.table} (sql/mysql/${domain.ddlFile})` };
    };
    const written = new Set<string>();

    for (const s of statements) {
        const where = describeStatement(file, s);
        // Every read (and an INSERT's target) is created by an earlier statement of this app.
        const needed = [...s.reads.map((r) => r.name), ...(s.kind === "insert" ? [s.name] : [])];
        for (const name of needed) {
            const def = definedAt.get(name);
            if (!def) problems.push(`${where}: reads ${name}, which no statement of this app creates`);
            else if (def.index >= s.index) problems.push(`${where}: reads ${name} before it is created (statement ${def.index})`);
        }

        // Topics: sources over catalog topics the app may read; outputs are the app's catalog topics.
        if (s.kind !== "insert") {
            if (!s.kafkaTopic) {
                problems.push(`${where}: no KAFKA_TOPIC; every stream/table names its catalog topic`);
            } else if (!topicsByName.has(s.kafkaTopic)) {
                problems.push(`${where}: topic ${s.kafkaTopic} is not a catalog topic`);
            } else if (s.kind === "query" && !outputs.has(s.kafkaTopic)) {
                problems.push(`${where}: writes ${s.kafkaTopic}, which the catalog does not list as produced by ${app.name}`);
            } else if (s.kind === "source" && !inputs.has(s.kafkaTopic) && !outputs.has(s.kafkaTopic)) {
                problems.push(`${where}: reads ${s.kafkaTopic}, which the catalog does not list as an input of ${app.name}`);
            }
            if (s.kind === "query" && s.kafkaTopic) written.add(s.kafkaTopic);
        } else {
            const target = definedAt.get(s.name);
            if (target?.kafkaTopic && !outputs.has(target.kafkaTopic)) {
                problems.push(`${where}: writes ${target.kafkaTopic}, which the catalog does not list as produced by ${app.name}`);
            }
            if (target?.kafkaTopic) written.add(target.kafkaTopic);
        }

        // Declared CDC columns exist in the DDL with a compatible type.
        const cdc = s.kind === "source" ? cdcTableOf(s) : undefined;
        if (cdc && s.columns) {
            for (const column of s.columns) {
                if (!(column.name in DEBEZIUM_ENVELOPE)) {
                    problems.push(`${where}: column ${column.name} is not a field of a Debezium change event (before, after, source, op, ts_ms)`);
                    continue;
                }
                const expected = DEBEZIUM_ENVELOPE[column.name];
                if (expected && column.type !== expected) problems.push(`${where}: column ${column.name} must be ${expected}, not ${column.type}`);
                for (const field of column.fields ?? []) {
                    if (column.name === "SOURCE") {
                        const type = DEBEZIUM_MYSQL_SOURCE[field.name];
                        if (!type) problems.push(`${where}: column SOURCE->${field.name} is not a Debezium MySQL source field`);
                        else if (type !== field.type) problems.push(`${where}: column SOURCE->${field.name} must be ${type}, not ${field.type}`);
                        continue;
                    }
                    const ddlColumn = cdc.ddl.columns.find((c) => c.name.toUpperCase() === field.name);
                    if (!ddlColumn) {
                        problems.push(`${where}: column ${column.name}->${field.name} is not in ${cdc.label}`);
                        continue;
                    }
                    const allowed = ksqlTypesFor(ddlColumn);
                    if (!allowed.includes(field.type)) {
                        problems.push(
                            `${where}: column ${column.name}->${field.name} is ${field.type}, but ${cdc.label} has ${ddlColumn.type}${ddlColumn.args.length ? `(${ddlColumn.args.join(",")})` : ""}${ddlColumn.unsigned ? " UNSIGNED" : ""}, read as ${allowed.join(" or ") || "an unsupported type"}`,
                        );
                    }
                }
            }
        }

        // Every before->/after->/source-> reference names a column of the CDC stream it reads.
        if (s.kind === "source") continue;
        const masked = maskQuoted(s.sql);
        for (const m of masked.matchAll(FIELD_REF)) {
            const qualifier = m[1] ? canonicalName(m[1]) : undefined;
            const block = m[2].toUpperCase();
            const field = canonicalName(s.sql.substr(m.index! + m[0].lastIndexOf(m[3]), m[3].length));
            const candidates = qualifier
                ? s.reads.filter((r) => r.alias === qualifier || r.name === qualifier)
                : s.reads.length === 1
                  ? s.reads
                  : [];
            if (candidates.length !== 1) {
                problems.push(`${where}: ${m[0]} is ambiguous; qualify it with the stream's alias`);
                continue;
            }
            const source = definedAt.get(candidates[0].name);
            const cdc = cdcTableOf(source);
            if (!source || !cdc) {
                if (source) problems.push(`${where}: ${m[0]} reads ${block} of ${source.name}, which is not a CDC stream`);
                continue;
            }
            const declared = source.columns?.find((c) => c.name === block);
            if (source.columns && !declared) {
                problems.push(`${where}: column ${block} is not declared by ${source.name} (statement ${source.index})`);
                continue;
            }
            if (declared?.fields && !declared.fields.some((f) => f.name === field)) {
                problems.push(`${where}: column ${block}->${field} is not declared by ${source.name} (statement ${source.index})`);
            }
            if (block === "SOURCE") {
                if (!(field in DEBEZIUM_MYSQL_SOURCE)) problems.push(`${where}: column SOURCE->${field} is not a Debezium MySQL source field`);
            } else if (!cdc.ddl.columns.some((c) => c.name.toUpperCase() === field)) {
                problems.push(`${where}: column ${block}->${field} is not in ${cdc.label}`);
            }
        }
    }

    for (const topic of outputs) {
        if (!written.has(topic)) problems.push(`${file}: catalog topic ${topic} is produced by ${app.name}, but no statement writes it`);
    }
    return problems;
}

/** Names created by more than one app: they would collide in the one ksqlDB cluster. */
export function crossAppProblems(apps: KsqlAppSql[]): string[] {
    const owner = new Map<string, string>();
    const problems: string[] = [];
    for (const { file, statements } of apps) {
        for (const s of statements) {
            if (s.kind === "insert") continue;
            const other = owner.get(s.name);
            if (other && other !== file) problems.push(`${describeStatement(file, s)}: ${s.name} is also created by ${other}; names are cluster-wide`);
            else owner.set(s.name, file);
        }
    }
    return problems;
}

/** Loads every catalog app and checks the whole contract; throws listing every problem. */
export function loadCheckedKsqlApps(vars: KsqlTemplateVars, apps: readonly KsqlApp[] = KSQL_APPS): KsqlAppSql[] {
    const loaded = apps.map((app) => loadKsqlApp(app, vars));
    const ctx = defaultContractContext(vars.topicPrefix);
    const problems = [...loaded.flatMap((a) => ksqlAppProblems(a, ctx)), ...crossAppProblems(loaded)];
    if (problems.length > 0) throw new KsqlSqlError(`ksqlDB apps break their contract:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    return loaded;
}
