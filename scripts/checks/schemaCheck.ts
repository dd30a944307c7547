// schema:check: what the migrations added since a git ref do to every CDC subject and its
// readers, decided on a real server. Each domain's migrations run one at a time on a throwaway
// MariaDB; after each, the effective schema (information_schema) gives the predicted Avro key and
// value schemas, which are checked with Avro resolution under the subject's compatibility mode
// against every earlier version. The ksqlDB app contracts and the Snowflake table contract are
// re-run on the new columns. Source-level narrowing (shorter VARCHAR, smaller integer, fewer
// ENUM values, changed DECIMAL) is reported even where Avro would accept it.
import { execFileSync } from "child_process";
import * as path from "path";
import type * as mysql from "mysql2/promise";
import * as fs from "fs";
import { DOMAINS, Domain, KSQL_APPS, WAREHOUSE_TABLES, cdcTopicPrefix } from "../../components/catalog";
import { PROJECT_NAMESPACE, parsePlatformConfig } from "../../components/config";
import { defaultContractContext, ksqlAppProblems, loadKsqlApp } from "../../components/ksql";
import { DdlColumn, DdlTable, EFFECTIVE_SCHEMA_FILE, SchemaSnapshot, readSchemaSnapshot } from "../../components/ddl";
import {
    HISTORY_TABLE,
    MigrationFile,
    SIGNAL_TABLE,
    applyMigrations,
    cdcSourceConfig,
    parseMigrationSet,
    readEffectiveSchema,
    readMigrationDir,
    versionLabel,
} from "../../components/source";
import { AvroSchema, CdcTypeSettings, CompatibilityMode, CompatibilityProblem, checkCompatibility, governedSubjects, predictKeySchema, predictValueSchema, typeSettingsOf } from "../../components/streaming";
import { readStackConfig } from "../mockEngine";

export interface ColumnChange {
    column: string;
    kind: "added" | "removed" | "changed";
    from?: string;
    to?: string;
}

export interface ReaderVerdict {
    kind: "ksqldb" | "snowflake";
    name: string;
    holds: boolean;
    note: string;
}

export interface SubjectReport {
    subject: string;
    /** `<database>.<table>` */
    table: string;
    /** The migration that changed it. */
    migration: string;
    mode: CompatibilityMode;
    changes: ColumnChange[];
    compatible: boolean;
    problems: (CompatibilityProblem | { field: string; rule: string; advice: string })[];
    readers: ReaderVerdict[];
}

export interface SchemaCheckReport {
    ok: boolean;
    against: string | null;
    /** Migration files added since the ref, by repository path. */
    newMigrations: string[];
    subjects: SubjectReport[];
    /** Problems that are not about one subject: edited or deleted applied migrations. */
    errors: string[];
    /**
     * sql/mysql/effective-schema.json against the server after every migration: `current`,
     * `stale` (a migration changed a table and --write was not run yet; says nothing about
     * compatibility) or `renewed` (--write rewrote it). Unset: not checked.
     */
    snapshot?: { status: "current" | "stale" | "renewed"; problems: string[] };
    durationMs: number;
}

export interface SchemaCheckOptions {
    repoRoot: string;
    /** Git ref whose migrations count as applied; undefined: only the last migration of each domain is new. */
    against?: string;
    conn: mysql.Connection;
    basePrefix: string;
    settings: CdcTypeSettings;
    modeFor: (subject: string) => CompatibilityMode;
    domains?: readonly Domain[];
    /** Database name prefix on the throwaway server. */
    scratchPrefix?: string;
}

const repoDirOf = (domain: Domain) => `sql/mysql/${domain.name}`;

/** Throws a one-line error unless `ref` names a commit of the repository. */
export function assertGitRef(repoRoot: string, ref: string): void {
    try {
        execFileSync("git", ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    } catch {
        throw new Error(`--against: git ref "${ref}" not found in ${repoRoot} (fetch it first, e.g. git fetch origin main)`);
    }
}

/** A domain's migration files at a git ref; undefined when the folder does not exist there. */
export function migrationsAtRef(repoRoot: string, ref: string, domain: Domain): MigrationFile[] | undefined {
    const dir = repoDirOf(domain);
    const git = (...args: string[]) => execFileSync("git", args, { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    assertGitRef(repoRoot, ref);
    const names = git("ls-tree", "--name-only", `${ref}`, `${dir}/`)
        .split("\n")
        .filter((p) => p.endsWith(".sql"))
        .map((p) => path.posix.basename(p));
    if (names.length === 0) return undefined;
    const files: Record<string, string> = {};
    for (const name of names) files[name] = git("show", `${ref}:${dir}/${name}`);
    return parseMigrationSet(dir, files);
}

export const columnType = (c: DdlColumn): string =>
    `${c.type}${c.enumValues ? `(${c.enumValues.map((v) => `'${v}'`).join(",")})` : c.args.length ? `(${c.args.join(",")})` : ""}${c.unsigned ? " UNSIGNED" : ""}${c.nullable ? " NULL" : " NOT NULL"}${
        c.default ? ` DEFAULT ${c.default.kind === "literal" ? `'${c.default.value}'` : c.default.text}` : ""
    }`;

export function columnChanges(before: DdlTable | undefined, after: DdlTable): ColumnChange[] {
    if (!before) return [{ column: "*", kind: "added", to: `new table: ${after.columns.length} columns, key (${after.primaryKey.join(", ")})` }];
    const changes: ColumnChange[] = [];
    const old = before?.columns ?? [];
    for (const c of after.columns) {
        const was = old.find((o) => o.name === c.name);
        if (!was) changes.push({ column: c.name, kind: "added", to: columnType(c) });
        else if (columnType(was) !== columnType(c)) changes.push({ column: c.name, kind: "changed", from: columnType(was), to: columnType(c) });
    }
    for (const o of old) if (!after.columns.some((c) => c.name === o.name)) changes.push({ column: o.name, kind: "removed", from: columnType(o) });
    return changes;
}

const INTEGER_RANK: Record<string, number> = { BOOLEAN: 0, TINYINT: 1, SMALLINT: 2, MEDIUMINT: 3, INT: 4, INTEGER: 4, BIGINT: 5 };

/**
 * Source-level narrowing Avro does not see (both sides are `string`, or `bytes`): existing values
 * may no longer fit, and the Snowflake column keeps the old type. One message per column.
 */
export function narrowingProblems(before: DdlTable | undefined, after: DdlTable): { field: string; rule: string; advice: string }[] {
    const problems: { field: string; rule: string; advice: string }[] = [];
    for (const c of after.columns) {
        const was = before?.columns.find((o) => o.name === c.name);
        if (!was) continue;
        const say = (rule: string, advice: string) => problems.push({ field: c.name, rule: `column "${c.name}" ${rule}`, advice });
        if ((c.type === "VARCHAR" || c.type === "CHAR") && (was.type === "VARCHAR" || was.type === "CHAR") && c.args[0] < was.args[0]) {
            say(`narrowed from ${was.type}(${was.args[0]}) to ${c.type}(${c.args[0]}): longer values are cut or rejected`, "keep the length (validate in the application) or add a new, shorter column");
        }
        if (c.type === "DECIMAL" && was.type === "DECIMAL" && (c.args[0] - c.args[1] < was.args[0] - was.args[1] || c.args[1] !== was.args[1])) {
            say(`changed from DECIMAL(${was.args.join(",")}) to DECIMAL(${c.args.join(",")}): fewer integer digits or another scale`, "widen only (more precision, same scale), or add a new column");
        }
        if (c.type in INTEGER_RANK && was.type in INTEGER_RANK && (INTEGER_RANK[c.type] < INTEGER_RANK[was.type] || (was.unsigned && !c.unsigned))) {
            say(`narrowed from ${was.type}${was.unsigned ? " UNSIGNED" : ""} to ${c.type}${c.unsigned ? " UNSIGNED" : ""}`, "keep the wider integer type");
        }
        if (c.enumValues && was.enumValues) {
            const dropped = was.enumValues.filter((v) => !c.enumValues!.includes(v));
            if (dropped.length > 0) say(`lost ENUM value(s) ${dropped.join(", ")}: rows holding them cannot be represented`, "keep the values; add new ones at the end of the list");
        }
    }
    return problems;
}

/**
 * The settings schema:check uses for a stack: its topic prefix, the CDC connector's type
 * handling (from the connector builder itself, so the prediction follows whatever the connector
 * sets) and each subject's compatibility level.
 */
export function stackCheckSettings(repoRoot: string, stack: string): { basePrefix: string; typeSettings: CdcTypeSettings; modeFor: (subject: string) => CompatibilityMode } {
    if (!fs.existsSync(`${repoRoot}/Pulumi.${stack}.yaml`)) throw new Error(`--stack: no Pulumi.${stack}.yaml`);
    const raw = readStackConfig(stack, repoRoot);
    const config = parsePlatformConfig({ project: PROJECT_NAMESPACE, stack, values: raw.values, secretKeys: new Set(raw.secretKeys) });
    const connector = cdcSourceConfig({
        connectorName: "schema-check",
        domain: DOMAINS[0],
        basePrefix: config.confluent.topicPrefix,
        hostname: "schema-check",
        port: 3306,
        user: "schema-check",
        serviceAccountId: "schema-check",
        cdc: config.cdc,
    });
    const subjects = governedSubjects(config.confluent.topicPrefix, config.schemaRegistry);
    const modeFor = (subject: string): CompatibilityMode => {
        const governed = subjects.find((s) => s.subject === subject);
        if (!governed) throw new Error(`${subject}: not a subject the platform governs (components/streaming/schemaGovernance.ts)`);
        return governed.compatibility;
    };
    return { basePrefix: config.confluent.topicPrefix, typeSettings: typeSettingsOf(connector), modeFor };
}

/** Applies every domain's migrations to fresh databases and reads what the server reports. */
export async function effectiveSnapshot(conn: mysql.Connection, repoRoot: string, domains: readonly Domain[] = DOMAINS, scratchPrefix = "schema_snapshot"): Promise<SchemaSnapshot> {
    const snapshot: SchemaSnapshot = {
        comment: "Generated by npm run schema:check -- --write from information_schema after the migrations; do not edit.",
        domains: {},
    };
    for (const domain of domains) {
        const dir = repoDirOf(domain);
        const { migrations } = readMigrationDir(path.join(repoRoot, dir), dir);
        const timeline = await migrationTimeline(conn, `${scratchPrefix}_${domain.name}`, migrations);
        snapshot.domains[domain.name] = {
            database: domain.database,
            migratedTo: versionLabel(migrations[migrations.length - 1].version),
            tables: timeline[timeline.length - 1].tables,
        };
    }
    return snapshot;
}

/** Differences between the committed snapshot and the server; with `write`, renews the file instead. */
export async function snapshotProblems(conn: mysql.Connection, repoRoot: string, options: { write: boolean }): Promise<string[]> {
    const actual = await effectiveSnapshot(conn, repoRoot);
    const file = path.join(repoRoot, EFFECTIVE_SCHEMA_FILE);
    if (options.write) {
        fs.writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
        return [];
    }
    let committed: SchemaSnapshot;
    try {
        committed = readSchemaSnapshot(repoRoot);
    } catch (err) {
        return [(err as Error).message];
    }
    const problems: string[] = [];
    for (const [name, entry] of Object.entries(actual.domains)) {
        const have = committed.domains[name];
        for (const table of entry.tables) {
            const old = have?.tables.find((t) => t.name === table.name);
            if (JSON.stringify(old) !== JSON.stringify(table)) {
                problems.push(`${EFFECTIVE_SCHEMA_FILE}: ${entry.database}.${table.name} differs from the server after ${entry.migratedTo}; renew it with npm run schema:check -- --write and commit it`);
            }
        }
        for (const old of have?.tables ?? []) {
            if (!entry.tables.some((t) => t.name === old.name)) problems.push(`${EFFECTIVE_SCHEMA_FILE}: ${entry.database}.${old.name} no longer exists after ${entry.migratedTo}; renew it with npm run schema:check -- --write`);
        }
    }
    return problems;
}

/** Reads after each migration: the effective tables of the domain, in migration order. */
export async function migrationTimeline(conn: mysql.Connection, database: string, files: readonly MigrationFile[]): Promise<{ migration: MigrationFile; tables: DdlTable[] }[]> {
    await conn.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await conn.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    const timeline: { migration: MigrationFile; tables: DdlTable[] }[] = [];
    for (let i = 0; i < files.length; i++) {
        await applyMigrations(conn, database, files.slice(0, i + 1));
        timeline.push({ migration: files[i], tables: await readEffectiveSchema(conn, database, { exclude: [HISTORY_TABLE, SIGNAL_TABLE] }) });
    }
    return timeline;
}

/** Readers of one captured table and whether their contracts hold on its new columns. */
function readerVerdicts(opts: SchemaCheckOptions, domain: Domain, before: DdlTable | undefined, after: DdlTable, tables: DdlTable[]): ReaderVerdict[] {
    const verdicts: ReaderVerdict[] = [];
    for (const app of KSQL_APPS.filter((a) => a.inputs.some((i) => i.domain === domain.name && i.table === after.name))) {
        const loaded = loadKsqlApp(app, { topicPrefix: opts.basePrefix, orderStuckSlaMinutes: 60 });
        const ctx = defaultContractContext(opts.basePrefix);
        const problems = ksqlAppProblems(loaded, {
            ...ctx,
            readDdl: (name: string) => (name === domain.name ? tables : ctx.readDdl(name)),
        }).filter((p) => p.includes(`${domain.database}.${after.name}`));
        verdicts.push({ kind: "ksqldb", name: app.name, holds: problems.length === 0, note: problems.length ? problems.join("; ") : "contract holds (columns it declares are unchanged)" });
    }
    for (const table of WAREHOUSE_TABLES) {
        if (table.source.kind !== "cdc" || table.source.domain !== domain.name || table.source.table !== after.name) continue;
        const changes = columnChanges(before, after);
        // https://docs.snowflake.com/user-guide/snowpipe-streaming/snowpipe-streaming-classic-kafka-schema-detection :
        // with ENABLE_SCHEMA_EVOLUTION the connector adds columns and drops NOT NULL; nothing else.
        const unsupported = changes.filter((c) => c.kind !== "added" && !(c.kind === "changed" && c.from!.replace(" NOT NULL", " NULL") === c.to));
        if (!before) {
            verdicts.push({ kind: "snowflake", name: table.name, holds: true, note: "CDC table: the sink's schematization creates it with these columns" });
            continue;
        }
        verdicts.push({
            kind: "snowflake",
            name: table.name,
            holds: unsupported.length === 0,
            note:
                unsupported.length === 0
                    ? changes.length
                        ? `CDC table with ENABLE_SCHEMA_EVOLUTION: the connector adds ${changes.map((c) => c.column.toUpperCase()).join(", ")}`
                        : "unchanged"
                    : `CDC table: schema evolution only adds columns and drops NOT NULL; ${unsupported.map((c) => `${c.column} (${c.kind})`).join(", ")} need a manual ALTER TABLE`,
        });
    }
    return verdicts;
}

export async function runSchemaCheck(opts: SchemaCheckOptions): Promise<SchemaCheckReport> {
    const started = performance.now();
    const errors: string[] = [];
    const subjects: SubjectReport[] = [];
    const newMigrations: string[] = [];
    for (const domain of opts.domains ?? DOMAINS) {
        const dir = repoDirOf(domain);
        const current = readMigrationDir(path.join(opts.repoRoot, dir), dir).migrations;
        const base = opts.against ? (migrationsAtRef(opts.repoRoot, opts.against, domain) ?? []) : current.slice(0, -1);
        for (const old of base) {
            const now = current.find((m) => m.version === old.version);
            if (!now) errors.push(`${old.file}: applied at ${opts.against} but deleted; applied migrations are never removed`);
            else if (now.sql.replace(/\r\n/g, "\n") !== old.sql.replace(/\r\n/g, "\n")) {
                errors.push(`${now.file}: edited since ${opts.against ?? "it was applied"}; applied migrations are immutable: restore it and add the change as a new migration`);
            }
        }
        const applied = current.filter((m) => base.some((b) => b.version === m.version));
        const added = current.filter((m) => !base.some((b) => b.version === m.version));
        newMigrations.push(...added.map((m) => m.file));
        if (added.length === 0) continue;

        const timeline = await migrationTimeline(opts.conn, `${opts.scratchPrefix ?? "schema_check"}_${domain.name}`, [...applied, ...added]);
        const topicPrefix = cdcTopicPrefix(opts.basePrefix, domain);
        for (const captured of domain.tables) {
            const names = { topicPrefix, database: domain.database, table: captured.name };
            const history: Record<"key" | "value", AvroSchema[]> = { key: [], value: [] };
            let previous: DdlTable | undefined;
            for (const [i, step] of timeline.entries()) {
                const table = step.tables.find((t) => t.name === captured.name);
                if (!table) continue;
                const isNew = i >= applied.length;
                const predicted = {
                    key: predictKeySchema(names, table.columns, table.primaryKey, opts.settings),
                    value: predictValueSchema(names, table.columns, opts.settings),
                };
                for (const part of ["key", "value"] as const) {
                    const versions = history[part];
                    const last = versions[versions.length - 1];
                    if (last && JSON.stringify(last) === JSON.stringify(predicted[part])) continue;
                    if (isNew) {
                        const subject = `${topicPrefix}.${domain.database}.${captured.name}-${part}`;
                        const mode = opts.modeFor(subject);
                        const verdict = checkCompatibility(mode, versions, predicted[part]);
                        const narrowing = part === "value" ? narrowingProblems(previous, table) : [];
                        const readers = part === "value" ? readerVerdicts(opts, domain, previous, table, step.tables) : [];
                        subjects.push({
                            subject,
                            table: `${domain.database}.${captured.name}`,
                            migration: step.migration.file,
                            mode,
                            changes: part === "value" ? columnChanges(previous, table) : [],
                            compatible: verdict.compatible && narrowing.length === 0 && readers.every((r) => r.holds),
                            problems: [...verdict.problems, ...narrowing],
                            readers,
                        });
                    }
                    versions.push(predicted[part]);
                }
                previous = table;
            }
        }
    }
    return {
        ok: errors.length === 0 && subjects.every((s) => s.compatible),
        against: opts.against ?? null,
        newMigrations,
        subjects,
        errors,
        durationMs: Math.round(performance.now() - started),
    };
}

export function formatSchemaCheck(report: SchemaCheckReport): string {
    const lines: string[] = [];
    lines.push(`schema:check against ${report.against ?? "the previous migration of each domain"}: ${report.newMigrations.length} new migration(s)`);
    for (const file of report.newMigrations) lines.push(`  ${file}`);
    for (const e of report.errors) lines.push(`ERROR ${e}`);
    for (const s of report.subjects) {
        lines.push("");
        lines.push(`${s.compatible ? "OK  " : "FAIL"} ${s.subject}  [${s.mode}]  (${s.migration})`);
        for (const c of s.changes) {
            if (c.column === "*") lines.push(`       ${c.to}`);
            else lines.push(`       ${c.kind === "added" ? "+" : c.kind === "removed" ? "-" : "~"} ${c.column}: ${c.kind === "added" ? c.to : c.kind === "removed" ? c.from : `${c.from} -> ${c.to}`}`);
        }
        for (const p of s.problems) {
            lines.push(`       why: ${p.rule}`);
            lines.push(`       instead: ${p.advice}`);
        }
        for (const r of s.readers) lines.push(`       ${r.holds ? "ok  " : "BREAKS"} ${r.kind === "ksqldb" ? "ksqlDB app" : "Snowflake table"} ${r.name}: ${r.note}`);
    }
    lines.push("");
    lines.push(report.ok ? `compatible (${report.durationMs} ms)` : `NOT compatible (${report.durationMs} ms)`);
    if (report.snapshot?.status === "stale") {
        lines.push(`snapshot stale: run npm run schema:check -- --write and commit ${EFFECTIVE_SCHEMA_FILE}`);
        for (const p of report.snapshot.problems) lines.push(`  ${p}`);
    } else if (report.snapshot?.status === "renewed") {
        lines.push(`snapshot renewed: ${EFFECTIVE_SCHEMA_FILE} (commit it with the migration)`);
    }
    return lines.join("\n");
}

/** 1: a change is not compatible (whatever the snapshot); 3: compatible but the snapshot is stale; 0: neither. */
export function schemaCheckExitCode(report: SchemaCheckReport): 0 | 1 | 3 {
    if (!report.ok) return 1;
    return report.snapshot?.status === "stale" ? 3 : 0;
}
