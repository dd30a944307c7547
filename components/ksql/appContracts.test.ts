// Contract between the ksqlDB apps (sql/ksqldb/), the catalog and the MySQL DDL.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { DERIVED_TOPICS, DOMAINS, KSQL_APPS, KsqlApp, derivedTopicName } from "../catalog";
import { domainTables } from "../ddl";
import { ksqlTypesFor } from "../sqlTypes";
import {
    KSQL_SQL_DIR,
    KsqlSqlError,
    crossAppProblems,
    defaultContractContext,
    ksqlAppProblems,
    loadCheckedKsqlApps,
    loadKsqlApp,
    normalizeKsql,
    parseKsqlApp,
} from ".";

const vars = { topicPrefix: "lifesci", orderStuckSlaMinutes: 90 };
const ctx = defaultContractContext("lifesci");
const app = (name: string): KsqlApp => KSQL_APPS.find((a) => a.name === name)!;
const source = (name: string) => fs.readFileSync(path.join(KSQL_SQL_DIR, app(name).file), "utf8");

/** Problems of a deliberately edited copy of an app's SQL. */
function problemsOf(name: string, edit: (sql: string) => string): string[] {
    const original = source(name);
    const edited = edit(original);
    assert.notEqual(edited, original, "the edit must change the file");
    return ksqlAppProblems(parseKsqlApp(app(name), edited, vars), ctx);
}

describe("ksqlDB apps: each passes its contract", () => {
    const tableCount = DOMAINS.reduce((n, d) => n + d.tables.length, 0);
    const expectedCounts: Record<string, number> = {
        order_monitoring: 3,
        lab_validation: 4,
        manufacturing_events: 3,
        audit_trail: 1 + 2 * tableCount,
    };

    // An app added later (README "Adding a ksqlDB app") has no count here: its contract is the same.
    for (const a of KSQL_APPS) {
        it(`${a.file}: ${expectedCounts[a.name] ?? "its"} statements, every read created earlier, every column in the DDL, outputs in the catalog`, () => {
            const loaded = loadKsqlApp(a, vars);
            if (a.name in expectedCounts) assert.equal(loaded.statements.length, expectedCounts[a.name]);
            else assert.ok(loaded.statements.length > 0, a.file);
            assert.deepEqual(ksqlAppProblems(loaded, ctx), []);
        });
    }

    it("all apps together: no name is created twice in the cluster, and every derived topic has its writer", () => {
        const apps = loadCheckedKsqlApps(vars);
        assert.deepEqual(crossAppProblems(apps), []);
        const written = new Set(apps.flatMap((a) => a.statements.map((s) => s.kafkaTopic)));
        for (const topic of DERIVED_TOPICS) assert.ok(written.has(derivedTopicName("lifesci", topic.suffix)), topic.suffix);
    });

    it("has one SQL file per catalog app and nothing else", () => {
        assert.deepEqual(fs.readdirSync(KSQL_SQL_DIR).sort(), KSQL_APPS.map((a) => a.file).sort());
    });

    it("renders the SLA and topic prefix from config", () => {
        const stuck = loadKsqlApp(app("order_monitoring"), { topicPrefix: "acme", orderStuckSlaMinutes: 45 }).statements[2];
        assert.match(stuck.sql, /KAFKA_TOPIC='acme\.ksql\.orders_stuck'/);
        assert.match(stuck.sql, /45 AS sla_minutes/);
        assert.match(stuck.sql, /> CAST\(45 AS BIGINT\) \* 60000\b/);
        assert.doesNotMatch(stuck.sql, /\$\{/);
    });

    it("audit trail: one stream and one INSERT per captured table of the catalog, with its database and table", () => {
        const audit = loadKsqlApp(app("audit_trail"), vars);
        for (const domain of DOMAINS) {
            for (const table of domain.tables) {
                const stream = `AUDIT_${domain.name}_${table.name}_CDC`.toUpperCase();
                const create = audit.statements.find((s) => s.name === stream);
                assert.equal(create?.kafkaTopic, `lifesci.${domain.name}.${domain.database}.${table.name}`);
                const insert = audit.statements.find((s) => s.kind === "insert" && s.reads[0].name === stream);
                assert.ok(insert && insert.index === create!.index + 1, `no INSERT right after ${stream}`);
                assert.match(insert.sql, new RegExp(`'${domain.database}' AS source_db, '${table.name}' AS source_table`));
                assert.match(insert.sql, /TO_JSON_STRING\(before\) AS before_json, TO_JSON_STRING\(after\) AS after_json/);
            }
        }
    });

    it("normalizes statements so formatting and comments never count as a change", () => {
        assert.equal(
            normalizeKsql("CREATE STREAM  x (\n  a INT, -- note\n  b STRING\n) WITH (KAFKA_TOPIC='t  t');"),
            "CREATE STREAM x (a INT, b STRING) WITH (KAFKA_TOPIC='t  t');",
        );
    });

    it("maps MySQL types the way the connector serializes them", () => {
        const col = (table: string, column: string) => domainTables("lims").find((t) => t.name === table)!.columns.find((c) => c.name === column)!;
        assert.deepEqual(ksqlTypesFor(col("spec_limits", "spec_id")), ["BIGINT"], "INT UNSIGNED needs 64 bits");
        assert.deepEqual(ksqlTypesFor(col("spec_limits", "lower_limit")), ["DECIMAL(18,6)"]);
        assert.deepEqual(ksqlTypesFor(col("test_results", "measured_at")), ["TIMESTAMP"], "DATETIME(6): Connect Timestamp (time.precision.mode=connect)");
        assert.deepEqual(ksqlTypesFor(col("test_results", "status")), ["STRING"]);
    });
});

describe("ksqlDB apps: broken copies fail naming the file, statement and column", () => {
    it("unknown column in a query", () => {
        const problems = problemsOf("order_monitoring", (sql) => sql.replace("after->plant AS plant,\n         after->status AS status,", "after->plant AS plant,\n         after->statuss AS status,"));
        assert.deepEqual(problems, [
            "sql/ksqldb/order_monitoring.sql statement 2 (line 20, CREATE TABLE ORDERS_BY_STATUS_5M): column AFTER->STATUSS is not declared by OM_SALES_ORDERS_CDC (statement 1)",
            "sql/ksqldb/order_monitoring.sql statement 2 (line 20, CREATE TABLE ORDERS_BY_STATUS_5M): column AFTER->STATUSS is not in sap_orders.sales_orders (sql/mysql/sap/)",
        ]);
    });

    it("declared column missing from the MySQL DDL, or with an incompatible type", () => {
        const missing = problemsOf("manufacturing_events", (sql) => sql.replace("severity STRING", "severity STRING, shift_id STRING"));
        assert.deepEqual(missing, [
            "sql/ksqldb/manufacturing_events.sql statement 1 (line 7, CREATE STREAM MES_MACHINE_EVENTS_CDC): column AFTER->SHIFT_ID is not in mes.machine_events (sql/mysql/mes/)",
        ]);
        const wrongType = problemsOf("lab_validation", (sql) => sql.replace("after STRUCT<spec_id BIGINT", "after STRUCT<spec_id INT"));
        assert.deepEqual(wrongType, [
            "sql/ksqldb/lab_validation.sql statement 1 (line 7, CREATE STREAM LAB_SPEC_LIMITS_CDC): column AFTER->SPEC_ID is INT, but lims.spec_limits (sql/mysql/lims/) has INT UNSIGNED, read as BIGINT",
        ]);
    });

    it("unknown column through an alias in a join", () => {
        const problems = problemsOf("lab_validation", (sql) => sql.replace("r.after->analyst AS analyst", "r.after->reviewer AS analyst"));
        assert.ok(problems.some((p) => p.startsWith("sql/ksqldb/lab_validation.sql statement 4 (line 38, CREATE STREAM LAB_RESULTS_OOS): column AFTER->REVIEWER")), problems.join("\n"));
    });

    it("unknown stream", () => {
        const problems = problemsOf("manufacturing_events", (sql) => sql.replace("FROM mes_machine_events_cdc\n  WHERE op IN ('c', 'r') AND", "FROM mes_machine_event_cdc\n  WHERE op IN ('c', 'r') AND"));
        assert.deepEqual(problems, [
            "sql/ksqldb/manufacturing_events.sql statement 2 (line 13, CREATE STREAM MACHINE_ALARMS): reads MES_MACHINE_EVENT_CDC, which no statement of this app creates",
        ]);
    });

    it("out-of-order statement", () => {
        const problems = problemsOf("lab_validation", (sql) => {
            const [head, join] = sql.split("-- 4. Results outside");
            const [before, table] = head.split("-- 3. Latest limits");
            return `${before}-- 4. Results outside${join.trimEnd()}\n\n-- 3. Latest limits${table}`;
        });
        assert.deepEqual(problems, [
            "sql/ksqldb/lab_validation.sql statement 3 (line 21, CREATE STREAM LAB_RESULTS_OOS): reads LAB_SPEC_LIMITS before it is created (statement 4)",
        ]);
    });

    it("output topic that is not in the catalog, or belongs to another app", () => {
        const unknown = problemsOf("manufacturing_events", (sql) => sql.replace("ksql.machine_alarms'", "ksql.machine_alarmz'"));
        assert.ok(unknown.includes("sql/ksqldb/manufacturing_events.sql statement 2 (line 13, CREATE STREAM MACHINE_ALARMS): topic lifesci.ksql.machine_alarmz is not a catalog topic"), unknown.join("\n"));
        assert.ok(unknown.includes("sql/ksqldb/manufacturing_events.sql: catalog topic lifesci.ksql.machine_alarms is produced by manufacturing_events, but no statement writes it"));
        const foreign = problemsOf("manufacturing_events", (sql) => sql.replace("ksql.machine_alarms'", "ksql.orders_stuck'"));
        assert.ok(foreign.some((p) => p.endsWith("writes lifesci.ksql.orders_stuck, which the catalog does not list as produced by manufacturing_events")));
    });

    it("CDC topic the catalog does not list as an input of the app", () => {
        const problems = problemsOf("manufacturing_events", (sql) => sql.replace("mes.mes.machine_events'", "mes.mes.batches'"));
        assert.ok(problems[0].endsWith("reads lifesci.mes.mes.batches, which the catalog does not list as an input of manufacturing_events"), problems.join("\n"));
    });

    it("unknown Debezium source field", () => {
        const problems = problemsOf("audit_trail", (sql) => sql.replace("source->pos AS binlog_pos", "source->position AS binlog_pos"));
        assert.equal(problems.length, DOMAINS.reduce((n, d) => n + d.tables.length, 0), "once per generated INSERT");
        assert.match(problems[0], /^sql\/ksqldb\/audit_trail\.sql statement 3 \(line 34, INSERT INTO AUDIT_CDC_CHANGES\): column SOURCE->POSITION is not a Debezium MySQL source field$/);
    });

    it("unknown placeholder, unterminated statement and unsupported statement fail to load", () => {
        assert.throws(() => parseKsqlApp(app("order_monitoring"), source("order_monitoring").replace("${orderStuckSlaMinutes} AS", "${slaMinutes} AS"), vars), (err: Error) => {
            assert.ok(err instanceof KsqlSqlError);
            assert.match(err.message, /^sql\/ksqldb\/order_monitoring\.sql:\d+: unknown placeholder \$\{slaMinutes\}; known here: topicPrefix, orderStuckSlaMinutes/);
            return true;
        });
        assert.throws(() => parseKsqlApp(app("order_monitoring"), source("order_monitoring").replace(/EMIT CHANGES;\s*$/, "EMIT CHANGES"), vars), /order_monitoring\.sql line 36: last statement does not end with ';'/);
        assert.throws(
            () => parseKsqlApp(app("order_monitoring"), `${source("order_monitoring")}\nDROP STREAM orders_stuck;\n`, vars),
            /order_monitoring\.sql statement 4 \(line 5\d\): unsupported statement "DROP STREAM orders_stuck;"/,
        );
    });

    it("the same name in two apps collides", () => {
        const a = parseKsqlApp(app("manufacturing_events"), source("manufacturing_events"), vars);
        const b = parseKsqlApp(app("lab_validation"), source("lab_validation").replace(/lab_spec_limits_cdc/g, "mes_machine_events_cdc"), vars);
        assert.deepEqual(crossAppProblems([a, b]), [
            "sql/ksqldb/lab_validation.sql statement 1 (line 7, CREATE STREAM MES_MACHINE_EVENTS_CDC): MES_MACHINE_EVENTS_CDC is also created by sql/ksqldb/manufacturing_events.sql; names are cluster-wide",
        ]);
    });

    it("the platform refuses to build when an app breaks its contract, listing every problem", () => {
        const broken = { ...app("manufacturing_events"), inputs: [] };
        assert.throws(() => loadCheckedKsqlApps(vars, [broken]), (err: Error) => {
            assert.match(err.message, /^ksqlDB apps break their contract:\n {2}- sql\/ksqldb\/manufacturing_events\.sql statement 1/);
            assert.match(err.message, /does not list as an input of manufacturing_events/);
            return true;
        });
    });
});
