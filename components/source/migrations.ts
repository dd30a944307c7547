// Versioned MySQL migrations per domain: sql/mysql/<domain>/V###__<what>.sql, applied in order by
// the SQL bootstrap, recorded in a history table with checksums. Seed rows live beside them in
// seed.sql and are applied only where the stack asks for sample data (never prod).
//
// Why not postgrator (installed, 8.0.0, supports MySQL): it does not fit here, for four reasons
// read from its source (node_modules/postgrator/postgrator.js):
//  - it reads migration files from disk through a glob at run time, while the bootstrap is a
//    Pulumi dynamic provider whose inputs must carry the SQL (so that a changed file is a diff,
//    the state records what ran, and the provider host needs no checkout);
//  - its names are `001.do.name.sql`; `V001__name.sql` parses to version NaN and is silently
//    skipped;
//  - it runs a whole file as one multi-statement query and records it only after success. MySQL
//    commits every DDL statement implicitly, so a file that fails at its third statement leaves
//    two applied and unrecorded; a retry re-runs them and fails on "Duplicate column". Here each
//    statement is recorded as it commits and a retry resumes at the first unapplied statement;
//  - its schema version is the highest applied version, so a lower-numbered migration merged
//    later is skipped without a word, and its checksum error names a number, not the file.
// Loading it would work (Node >= 20.19 can require() its ESM entry point), so this is about
// behaviour, not packaging. The runner below is small, keeps no module-level state and requires
// node modules inside the functions, so the dynamic provider's closure serializes by value.
import * as fs from "fs";
import * as path from "path";
import type * as mysql from "mysql2/promise";
import { splitSqlStatements } from "../ddl";

/** One migration file as the bootstrap receives it (inputs of the dynamic provider). */
export interface MigrationFile {
    version: number;
    /** `V002__add_result_qualifier.sql` -> `add_result_qualifier`. */
    description: string;
    /** Repository path, for messages: `sql/mysql/lims/V002__add_result_qualifier.sql`. */
    file: string;
    sql: string;
}

/** A row of the history table. */
export interface HistoryRow {
    version: number;
    description: string;
    file: string;
    checksum: string;
    statementsTotal: number;
    statementsApplied: number;
    /** sha256 over the statements applied so far; guards a resumed migration's applied part. */
    appliedPrefixSha256: string;
    status: "applied" | "failed" | "running";
    error: string | null;
}

export const MIGRATION_FILE_PATTERN = /^V(\d{3,})__([a-z0-9][a-z0-9_]*)\.sql$/;
export const SEED_FILE = "seed.sql";
/** The history table, one per captured database. The CDC include list names tables, so it is never captured. */
export const HISTORY_TABLE = "lifesci_schema_history";

/** sha256 of the file text with line endings normalised, so a CRLF checkout is not an "edit". */
export function migrationChecksum(sql: string): string {
    // Required here, not imported: the bootstrap provider's serialized closure runs this.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const crypto = require("crypto") as typeof import("crypto");
    return crypto.createHash("sha256").update(sql.replace(/\r\n/g, "\n")).digest("hex");
}

function prefixChecksum(statements: readonly string[], count: number): string {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const crypto = require("crypto") as typeof import("crypto");
    return crypto.createHash("sha256").update(statements.slice(0, count).join("\u0000")).digest("hex");
}

export const versionLabel = (version: number) => `V${String(version).padStart(3, "0")}`;

/**
 * Validates one domain's migration files (name -> text) and returns them in version order.
 * Every problem names the file: a name that does not follow V###__words.sql, two files with one
 * version, an empty file.
 */
export function parseMigrationSet(dir: string, files: Readonly<Record<string, string>>): MigrationFile[] {
    const problems: string[] = [];
    const migrations: MigrationFile[] = [];
    for (const name of Object.keys(files).sort()) {
        if (name === SEED_FILE) continue;
        const where = `${dir}/${name}`;
        const m = MIGRATION_FILE_PATTERN.exec(name);
        if (!m) {
            problems.push(`${where}: not a migration name; use V<3+ digits>__<lower_snake_words>.sql (e.g. V002__add_result_qualifier.sql) or ${SEED_FILE}`);
            continue;
        }
        const sql = files[name];
        if (splitSqlStatements(sql).length === 0) problems.push(`${where}: the migration has no SQL statement`);
        const version = Number(m[1]);
        const clash = migrations.find((x) => x.version === version);
        if (clash) problems.push(`${where}: version ${versionLabel(version)} is also used by ${clash.file}; give one of them the next free number`);
        migrations.push({ version, description: m[2], file: where, sql });
    }
    if (problems.length > 0) throw new Error(problems.join("\n"));
    if (migrations.length === 0) throw new Error(`${dir}: no migrations (expected at least V001__baseline.sql)`);
    return migrations.sort((a, b) => a.version - b.version);
}

/** Reads sql/mysql/<domain>/ from disk: its migrations in order and its seed file, if any. */
export function readMigrationDir(absDir: string, repoDir: string): { migrations: MigrationFile[]; seed?: string } {
    if (!fs.existsSync(absDir)) throw new Error(`${repoDir}: migration folder not found`);
    const files: Record<string, string> = {};
    for (const name of fs.readdirSync(absDir)) {
        if (name.endsWith(".sql")) files[name] = fs.readFileSync(path.join(absDir, name), "utf8");
        else if (!name.startsWith(".")) throw new Error(`${repoDir}/${name}: unexpected file in a migration folder (only V###__*.sql and ${SEED_FILE})`);
    }
    const seed = files[SEED_FILE];
    return { migrations: parseMigrationSet(repoDir, files), ...(seed !== undefined ? { seed } : {}) };
}

/** Where the migrations live: sql/mysql/ of this repository. */
export const MYSQL_MIGRATIONS_ROOT = path.join(__dirname, "..", "..", "sql", "mysql");

/** A domain's migrations (and seed rows when asked) from sql/mysql/<domain>/, for the SQL bootstrap. */
export function domainMigrations(domain: string, withSeed: boolean, root = MYSQL_MIGRATIONS_ROOT): { migrations: MigrationFile[]; seed?: string } {
    const { migrations, seed } = readMigrationDir(path.join(root, domain), `sql/mysql/${domain}`);
    return withSeed && seed !== undefined ? { migrations, seed } : { migrations };
}

/** What to do with one migration: run it from a statement on, or nothing. */
export interface PlannedStep {
    migration: MigrationFile;
    statements: string[];
    /** Index of the first statement to run (> 0 when resuming a failed migration). */
    from: number;
}

/**
 * Pure: compares the files with the history and decides what runs. Refuses, naming the file:
 * an applied migration whose text changed, an applied migration whose file is gone, a new
 * migration numbered below one already applied, and a failed migration whose already-applied
 * statements were edited.
 */
export function planMigrations(database: string, files: readonly MigrationFile[], history: readonly HistoryRow[]): PlannedStep[] {
    const problems: string[] = [];
    const steps: PlannedStep[] = [];
    const highestApplied = Math.max(0, ...history.filter((h) => h.status === "applied").map((h) => h.version));
    for (const row of history) {
        if (!files.some((f) => f.version === row.version) && row.status === "applied") {
            problems.push(`${row.file}: applied to ${database} as ${versionLabel(row.version)} but missing from the repository; restore the file (applied migrations are never removed)`);
        }
    }
    for (const migration of [...files].sort((a, b) => a.version - b.version)) {
        const row = history.find((h) => h.version === migration.version);
        const statements = splitSqlStatements(migration.sql);
        const checksum = migrationChecksum(migration.sql);
        if (!row) {
            if (migration.version < highestApplied) {
                problems.push(
                    `${migration.file}: new migration ${versionLabel(migration.version)} is numbered below ${versionLabel(highestApplied)}, already applied to ${database}; renumber it after ${versionLabel(highestApplied)}`,
                );
            }
            steps.push({ migration, statements, from: 0 });
        } else if (row.status === "applied") {
            if (row.checksum !== checksum) {
                problems.push(
                    `${migration.file}: edited after it was applied to ${database} (checksum ${row.checksum.slice(0, 12)}… recorded, ${checksum.slice(0, 12)}… now); applied migrations are immutable: restore it and add the change as a new migration`,
                );
            }
        } else {
            // Failed or interrupted: the statements that committed must still be the same text.
            const done = row.statementsApplied;
            if (statements.length < done || prefixChecksum(statements, done) !== row.appliedPrefixSha256) {
                problems.push(
                    `${migration.file}: failed on ${database} after ${done} of ${row.statementsTotal} statement(s), and those ${done} were edited since; only the statements from #${done + 1} on may change before the retry`,
                );
            }
            steps.push({ migration, statements, from: done });
        }
    }
    if (problems.length > 0) throw new Error(problems.join("\n"));
    return steps;
}

const quoteId = (name: string) => `\`${name.replace(/`/g, "``")}\``;

async function ensureHistoryTable(conn: mysql.Connection, database: string): Promise<void> {
    await conn.query(
        `CREATE TABLE IF NOT EXISTS ${quoteId(database)}.${HISTORY_TABLE} (
            version INT UNSIGNED NOT NULL PRIMARY KEY,
            description VARCHAR(200) NOT NULL,
            file VARCHAR(255) NOT NULL,
            checksum CHAR(64) NOT NULL,
            statements_total INT UNSIGNED NOT NULL,
            statements_applied INT UNSIGNED NOT NULL,
            applied_prefix_sha256 CHAR(64) NOT NULL,
            status ENUM('running','applied','failed') NOT NULL,
            error TEXT NULL,
            started_at DATETIME(6) NOT NULL,
            finished_at DATETIME(6) NULL
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
    );
}

export async function readHistory(conn: mysql.Connection, database: string): Promise<HistoryRow[]> {
    const [exists] = await conn.query<mysql.RowDataPacket[]>(
        "SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
        [database, HISTORY_TABLE],
    );
    if (Number(exists[0].n) === 0) return [];
    const [rows] = await conn.query<mysql.RowDataPacket[]>(`SELECT * FROM ${quoteId(database)}.${HISTORY_TABLE} ORDER BY version`);
    return rows.map((r) => ({
        version: Number(r.version),
        description: String(r.description),
        file: String(r.file),
        checksum: String(r.checksum),
        statementsTotal: Number(r.statements_total),
        statementsApplied: Number(r.statements_applied),
        appliedPrefixSha256: String(r.applied_prefix_sha256),
        status: r.status as HistoryRow["status"],
        error: r.error === null ? null : String(r.error),
    }));
}

/**
 * Applies one database's pending migrations, statement by statement, recording progress after
 * each commit. A named lock keeps two runs (two `pulumi up`, a test and a deploy) from
 * interleaving. Returns what ran, for the bootstrap's action list. A failing statement is
 * recorded (status failed, the error, how far it got) and rethrown naming the file and statement.
 */
export async function applyMigrations(conn: mysql.Connection, database: string, files: readonly MigrationFile[]): Promise<string[]> {
    const actions: string[] = [];
    const lockName = `lifesci_migrations_${database}`.slice(0, 64);
    const [lock] = await conn.query<mysql.RowDataPacket[]>("SELECT GET_LOCK(?, 60) AS got", [lockName]);
    if (Number(lock[0].got) !== 1) throw new Error(`${database}: another migration run holds the lock ${lockName}; retry when it finishes`);
    try {
        await ensureHistoryTable(conn, database);
        const steps = planMigrations(database, files, await readHistory(conn, database));
        await conn.query(`USE ${quoteId(database)}`);
        const table = `${quoteId(database)}.${HISTORY_TABLE}`;
        for (const { migration, statements, from } of steps) {
            const checksum = migrationChecksum(migration.sql);
            await conn.query(
                `INSERT INTO ${table} (version, description, file, checksum, statements_total, statements_applied, applied_prefix_sha256, status, error, started_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, 'running', NULL, NOW(6))
                 ON DUPLICATE KEY UPDATE file = VALUES(file), description = VALUES(description), checksum = VALUES(checksum),
                   statements_total = VALUES(statements_total), status = 'running', error = NULL, started_at = NOW(6)`,
                [migration.version, migration.description, migration.file, checksum, statements.length, from, prefixChecksum(statements, from)],
            );
            for (let i = from; i < statements.length; i++) {
                try {
                    await conn.query(statements[i]);
                } catch (err) {
                    const message = (err as Error).message;
                    await conn.query(`UPDATE ${table} SET status = 'failed', error = ? WHERE version = ?`, [message.slice(0, 2000), migration.version]);
                    const e = new Error(
                        `${migration.file}: statement #${i + 1} of ${statements.length} failed on ${database}: ${message} (statement: ${statements[i].split("\n")[0].slice(0, 120)}); ` +
                            (i === 0 ? "none of it is applied; the next run starts it again" : `statements #1-#${i} are recorded as applied and the next run resumes at #${i + 1}`),
                    );
                    throw e;
                }
                await conn.query(`UPDATE ${table} SET statements_applied = ?, applied_prefix_sha256 = ? WHERE version = ?`, [
                    i + 1,
                    prefixChecksum(statements, i + 1),
                    migration.version,
                ]);
            }
            await conn.query(`UPDATE ${table} SET status = 'applied', finished_at = NOW(6) WHERE version = ?`, [migration.version]);
            actions.push(
                from > 0
                    ? `migrate ${database}: resume ${migration.file} at statement #${from + 1} of ${statements.length}`
                    : `migrate ${database}: apply ${migration.file}`,
            );
        }
    } finally {
        await conn.query("SELECT RELEASE_LOCK(?)", [lockName]).catch(() => undefined);
    }
    return actions;
}
