// Versioned migrations on the real MariaDB: order, history with checksums, refusal of edited
// applied migrations (naming the file), resume of a failed migration at the failed statement.
import { strict as assert } from "assert";
import type * as mysql from "mysql2/promise";
import { connectMySql } from "../components/source";
import {
    HISTORY_TABLE,
    MigrationFile,
    applyMigrations,
    migrationChecksum,
    parseMigrationSet,
    planMigrations,
    readHistory,
} from "../components/source/migrations";
import { MariaDb, sharedMariaDb } from "./support/mariadb";

const DIR = "sql/mysql/qa";
const migration = (version: number, description: string, sql: string): MigrationFile => ({
    version,
    description,
    file: `${DIR}/V${String(version).padStart(3, "0")}__${description}.sql`,
    sql,
});

const V1 = migration(1, "baseline", "CREATE TABLE IF NOT EXISTS results (id INT PRIMARY KEY, value DECIMAL(10,2) NOT NULL);");
const V2 = migration(2, "add_qualifier", "ALTER TABLE results ADD COLUMN qualifier VARCHAR(8) NULL;\nALTER TABLE results ADD COLUMN unit VARCHAR(8) NULL;");

describe("versioned migrations (real MariaDB)", function () {
    this.timeout(60_000);
    let server: MariaDb;
    let conn: mysql.Connection;
    let n = 0;
    let db: string;

    const columns = async () =>
        (await server.query<any[]>("SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'results' ORDER BY ORDINAL_POSITION", [db])).map(
            (r) => r.COLUMN_NAME,
        );

    before(async () => {
        server = await sharedMariaDb();
        conn = await connectMySql(server.rootEndpoint);
    });
    after(async () => conn?.end());
    beforeEach(async () => {
        db = `qa_migrations_${++n}`;
        await server.query(`DROP DATABASE IF EXISTS ${db}`);
        await server.query(`CREATE DATABASE ${db}`);
    });

    it("applies migrations in version order, records each with its checksum, and a second run does nothing", async () => {
        const actions = await applyMigrations(conn, db, [V2, V1]);
        assert.deepEqual(actions, [`migrate ${db}: apply ${V1.file}`, `migrate ${db}: apply ${V2.file}`]);
        assert.deepEqual(await columns(), ["id", "value", "qualifier", "unit"]);
        const history = await readHistory(conn, db);
        assert.deepEqual(
            history.map((h) => [h.version, h.file, h.checksum, h.status, h.statementsApplied]),
            [
                [1, V1.file, migrationChecksum(V1.sql), "applied", 1],
                [2, V2.file, migrationChecksum(V2.sql), "applied", 2],
            ],
        );
        assert.deepEqual(await applyMigrations(conn, db, [V1, V2]), []);
    });

    it("refuses an applied migration that was edited, naming the file, and runs nothing else", async () => {
        await applyMigrations(conn, db, [V1]);
        const edited = { ...V1, sql: V1.sql.replace("DECIMAL(10,2)", "DECIMAL(12,2)") };
        const V3 = migration(3, "add_note", "ALTER TABLE results ADD COLUMN note TEXT NULL;");
        await assert.rejects(applyMigrations(conn, db, [edited, V3]), (err: Error) => {
            assert.match(err.message, /^sql\/mysql\/qa\/V001__baseline\.sql: edited after it was applied to qa_migrations_\d+ .*applied migrations are immutable/);
            return true;
        });
        assert.deepEqual(await columns(), ["id", "value"], "V003 must not run after a refusal");
        // A CRLF checkout of the same text is not an edit.
        assert.deepEqual(await applyMigrations(conn, db, [{ ...V1, sql: V1.sql.replace(/\n/g, "\r\n") }]), []);
    });

    it("records a failed migration's progress and resumes at the failed statement once it is fixed", async () => {
        const broken = migration(2, "add_columns", "ALTER TABLE results ADD COLUMN qualifier VARCHAR(8) NULL;\nALTER TABLE results ADD COLUMN unit VARCHAR(8) NOT NUL;\nALTER TABLE results ADD COLUMN note TEXT NULL;");
        await assert.rejects(applyMigrations(conn, db, [V1, broken]), (err: Error) => {
            assert.match(err.message, /^sql\/mysql\/qa\/V002__add_columns\.sql: statement #2 of 3 failed on qa_migrations_\d+: .*statements #1-#1 are recorded as applied and the next run resumes at #2/);
            return true;
        });
        const [failed] = (await readHistory(conn, db)).filter((h) => h.version === 2);
        assert.equal(failed.status, "failed");
        assert.equal(failed.statementsApplied, 1);
        assert.match(failed.error ?? "", /syntax/i);
        assert.deepEqual(await columns(), ["id", "value", "qualifier"]);

        // Editing the statement that already ran is refused: it would never run again.
        const rewritten = { ...broken, sql: broken.sql.replace("qualifier VARCHAR(8)", "qualifier VARCHAR(16)").replace("NOT NUL;", "NULL;") };
        await assert.rejects(applyMigrations(conn, db, [V1, rewritten]), /V002__add_columns\.sql: failed on qa_migrations_\d+ after 1 of 3 statement\(s\), and those 1 were edited since/);

        // Fixing the failed statement resumes there; re-running #1 would fail on the duplicate column.
        const fixed = { ...broken, sql: broken.sql.replace("NOT NUL;", "NULL;") };
        assert.deepEqual(await applyMigrations(conn, db, [V1, fixed]), [`migrate ${db}: resume ${fixed.file} at statement #2 of 3`]);
        assert.deepEqual(await columns(), ["id", "value", "qualifier", "unit", "note"]);
        const [done] = (await readHistory(conn, db)).filter((h) => h.version === 2);
        assert.deepEqual([done.status, done.statementsApplied, done.checksum, done.error], ["applied", 3, migrationChecksum(fixed.sql), null]);
        assert.deepEqual(await applyMigrations(conn, db, [V1, fixed]), []);
    });

    it("refuses a new migration numbered below an applied one, and an applied migration whose file is gone", async () => {
        const V3 = migration(3, "add_note", "ALTER TABLE results ADD COLUMN note TEXT NULL;");
        await applyMigrations(conn, db, [V1, V3]);
        await assert.rejects(applyMigrations(conn, db, [V1, V2, V3]), /V002__add_qualifier\.sql: new migration V002 is numbered below V003, already applied .*renumber it after V003/);
        await assert.rejects(applyMigrations(conn, db, [V1]), /V003__add_note\.sql: applied to qa_migrations_\d+ as V003 but missing from the repository/);
    });

    it("keeps the history table out of the way: it is not one of the captured tables", async () => {
        await applyMigrations(conn, db, [V1]);
        const [row] = await server.query<any[]>("SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?", [db, HISTORY_TABLE]);
        assert.equal(Number(row.n), 1);
    });
});

describe("migration files", () => {
    it("orders by version and reads the description", () => {
        const set = parseMigrationSet(DIR, { "V010__b.sql": "SELECT 1;", "V002__a_b.sql": "SELECT 1;", "seed.sql": "INSERT INTO t VALUES (1);" });
        assert.deepEqual(set.map((m) => [m.version, m.description, m.file]), [
            [2, "a_b", `${DIR}/V002__a_b.sql`],
            [10, "b", `${DIR}/V010__b.sql`],
        ]);
    });

    it("names every bad file: wrong name, duplicate version, empty migration", () => {
        assert.throws(
            () => parseMigrationSet(DIR, { "V001__baseline.sql": "SELECT 1;", "V1__x.sql": "SELECT 1;", "V001__again.sql": "SELECT 1;", "V002__empty.sql": "-- nothing\n" }),
            (err: Error) => {
                assert.match(err.message, /sql\/mysql\/qa\/V1__x\.sql: not a migration name/);
                assert.match(err.message, /sql\/mysql\/qa\/V001__baseline\.sql: version V001 is also used by sql\/mysql\/qa\/V001__again\.sql/);
                assert.match(err.message, /sql\/mysql\/qa\/V002__empty\.sql: the migration has no SQL statement/);
                return true;
            },
        );
        assert.throws(() => parseMigrationSet(DIR, { "seed.sql": "" }), /sql\/mysql\/qa: no migrations/);
    });

    it("plans nothing for an applied, unchanged set and everything for a fresh database", () => {
        const applied = (m: MigrationFile) => ({
            version: m.version, description: m.description, file: m.file, checksum: migrationChecksum(m.sql),
            statementsTotal: 1, statementsApplied: 1, appliedPrefixSha256: "", status: "applied" as const, error: null,
        });
        assert.deepEqual(planMigrations("qa", [V1, V2], [applied(V1), applied(V2)]), []);
        assert.deepEqual(planMigrations("qa", [V1, V2], []).map((s) => [s.migration.version, s.from, s.statements.length]), [
            [1, 0, 1],
            [2, 0, 2],
        ]);
    });
});
