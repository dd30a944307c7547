// Reads the statements the ksqlDB apps use: what each creates, reads and declares. Pure, and
// small on purpose: it understands the statement shapes of sql/ksqldb/, not all of ksqlDB.
import { KsqlApp } from "../catalog";
import { normalizeKsqlType } from "../sqlTypes";
import { splitTopLevel } from "../sqlText";

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
export function maskQuoted(text: string): string {
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
        return { name, type: normalizeKsqlType(rawType) };
    });
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
