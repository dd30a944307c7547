// Changing a ksqlDB app never silently replays history into alerts, the warehouse or the audit
// archive: the REST provider against the in-process server, which records the properties and
// start position of every query it starts.
import { strict as assert } from "assert";
import { DOMAINS, KSQL_APPS } from "../components/catalog";

/** The audit trail runs one INSERT query per captured table of the catalog. */
const CAPTURED_TABLES = DOMAINS.reduce((n, d) => n + d.tables.length, 0);
import { TopicsConfig } from "../components/config";
import { KSQL_STREAMS_PROPERTIES, KsqlAppInputs, KsqlAppOutputs, KsqlStatementSpec, ksqlAppProvider, ksqlStatementSpecs, loadKsqlApp, planAppChange } from "../components/ksql";
import { FakeKsqlServer } from "./support/fakeKsqlServer";

const provider = ksqlAppProvider as Required<typeof ksqlAppProvider>;
const TOPICS: TopicsConfig = { partitions: 6, retentionHours: 168, auditRetentionDays: 365 };
const vars = { topicPrefix: "lifesci", orderStuckSlaMinutes: 60 };
const specs = (app: string): KsqlStatementSpec[] => ksqlStatementSpecs(loadKsqlApp(KSQL_APPS.find((a) => a.name === app)!, vars), "lifesci", TOPICS);
const FAST = { maxAttempts: 2, initialDelayMs: 5, maxDelayMs: 10, requestTimeoutMs: 2_000 };

function inputs(server: FakeKsqlServer, app: string, allowReplay = false): KsqlAppInputs {
    return { endpoint: server.endpoint, app, statements: specs(app), streamsProperties: KSQL_STREAMS_PROPERTIES, retry: FAST, allowReplay };
}

/** The audit INSERT for lims.test_results with one more expression (an INSERT INTO text change). */
function changeAuditInsert(statements: KsqlStatementSpec[]): { statements: KsqlStatementSpec[]; index: number } {
    const index = statements.findIndex((s) => s.kind === "insert" && s.reads[0] === "AUDIT_LIMS_TEST_RESULTS_CDC");
    assert.ok(index > 0, "the audit app has an INSERT for lims.test_results");
    const changed = statements.map((s, i) => (i === index ? { ...s, sql: s.sql.replace("op AS op", "UCASE(op) AS op") } : s));
    assert.notEqual(changed[index].sql, statements[index].sql);
    return { statements: changed, index };
}

/** The spec limits table with one more filter: a change ksqlDB refuses to upgrade in place (aggregation). */
function changeSpecLimits(statements: KsqlStatementSpec[]): KsqlStatementSpec[] {
    return statements.map((s) => (s.name === "LAB_SPEC_LIMITS" ? { ...s, sql: s.sql.replace("GROUP BY", "AND after->unit IS NOT NULL GROUP BY") } : s));
}

describe("ksqlDB app changes: where rebuilt queries start", () => {
    let server: FakeKsqlServer;
    beforeEach(async () => {
        server = await new FakeKsqlServer().start();
    });
    afterEach(() => server.stop());

    it("a first deployment starts every query at the earliest offset (the snapshot must flow)", async () => {
        await provider.create(inputs(server, "lab_validation"));
        assert.deepEqual(
            server.started.map((q) => [q.sink, q.start]),
            [
                ["LAB_SPEC_LIMITS", "earliest"],
                ["LAB_RESULTS_OOS", "earliest"],
            ],
        );
    });

    it("a changed INSERT INTO in the audit app restarts only that query, at the latest offset, and records the gap", async () => {
        const olds = (await provider.create(inputs(server, "audit_trail"))).outs as KsqlAppOutputs;
        const before = server.started.length;
        const news = inputs(server, "audit_trail");
        news.statements = changeAuditInsert(news.statements).statements;
        const { outs } = await provider.update("id", olds, news);

        const restarted = server.started.slice(before);
        assert.equal(restarted.length, 1, "only the changed INSERT is restarted");
        assert.match(restarted[0].queryString, /UCASE\(op\)/);
        assert.equal(restarted[0].start, "latest");
        assert.equal(restarted[0].streamsProperties["ksql.streams.auto.offset.reset"], "latest");
        assert.equal(server.queries.size, CAPTURED_TABLES);

        const [gap] = (outs as KsqlAppOutputs).lastRebuilds!;
        assert.equal(gap.start, "latest");
        assert.equal(gap.output, "audit.cdc_changes");
        assert.deepEqual(gap.classes, ["immutable-archive"]);
        assert.ok(Date.parse(gap.stoppedAt) <= Date.parse(gap.startedAt), "the gap runs from the stop to the start");
        assert.match(gap.effect, /skips changes of lims\.test_results between stop and start \(no replay into audit\.cdc_changes \(immutable-archive\)\)/);
    });

    it("with ksqldb.allowReplay the same change replays the retained history from the earliest offset", async () => {
        const olds = (await provider.create(inputs(server, "audit_trail"))).outs as KsqlAppOutputs;
        const before = server.started.length;
        const news = inputs(server, "audit_trail", true);
        news.statements = changeAuditInsert(news.statements).statements;
        const { outs } = await provider.update("id", olds, news);
        assert.deepEqual(
            server.started.slice(before).map((q) => q.start),
            ["earliest"],
        );
        assert.match((outs as KsqlAppOutputs).lastRebuilds![0].effect, /replays 168 h of lims\.test_results into audit\.cdc_changes \(immutable-archive\) \(allowed by ksqldb\.allowReplay\)/);
    });

    it("a refused upgrade in the lab app: the table rebuild may replay, the alerting stream it feeds starts at latest", async () => {
        const olds = (await provider.create(inputs(server, "lab_validation"))).outs as KsqlAppOutputs;
        server.refuseUpgrade.add("LAB_SPEC_LIMITS");
        const before = server.started.length;
        const news = inputs(server, "lab_validation");
        news.statements = changeSpecLimits(news.statements);
        const { outs } = await provider.update("id", olds, news);
        assert.deepEqual(
            server.started.slice(before).map((q) => [q.sink, q.start]),
            [
                ["LAB_SPEC_LIMITS", "earliest"],
                ["LAB_RESULTS_OOS", "latest"],
            ],
        );
        const rebuilds = (outs as KsqlAppOutputs).lastRebuilds!;
        assert.deepEqual(
            rebuilds.map((r) => [r.output, r.classes, r.start]),
            [
                ["ksql.lab_spec_limits", ["table-state"], "earliest"],
                ["ksql.lab_results_oos", ["alerting", "warehouse"], "latest"],
            ],
        );
        assert.match(rebuilds[0].effect, /replays 168 h of lims\.spec_limits into ksql\.lab_spec_limits \(table-state\) \(table state converges\)/);
    });

    it("a refused upgrade with the lab app allowed to replay restarts the alerting stream at earliest too", async () => {
        const olds = (await provider.create(inputs(server, "lab_validation"))).outs as KsqlAppOutputs;
        server.refuseUpgrade.add("LAB_SPEC_LIMITS");
        const before = server.started.length;
        const news = { ...inputs(server, "lab_validation", true) };
        news.statements = changeSpecLimits(news.statements);
        await provider.update("id", olds, news);
        assert.deepEqual(
            server.started.slice(before).map((q) => q.start),
            ["earliest", "earliest"],
        );
    });

    it("an accepted in-place upgrade resumes from the committed offsets: nothing restarts", async () => {
        const olds = (await provider.create(inputs(server, "manufacturing_events"))).outs as KsqlAppOutputs;
        const before = server.started.length;
        const news = inputs(server, "manufacturing_events");
        news.statements = news.statements.map((s) => (s.name === "MACHINE_ALARMS" ? { ...s, sql: s.sql.replace("'CRITICAL'", "'CRITICAL', 'FATAL'") } : s));
        const { outs } = await provider.update("id", olds, news);
        assert.deepEqual(
            server.started.slice(before).map((q) => [q.sink, q.start]),
            [["MACHINE_ALARMS", "resumed"]],
        );
        assert.deepEqual((outs as KsqlAppOutputs).lastRebuilds, []);
    });

    it("check() puts the plan of the change into the inputs, so a preview shows it", async () => {
        const olds = inputs(server, "lab_validation");
        const news = { ...olds, statements: changeSpecLimits(olds.statements) };
        const { inputs: checked } = await provider.check(olds, news);
        assert.deepEqual(checked.changePlan, [
            "lab_validation: query LAB_SPEC_LIMITS: rebuild (ksqlDB does not upgrade a table aggregation in place): starts at the earliest offset: replays 168 h of lims.spec_limits into ksql.lab_spec_limits (table-state) (table state converges)",
            "lab_validation: query LAB_RESULTS_OOS: rebuild (reads a rebuilt statement): starts at the latest offset: skips changes of lims.test_results, ksql.lab_spec_limits between stop and start (no replay into ksql.lab_results_oos (alerting, warehouse)); the gap is recorded in lastRebuilds",
        ]);
        assert.deepEqual((await provider.check({}, olds)).inputs.changePlan, [], "a new resource has no change plan");
        const diff = await provider.diff("id", { ...olds, changePlan: ["old plan"] } as unknown as KsqlAppOutputs, { ...olds, changePlan: [] });
        assert.equal(diff.changes, false, "the plan alone is no change");
    });
});

describe("ksqlDB app changes: planAppChange", () => {
    it("names removed, added and in-place statements, and predicts refusals from ksqlDB's documented limits", () => {
        const olds = specs("manufacturing_events");
        const extra: KsqlStatementSpec = {
            ...olds[1],
            name: "MACHINE_WARNINGS",
            sql: "CREATE STREAM IF NOT EXISTS machine_warnings AS SELECT * FROM mes_machine_events_cdc EMIT CHANGES;",
            output: { topic: "ksql.machine_warnings", classes: [] },
        };
        const news = [olds[0], { ...olds[1], sql: olds[1].sql.replace("'CRITICAL'", "'CRITICAL', 'FATAL'") }, extra];
        const plan = planAppChange(olds, news, false);
        assert.deepEqual(
            plan.map((c) => [c.statement, c.action, c.start]),
            [
                ["query MACHINE_EVENT_COUNTS_5M", "remove", undefined],
                ["query MACHINE_ALARMS", "upgrade in place", undefined],
                ["query MACHINE_WARNINGS", "add", "earliest"],
            ],
        );
        assert.match(plan[1].effect, /continues from the committed offsets; nothing replayed, nothing skipped; if ksqlDB refuses the upgrade, a rebuild starts at the latest offset/);
        // A windowed change is predicted to be refused (a rebuild), and its table state may replay.
        const windowed = planAppChange(olds, olds.map((s) => (s.name === "MACHINE_EVENT_COUNTS_5M" ? { ...s, sql: s.sql.replace("5 MINUTES", "10 MINUTES") } : s)), false);
        assert.deepEqual(windowed.map((c) => [c.action, c.reason, c.start]), [["rebuild", "ksqlDB does not upgrade a windowed query in place", "earliest"]]);
    });

    it("an output in no class is treated as replay-sensitive", () => {
        const [source, alarms] = specs("manufacturing_events");
        const unclassified = { ...alarms, output: { topic: "ksql.something", classes: [] } };
        const changed = { ...unclassified, sql: `${unclassified.sql.replace("EMIT CHANGES", "")}` };
        const plan = planAppChange([source, unclassified], [source, { ...changed, sql: changed.sql.replace("FROM", "FROM") }], false, ["query MACHINE_ALARMS"]);
        assert.deepEqual(plan.map((c) => c.start), ["latest"]);
        assert.match(plan[0].effect, /ksql\.something \(unclassified stream\)/);
    });
});
