// The contract between the ksqlDB apps, the catalog and the MySQL DDL: every topic an app reads
// or writes is in the catalog, every field it reads exists with a type it can be read as.
import { KSQL_APPS, KsqlApp, TopicSpec, allTopics, domainByName, ksqlAppInputTopics, ksqlAppOutputTopics } from "../catalog";
import { DdlTable, domainTables } from "../ddl";
import { ksqlTypesFor } from "../sqlTypes";
import { KsqlAppSql, KsqlSqlError, KsqlStatement, canonicalName, maskQuoted } from "./appReader";
import { KsqlTemplateVars, loadKsqlApp } from "./appRenderer";

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

export interface KsqlContractContext {
    basePrefix: string;
    /** Every catalog topic. */
    topics: TopicSpec[];
    /** A domain's tables by domain name: the effective schema (snapshot, or what a server reports). */
    readDdl: (domain: string) => DdlTable[];
}

export function defaultContractContext(basePrefix: string): KsqlContractContext {
    return {
        basePrefix,
        topics: allTopics(basePrefix),
        readDdl: (domain) => domainTables(domain),
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
        const ddl = ctx.readDdl(domain.name).find((t) => t.name === spec.table);
        return ddl && { domain, ddl, label: `${domain.database}.${spec.table} (sql/mysql/${domain.name}/)` };
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
