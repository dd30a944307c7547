// The status warehouse hop: batch_release_status in the local warehouse, through the local stack's
// own status sink (Debezium JDBC sink, created by the deploy hop with the rest): the sample batch's
// row after every step of its life as the batch release hop observed it (commit -> row latency),
// a deleted batch's row gone, every batch's row equal to its last status record, the records'
// Connect schema and the table's columns equal to the catalog's declaration, and no dead letter.
import { WAREHOUSE_TABLES, dlqTopicName, streamsOutputTopic, streamsAppByName, warehouseRecordKey } from "../components/catalog";
import { ksqlToPostgresType } from "../components/sqlTypes";
import { streamsFieldProblems } from "../components/sinks";
import { BATCH, STATUS_RELATION, basePrefixOf, keyOf, statusEnvelopeOf, statusOf, statusRowDifferences, statusSinkOf, statusWarehouseClient } from "./batchReleaseHop";
import type { E2eContext } from "./harness";
import type { HopOutcome } from "./hops";

const TABLE = WAREHOUSE_TABLES.find((t) => t.name === "BATCH_RELEASE_STATUS")!;

export async function statusWarehouseHop(ctx: E2eContext): Promise<HopOutcome> {
    const sink = statusSinkOf(ctx);
    if (!sink) return { ok: false, detail: "the local stack has no snowflake-streams sink for batch_release_status" };
    const pg = await statusWarehouseClient(ctx);
    if (!pg) return { ok: false, detail: `${sink.name} was not deployed (its plugin is not on the worker)` };
    const problems: string[] = [];
    try {
        // The sink's task, and its dead-letter topic: nothing refused.
        const status = (await (await fetch(`${ctx.connect.url}/connectors/${encodeURIComponent(sink.name)}/status`)).json()) as { tasks?: { id: number; state: string; trace?: string }[] };
        for (const t of status.tasks ?? []) if (t.state !== "RUNNING") problems.push(`${sink.name} task ${t.id} ${t.state}: ${(t.trace ?? "").split("\n")[0]}`);
        const basePrefix = basePrefixOf(ctx);
        const statusTopic = streamsOutputTopic(basePrefix, streamsAppByName("batch_release"), "TOPIC_STATUS");
        if (sink.config.topics !== statusTopic) problems.push(`${sink.name} reads ${sink.config.topics}, expected ${statusTopic}`);
        const dlq = dlqTopicName(basePrefix, "snowflake-streams");
        if (sink.config["errors.deadletterqueue.topic.name"] !== dlq) problems.push(`${sink.name}: dead-letter topic ${sink.config["errors.deadletterqueue.topic.name"]}, expected ${dlq}`);
        const deadLetters = ctx.watcher.on(dlq);
        if (deadLetters.length) problems.push(`${deadLetters.length} record(s) on ${dlq}, e.g. ${JSON.stringify(deadLetters[0].value).slice(0, 200)}`);

        // What the app writes and what the table declares: the catalog's columns, both ways.
        const records = ctx.watcher.on(statusTopic);
        const sample = records.find((r) => statusEnvelopeOf(r) !== null);
        const schema = sample ? statusEnvelopeOf(sample)?.schema : undefined;
        if (!schema?.fields) problems.push(`the status records carry no Connect schema (STATUS_JSON_SCHEMAS is not on in the local environment?)`);
        else problems.push(...streamsFieldProblems(TABLE, schema.fields));
        const columns = await pg.query(
            `SELECT column_name, data_type, datetime_precision FROM information_schema.columns WHERE table_schema = 'CURATED' AND table_name = 'BATCH_RELEASE_STATUS' ORDER BY ordinal_position`,
        );
        const source = TABLE.source.kind === "streams" ? TABLE.source : undefined;
        const declared = source!.columns.map((c) => `${c.name} ${ksqlToPostgresType(c.type, TABLE.name)}`);
        const pgType = (r: { data_type: string; datetime_precision: number | null }) =>
            ({ text: "TEXT", bigint: "BIGINT", integer: "INTEGER", "timestamp without time zone": `TIMESTAMP(${r.datetime_precision})` })[r.data_type] ?? r.data_type;
        const actual = columns.rows.map((r: { column_name: string; data_type: string; datetime_precision: number | null }) => `${r.column_name} ${pgType(r)}`);
        // schema.evolution=basic would have added a column for a field the table lacks.
        if (actual.join(", ") !== declared.join(", ")) problems.push(`${STATUS_RELATION} has columns ${actual.join(", ")}; the catalog declares ${declared.join(", ")}`);

        // The sample batch's life, as the batch release hop saw the row after each step.
        const life = ctx.statusRows ?? [];
        if (life.length === 0) problems.push(`no observation of ${BATCH}'s row (the batch release hop did not reach its life)`);
        const latencies: number[] = [];
        for (const o of life) {
            if (o.seenAt === undefined) {
                const want = o.record && statusOf(o.record) ? `${statusOf(o.record)!.status} (${statusOf(o.record)!.reason_codes})` : "no row (tombstone)";
                const got = o.row ? `${o.row.status} (${o.row.reason_codes})` : "no row";
                problems.push(`${o.step}: ${BATCH} in Postgres is ${got}, expected ${want}`);
            } else latencies.push(o.seenAt - o.committedAt);
        }

        // Every batch: its row is its last status record; a batch whose last record is a tombstone has none.
        const last = new Map<string, (typeof records)[number]>();
        for (const r of records) last.set(keyOf(r), r);
        const rows = new Map((await pg.query(`SELECT * FROM ${STATUS_RELATION}`)).rows.map((r: Record<string, unknown>) => [String(r[warehouseRecordKey(TABLE)!]), r]));
        let live = 0;
        let deleted = 0;
        for (const [key, r] of last) {
            const payload = statusOf(r);
            const row = rows.get(key);
            if (payload === null) {
                deleted++;
                if (row) problems.push(`${key}: deleted (tombstone) but its row is still in ${STATUS_RELATION}: ${row.status}`);
                continue;
            }
            live++;
            if (!row) problems.push(`${key}: no row in ${STATUS_RELATION}`);
            else {
                const diff = statusRowDifferences(row, payload);
                if (diff.length) problems.push(`${key}: ${diff.slice(0, 3).join("; ")}`);
            }
            rows.delete(key);
        }
        for (const key of rows.keys()) if (!last.has(key)) problems.push(`${key}: a row without any status record`);
        const detail = `${life.length} steps of ${BATCH} seen in ${STATUS_RELATION} (latency = commit -> row); ${live} batch rows equal to their last status record, ${deleted} deleted batch(es) without a row; columns and record schema = the catalog's`;
        if (problems.length) return { ok: false, latencies, detail: `${problems.length} problem(s): ${problems.slice(0, 4).join("; ")}` };
        return { ok: true, latencies, detail };
    } finally {
        await pg.end().catch(() => undefined);
    }
}
