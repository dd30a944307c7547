// The batch release app's status value against the catalog's BATCH_RELEASE_STATUS columns, which
// drive both the Snowflake table and the local Postgres one: the field list is read from the app's
// one definition of its shape (StatusRecords.STATUS_FIELDS), so a field renamed, retyped, added or
// dropped on either side fails here, before the sink sends the record to its dead-letter topic.
// (npm run e2e checks the same against the schema of the records the running app writes.)
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { WAREHOUSE_TABLES, WarehouseTable } from "../components/catalog";
import { ConnectField, streamsFieldProblems } from "../components/sinks";
import { REPO_ROOT } from "./support/harness";

const STATUS_RECORDS = path.join(REPO_ROOT, "streams/batch-release/src/main/java/com/lifesci/batchrelease/topology/StatusRecords.java");

/** STATUS_FIELDS = fields("name", "type[!]", ...): `!` marks a required field. */
export function statusFields(java: string): ConnectField[] {
    const body = /STATUS_FIELDS\s*=\s*fields\(([^;]*)\);/.exec(java)?.[1];
    if (!body) throw new Error(`${STATUS_RECORDS}: no STATUS_FIELDS = fields(...) declaration`);
    const strings = [...body.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
    if (strings.length % 2 !== 0) throw new Error(`${STATUS_RECORDS}: STATUS_FIELDS has an odd number of strings`);
    const fields: ConnectField[] = [];
    for (let i = 0; i < strings.length; i += 2) fields.push({ field: strings[i], type: strings[i + 1].replace("!", ""), optional: !strings[i + 1].endsWith("!") });
    return fields;
}

describe("Kafka Streams status value <-> warehouse table columns", () => {
    const table = WAREHOUSE_TABLES.find((t) => t.name === "BATCH_RELEASE_STATUS")!;
    const fields = statusFields(fs.readFileSync(STATUS_RECORDS, "utf8"));

    it("the app's status fields are the catalog's columns, in order, with types that land in them and a required key", () => {
        assert.equal(fields.length, 16);
        assert.deepEqual(streamsFieldProblems(table, fields), []);
    });

    it("names the table and the field when a side changes", () => {
        const renamed = fields.map((f) => (f.field === "reason_codes" ? { ...f, field: "reasonCodes" } : f));
        assert.deepEqual(streamsFieldProblems(table, renamed), [
            "BATCH_RELEASE_STATUS: the app writes batch_number, batch_id, material_id, plant, line_id, batch_status, status, reasonCodes, reason_summary, reasons, required_tests, tests_in_spec, started_at, completed_at, decided_at, source_ts; " +
                "the catalog declares batch_number, batch_id, material_id, plant, line_id, batch_status, status, reason_codes, reason_summary, reasons, required_tests, tests_in_spec, started_at, completed_at, decided_at, source_ts (no column for reasonCodes) (no field for reason_codes)",
        ]);
        const retyped = fields.map((f) => (f.field === "required_tests" ? { ...f, type: "string" } : f));
        assert.deepEqual(streamsFieldProblems(table, retyped), ["BATCH_RELEASE_STATUS.required_tests: the app writes Connect string, a INT column takes int32"]);
        const optionalKey = fields.map((f) => (f.field === "batch_number" ? { ...f, optional: true } : f));
        assert.match(streamsFieldProblems(table, optionalKey).join(), /batch_number: the record key field is optional/);
        const source = table.source as Extract<WarehouseTable["source"], { kind: "streams" }>;
        const mapColumn: WarehouseTable = { ...table, source: { ...source, columns: [...source.columns.slice(0, -1), { name: "source_ts", type: "MAP<STRING,INT>" }] } };
        assert.throws(() => streamsFieldProblems(mapColumn, fields), /warehouse table BATCH_RELEASE_STATUS column source_ts: type MAP<STRING,INT> has no Kafka Connect type/);
        assert.throws(() => statusFields("class X {}"), /no STATUS_FIELDS = fields\(\.\.\.\) declaration/);
    });
});
