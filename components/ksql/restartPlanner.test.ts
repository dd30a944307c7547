// The restart planner of the ksqlDB provider over its whole input space: every combination of a
// statement's output classes with and without ksqldb.allowReplay, every statement kind through
// every change (added, removed, changed in place, refused, rebuilt as a dependent), and the
// text scanner that decides whether a change is a change at all.
import { strict as assert } from "assert";
import fc from "fast-check";
import { KSQL_OUTPUT_CLASSES } from "./outputClasses";
import { KsqlOutputClass, KsqlStatementSpec, normalizeStatement, planAppChange, predictedUpgradeRefusal, rebuildEffect, rebuildStart, renderAppChange } from "./provider";

const source = (name: string): KsqlStatementSpec => ({ name, kind: "source", objectType: "STREAM", sql: `CREATE STREAM ${name} (id INT) WITH (kafka_topic='t_${name}', value_format='AVRO');`, reads: [] });
function query(name: string, reads: string[], classes: KsqlOutputClass[], body = `SELECT * FROM ${reads.join(" , ")} EMIT CHANGES`, objectType: "STREAM" | "TABLE" = "STREAM"): KsqlStatementSpec {
    return {
        name,
        kind: "query",
        objectType,
        sql: `CREATE ${objectType} ${name} AS ${body};`,
        reads,
        output: { topic: `ksql.${name.toLowerCase()}`, classes },
        sources: reads.map((r, i) => ({ label: `db.${r.toLowerCase()}`, retentionHours: i === 0 ? 168 : undefined })),
    };
}
function insert(into: string, from: string, classes: KsqlOutputClass[], extra = ""): KsqlStatementSpec {
    return { name: into, kind: "insert", objectType: "STREAM", sql: `INSERT INTO ${into} SELECT *${extra} FROM ${from} EMIT CHANGES;`, reads: [from], output: { topic: `audit.${into.toLowerCase()}`, classes }, sources: [{ label: `db.${from.toLowerCase()}`, retentionHours: 24 }] };
}
const edit = (s: KsqlStatementSpec, sql: string): KsqlStatementSpec => ({ ...s, sql });
const rows = (plan: ReturnType<typeof planAppChange>) => plan.map((c) => [c.statement, c.action, c.reason, c.start]);

/** Every class list a statement can have: each subset of the classes, in catalog order. */
const CLASS_SETS: KsqlOutputClass[][] = Array.from({ length: 2 ** KSQL_OUTPUT_CLASSES.length }, (_, mask) => KSQL_OUTPUT_CLASSES.filter((_, i) => mask & (2 ** i)));
const onlyTableState = (classes: readonly KsqlOutputClass[]) => classes.length > 0 && classes.every((c) => c === "table-state");

describe("ksql restart planner: where a rebuilt query starts, for every class combination", () => {
    it("the classes are the four the provider knows", () => {
        assert.deepEqual([...KSQL_OUTPUT_CLASSES], ["alerting", "immutable-archive", "warehouse", "table-state"]);
        assert.equal(CLASS_SETS.length, 16);
    });

    for (const allowReplay of [false, true]) {
        it(`allowReplay ${allowReplay}: ${allowReplay ? "every output may replay" : "only outputs that are entirely table state restart at earliest"} (each of the 16 class sets)`, () => {
            for (const classes of CLASS_SETS) {
                const s = query("Q", ["A"], classes);
                const expected = allowReplay || onlyTableState(classes) ? "earliest" : "latest";
                assert.equal(rebuildStart(s, allowReplay), expected, `${classes.join("+") || "(none)"}`);
                const effect = rebuildEffect(s, allowReplay);
                if (expected === "latest") {
                    assert.equal(effect, `starts at the latest offset: skips changes of db.a between stop and start (no replay into ksql.q (${classes.join(", ") || "unclassified stream"})); the gap is recorded in lastRebuilds`);
                } else {
                    const why = onlyTableState(classes) ? "table state converges" : "allowed by ksqldb.allowReplay";
                    assert.equal(effect, `starts at the earliest offset: replays 168 h of db.a into ksql.q (${classes.join(", ") || "unclassified stream"}) (${why})`);
                }
            }
        });
    }

    it("property: any order and repetition of classes; a query without an output is replay-sensitive", () => {
        fc.assert(
            fc.property(fc.array(fc.constantFrom(...KSQL_OUTPUT_CLASSES), { maxLength: 6 }), fc.boolean(), (classes, allowReplay) => {
                assert.equal(rebuildStart(query("Q", ["A"], classes), allowReplay), allowReplay || onlyTableState(classes) ? "earliest" : "latest");
            }),
            { numRuns: 300 },
        );
        const bare: KsqlStatementSpec = { name: "BARE", kind: "query", objectType: "STREAM", sql: "CREATE STREAM BARE AS SELECT * FROM A;", reads: ["A", "B"] };
        assert.equal(rebuildStart(bare, false), "latest");
        assert.equal(rebuildEffect(bare, false), "starts at the latest offset: skips changes of A, B between stop and start (no replay into BARE (unclassified stream)); the gap is recorded in lastRebuilds");
        assert.equal(rebuildEffect(bare, true), "starts at the earliest offset: replays all of A, all of B into BARE (unclassified stream) (allowed by ksqldb.allowReplay)");
        assert.equal(rebuildEffect({ ...bare, sources: [] }, true), "starts at the earliest offset: replays all of A, all of B into BARE (unclassified stream) (allowed by ksqldb.allowReplay)");
    });
});

describe("ksql restart planner: which changes ksqlDB refuses to upgrade in place", () => {
    const q = (body: string) => query("Q", ["A"], [], body);
    const CASES: [string, KsqlStatementSpec, string | undefined][] = [
        ["an INSERT INTO", insert("AUDIT", "A", ["immutable-archive"]), "INSERT INTO has no in-place upgrade"],
        ["a declared stream", source("A"), undefined],
        ["a declared stream with a column named like a keyword", { ...source("A"), sql: "CREATE STREAM A (`WINDOW` STRING, `JOIN` INT, grp STRING) WITH (kafka_topic='t', value_format='AVRO', key='GROUP BY');" }, undefined],
        ["a filter", q("SELECT * FROM A WHERE x > 1 EMIT CHANGES"), undefined],
        ["a join", q("SELECT * FROM A JOIN B ON A.id = B.id EMIT CHANGES"), "ksqlDB does not upgrade a joined query in place"],
        ["a lower-case left join", q("select * from a left join b within 1 hour on a.id = b.id emit changes"), "ksqlDB does not upgrade a joined query in place"],
        ["a window", q("SELECT id, COUNT(*) FROM A WINDOW TUMBLING (SIZE 5 MINUTES) GROUP BY id EMIT CHANGES"), "ksqlDB does not upgrade a windowed query in place"],
        ["an aggregation over lines", q("SELECT id, COUNT(*) FROM A GROUP\n   BY id EMIT CHANGES"), "ksqlDB does not upgrade a table aggregation in place"],
        ["JOIN only inside a string", q("SELECT * FROM A WHERE note = 'JOIN WINDOW GROUP BY' EMIT CHANGES"), undefined],
        ["JOIN only in a comment", q("SELECT * FROM A -- JOIN B, WINDOW, GROUP BY\n EMIT CHANGES"), undefined],
        ["words that contain the keywords", q("SELECT joined, windows, grouping FROM A WHERE rejoin_by = 1 EMIT CHANGES"), undefined],
        ["GROUPBY without a space", q("SELECT GROUPBY FROM A EMIT CHANGES"), undefined],
    ];
    for (const [what, spec, expected] of CASES) {
        it(`${what}: ${expected ?? "upgrades in place"}`, () => assert.equal(predictedUpgradeRefusal(spec), expected));
    }
});

describe("ksql restart planner: the statement text a change is judged by", () => {
    const CASES: [string, string][] = [
        ["CREATE  STREAM\n\tX AS SELECT * FROM A;", "CREATE STREAM X AS SELECT * FROM A"],
        ["  SELECT 1 ;  ", "SELECT 1"],
        ["SELECT 1;", "SELECT 1"],
        ["SELECT 1", "SELECT 1"],
        ["SELECT 'a  b;' FROM A;", "SELECT 'a  b;' FROM A"],
        ["SELECT 'x -- not a comment' FROM A;", "SELECT 'x -- not a comment' FROM A"],
        ["SELECT `my  col` FROM A;", "SELECT `my  col` FROM A"],
        ["SELECT 1 -- trailing comment", "SELECT 1"],
        ["-- header\nSELECT 1", "SELECT 1"],
        ["SELECT a -- why\n  , b FROM A", "SELECT a , b FROM A"],
        ["SELECT a--c\nFROM A", "SELECT a FROM A"],
        ["SELECT a-b FROM A", "SELECT a-b FROM A"],
        ["SELECT a - b FROM A", "SELECT a - b FROM A"],
        ["SELECT 'it''s' FROM A", "SELECT 'it''s' FROM A"],
        ["SELECT 'open", "SELECT 'open"],
        ["SELECT \"q  x\" FROM A", "SELECT \"q x\" FROM A"],
        ["SELECT 1;\n;", "SELECT 1;"],
    ];
    for (const [sql, expected] of CASES) it(JSON.stringify(sql), () => assert.equal(normalizeStatement(sql), expected));

    it("whitespace and comments never make a change; quoted text always does", () => {
        const base = "CREATE STREAM X AS SELECT a, 'k  v' AS c FROM A EMIT CHANGES;";
        assert.equal(normalizeStatement(base.replace(/ /g, "\n   ").replace("'k\n   \n   v'", "'k  v'")), normalizeStatement(base));
        assert.notEqual(normalizeStatement(base.replace("'k  v'", "'k v'")), normalizeStatement(base));
    });
});

describe("ksql restart planner: every kind of change to an app", () => {
    const A = source("A");
    const B = source("B");
    const table = query("T", ["A"], ["table-state"], "SELECT id, COUNT(*) AS n FROM A GROUP BY id EMIT CHANGES", "TABLE");
    const alerts = query("ALERTS", ["T"], ["alerting", "warehouse"], "SELECT * FROM T WHERE n > 3 EMIT CHANGES");
    const audit = query("AUDIT", ["A"], ["immutable-archive"]);
    const auditInsert = insert("AUDIT", "B", ["immutable-archive"]);
    const app = [A, B, table, alerts, audit, auditInsert];

    it("nothing changed: no step; whitespace and comments are no change", () => {
        assert.deepEqual(planAppChange(app, app, false), []);
        assert.deepEqual(planAppChange(app, app.map((s) => edit(s, `-- note\n${s.sql.replace(/ /g, "  ")}`)), false), []);
    });

    it("added: a stream is declared, a query first starts at the earliest offset (the snapshot must flow), whatever allowReplay says", () => {
        for (const allowReplay of [false, true]) {
            const plan = planAppChange([A], [A, B, audit], allowReplay);
            assert.deepEqual(rows(plan), [
                ["source B", "add", undefined, undefined],
                ["query AUDIT", "add", undefined, "earliest"],
            ]);
            assert.deepEqual(plan.map((c) => c.effect), ["declared", "first start at the earliest offset: reads 168 h of db.a into ksql.audit (immutable-archive)"]);
        }
    });

    it("removed: terminated and dropped, topic kept; what reads it is rebuilt and starts where its classes say", () => {
        for (const allowReplay of [false, true]) {
            const plan = planAppChange(app, [A, B, alerts, audit, auditInsert], allowReplay);
            assert.deepEqual(rows(plan), [["query T", "remove", undefined, undefined], ["query ALERTS", "rebuild", "reads a removed statement", allowReplay ? "earliest" : "latest"]]);
            assert.equal(plan[0].effect, "query terminated, stream/table dropped; its topic and data are kept");
        }
    });

    it("a plain query changed: upgraded in place; the preview also says what a refusal would do", () => {
        const plan = planAppChange(app, app.map((s) => (s === audit ? edit(s, s.sql.replace("*", "*, 1 AS v")) : s)), false);
        assert.deepEqual(rows(plan), [["query AUDIT", "upgrade in place", undefined, undefined]]);
        assert.equal(
            plan[0].effect,
            "CREATE OR REPLACE: continues from the committed offsets; nothing replayed, nothing skipped; if ksqlDB refuses the upgrade, a rebuild starts at the latest offset: skips changes of db.a between stop and start (no replay into ksql.audit (immutable-archive)); the gap is recorded in lastRebuilds",
        );
    });

    it("a declared stream changed: its declaration is replaced, no query moves", () => {
        const plan = planAppChange(app, app.map((s) => (s === B ? edit(s, s.sql.replace("id INT", "id BIGINT")) : s)), false);
        assert.deepEqual(rows(plan), [["source B", "upgrade in place", undefined, undefined]]);
        assert.equal(plan[0].effect, "CREATE OR REPLACE: declaration replaced");
    });

    it("an aggregation changed: rebuilt (predicted refusal), its table state replays, the alerting query it feeds starts at latest unless allowed", () => {
        for (const allowReplay of [false, true]) {
            const plan = planAppChange(app, app.map((s) => (s === table ? edit(s, s.sql.replace("COUNT(*)", "COUNT(id)")) : s)), allowReplay);
            assert.deepEqual(rows(plan), [
                ["query T", "rebuild", "ksqlDB does not upgrade a table aggregation in place", "earliest"],
                ["query ALERTS", "rebuild", "reads a rebuilt statement", allowReplay ? "earliest" : "latest"],
            ]);
        }
    });

    it("after the server answered: only the statements it refused are rebuilt, the others upgrade without a fallback", () => {
        const news = app.map((s) => (s === table ? edit(s, s.sql.replace("COUNT(*)", "COUNT(id)")) : s === audit ? edit(s, s.sql.replace("*", "*, 1 AS v")) : s));
        const accepted = planAppChange(app, news, false, []);
        assert.deepEqual(rows(accepted), [["query T", "upgrade in place", undefined, undefined], ["query AUDIT", "upgrade in place", undefined, undefined]]);
        assert.ok(accepted.every((c) => !c.effect.includes("if ksqlDB refuses")), "no fallback once the server has answered");
        const refused = planAppChange(app, news, false, ["query AUDIT"]);
        assert.deepEqual(rows(refused), [
            ["query T", "upgrade in place", undefined, undefined],
            ["query AUDIT", "rebuild", "ksqlDB refused the in-place upgrade", "latest"],
            ["INSERT AUDIT FROM B", "rebuild", "reads a rebuilt statement", "latest"],
        ]);
    });

    it("a changed INSERT INTO is always rebuilt (no in-place upgrade), even when the server accepted everything else", () => {
        const news = app.map((s) => (s === auditInsert ? edit(s, s.sql.replace("*", "*, 2 AS v")) : s));
        for (const refusedList of [undefined, [], ["query AUDIT"]]) {
            const plan = planAppChange(app, news, false, refusedList);
            assert.deepEqual(rows(plan)[0], ["INSERT AUDIT FROM B", "rebuild", "INSERT INTO has no in-place upgrade", "latest"]);
        }
    });

    it("a refused declared stream: dropped and declared again, and what reads it (directly or through others) is rebuilt", () => {
        const news = app.map((s) => (s === A ? edit(s, s.sql.replace("id INT", "id BIGINT")) : s));
        const plan = planAppChange(app, news, false, ["source A"]);
        assert.deepEqual(rows(plan), [
            ["source A", "rebuild", "a statement it feeds is rebuilt", undefined],
            ["query T", "rebuild", "reads a rebuilt statement", "earliest"],
            ["query ALERTS", "rebuild", "reads a rebuilt statement", "latest"],
            ["query AUDIT", "rebuild", "reads a rebuilt statement", "latest"],
            ["INSERT AUDIT FROM B", "rebuild", "reads a rebuilt statement", "latest"],
        ]);
        assert.equal(plan[0].effect, "dropped and declared again; no query, no data moved");
    });

    it("an INSERT INTO depends on the stream it writes: rebuilding that stream rebuilds the insert too", () => {
        const news = app.map((s) => (s === audit ? edit(s, s.sql.replace("*", "*, 1 AS v")) : s));
        const plan = planAppChange(app, news, true, ["query AUDIT"]);
        assert.deepEqual(rows(plan), [
            ["query AUDIT", "rebuild", "ksqlDB refused the in-place upgrade", "earliest"],
            ["INSERT AUDIT FROM B", "rebuild", "reads a rebuilt statement", "earliest"],
        ]);
    });

    it("dependents are found through any number of hops, whatever order the statements are listed in", () => {
        const reversed = [...app].reverse();
        const plan = planAppChange(reversed, reversed.map((s) => (s === A ? edit(s, s.sql.replace("id INT", "id BIGINT")) : s)), false, ["source A"]);
        assert.deepEqual(plan.map((c) => c.statement).sort(), ["INSERT AUDIT FROM B", "query ALERTS", "query AUDIT", "query T", "source A"]);
    });

    it("a statement that reads a removed one is rebuilt for that reason, even when its own text changed too", () => {
        const news = [A, B, edit(alerts, alerts.sql.replace("FROM T", "FROM T JOIN B ON T.id = B.id")), audit, auditInsert];
        assert.deepEqual(rows(planAppChange(app, news, false)), [["query T", "remove", undefined, undefined], ["query ALERTS", "rebuild", "reads a removed statement", "latest"]]);
    });

    it("an INSERT reading several streams is named by all of them", () => {
        const both: KsqlStatementSpec = { ...insert("AUDIT", "A", ["immutable-archive"]), reads: ["A", "B"] };
        assert.deepEqual(planAppChange([A, B, audit], [A, B, audit, both], false).map((c) => c.statement), ["INSERT AUDIT FROM A,B"]);
    });

    it("the statement key of an INSERT names what it reads, so two inserts into one stream are told apart", () => {
        const second = insert("AUDIT", "A", ["immutable-archive"]);
        const plan = planAppChange([...app, second], [...app, edit(second, second.sql.replace("*", "*, 3 AS v"))], false);
        assert.deepEqual(rows(plan), [["INSERT AUDIT FROM A", "rebuild", "INSERT INTO has no in-place upgrade", "latest"]]);
    });

    it("property: every restarted query starts at earliest only when allowed or entirely table state, for any classes of the outputs downstream", () => {
        fc.assert(
            fc.property(fc.constantFrom(...CLASS_SETS), fc.constantFrom(...CLASS_SETS), fc.boolean(), (rootClasses, downstreamClasses, allowReplay) => {
                const root = query("ROOT", ["A"], rootClasses, "SELECT id, COUNT(*) FROM A GROUP BY id EMIT CHANGES", "TABLE");
                const down = query("DOWN", ["ROOT"], downstreamClasses);
                const plan = planAppChange([A, root, down], [A, edit(root, root.sql.replace("COUNT(*)", "COUNT(id)")), down], allowReplay);
                assert.deepEqual(
                    plan.map((c) => [c.statement, c.action, c.start]),
                    [
                        ["query ROOT", "rebuild", allowReplay || onlyTableState(rootClasses) ? "earliest" : "latest"],
                        ["query DOWN", "rebuild", allowReplay || onlyTableState(downstreamClasses) ? "earliest" : "latest"],
                    ],
                );
            }),
            { numRuns: 200 },
        );
    });

    it("the review lines name app, statement, action, reason and effect", () => {
        const plan = planAppChange([A], [A, audit], false);
        assert.deepEqual(renderAppChange("audit_trail", plan), ["audit_trail: query AUDIT: add: first start at the earliest offset: reads 168 h of db.a into ksql.audit (immutable-archive)"]);
        assert.deepEqual(renderAppChange("x", [{ statement: "query Q", action: "rebuild", reason: "why", effect: "what" }]), ["x: query Q: rebuild (why): what"]);
    });
});
