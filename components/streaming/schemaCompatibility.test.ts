// Schema Registry compatibility, every mode against the same table of changes: for each change
// the table says whether the new schema reads old data (backward) and the old schema reads new
// data (forward); each mode must accept exactly the changes its directions allow. Then the
// transitive modes against a history where only an older version breaks, and the field-level
// explanations.
import { strict as assert } from "assert";
import { COMPATIBILITY_LEVELS } from "../config";
import type { AvroSchema } from "./cdcAvro";
import { CompatibilityMode, canRead, checkCompatibility, columnRecordFields, fieldChanges } from "./schemaCompatibility";

type Field = { name: string; type: unknown; default?: unknown };
const record = (...fields: Field[]): AvroSchema => ({ type: "record", name: "Value", namespace: "lifesci.lims.test_results", fields }) as AvroSchema;
/** A Debezium change-event envelope around a Value record of these columns. */
const envelope = (...fields: Field[]): AvroSchema =>
    ({
        type: "record",
        name: "Envelope",
        namespace: "lifesci.lims.test_results",
        fields: [
            { name: "before", type: ["null", record(...fields)], default: null },
            { name: "after", type: ["null", "Value"], default: null },
            { name: "op", type: "string" },
        ],
    }) as AvroSchema;

const id: Field = { name: "id", type: "long" };
const decimal = (scale: number) => ({ type: "bytes", logicalType: "decimal", precision: 10, scale });

/** Each change: before -> after columns, and which directions Avro (plus the scale rule) allows. */
const CHANGES: { change: string; before: Field[]; after: Field[]; backward: boolean; forward: boolean; field?: string; rule?: RegExp }[] = [
    { change: "nothing", before: [id], after: [id], backward: true, forward: true },
    { change: "a NULL column added (default null)", before: [id], after: [id, { name: "note", type: ["null", "string"], default: null }], backward: true, forward: true },
    { change: "a NOT NULL column added without default", before: [id], after: [id, { name: "unit", type: "string" }], backward: false, forward: true, field: "unit", rule: /field "unit" is new and has no default/ },
    { change: "a NOT NULL column added with a default", before: [id], after: [id, { name: "unit", type: "string", default: "mg" }], backward: true, forward: true },
    { change: "a NOT NULL column removed", before: [id, { name: "unit", type: "string" }], after: [id], backward: true, forward: false, field: "unit", rule: /field "unit" was removed and has no default in the older schema/ },
    { change: "a column with a default removed", before: [id, { name: "unit", type: "string", default: "mg" }], after: [id], backward: true, forward: true },
    { change: "int widened to long", before: [id, { name: "qty", type: "int" }], after: [id, { name: "qty", type: "long" }], backward: true, forward: false, field: "qty", rule: /changed type long -> int: Avro cannot read new values/ },
    { change: "long narrowed to int", before: [id, { name: "qty", type: "long" }], after: [id, { name: "qty", type: "int" }], backward: false, forward: true, field: "qty", rule: /changed type long -> int: Avro cannot read old values/ },
    { change: "NULL made NOT NULL", before: [id, { name: "note", type: ["null", "string"], default: null }], after: [id, { name: "note", type: "string" }], backward: false, forward: true, field: "note", rule: /changed type null\|string -> string/ },
    { change: "string changed to int", before: [id, { name: "code", type: "string" }], after: [id, { name: "code", type: "int" }], backward: false, forward: false, field: "code", rule: /changed type (string -> int: Avro cannot read old|int -> string: Avro cannot read new) values/ },
    { change: "decimal scale 2 -> 4 (Avro ignores it, the numbers change)", before: [id, { name: "value", type: decimal(2) }], after: [id, { name: "value", type: decimal(4) }], backward: false, forward: true, field: "value", rule: /changed decimal scale 2 -> 4: the bytes decode to different numbers/ },
    { change: "a NULL decimal's scale changed", before: [id, { name: "value", type: ["null", decimal(2)], default: null }], after: [id, { name: "value", type: ["null", decimal(3)], default: null }], backward: false, forward: true, field: "value", rule: /changed decimal scale 2 -> 3/ },
    { change: "decimal precision widened, scale kept", before: [id, { name: "value", type: decimal(2) }], after: [id, { name: "value", type: { ...decimal(2), precision: 12 } }], backward: true, forward: true },
];

const needs = (mode: CompatibilityMode) => ({ backward: /^(BACKWARD|FULL)/.test(mode), forward: /^(FORWARD|FULL)/.test(mode) });

describe("schema compatibility: every mode against the same changes", () => {
    it("the modes are the registry's seven", () => assert.deepEqual([...COMPATIBILITY_LEVELS].sort(), ["BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE", "NONE"]));

    for (const { change, before, after, backward, forward, field, rule } of CHANGES) {
        it(`${change}: ${backward ? "" : "breaks backward "}${forward ? "" : "breaks forward"}${backward && forward ? "accepted by every mode" : ""}`, () => {
            for (const wrap of [envelope, record]) {
                for (const mode of COMPATIBILITY_LEVELS) {
                    const verdict = checkCompatibility(mode, [wrap(...before)], wrap(...after));
                    const need = needs(mode);
                    const brokenBackward = need.backward && !backward;
                    const brokenForward = need.forward && !forward;
                    assert.equal(verdict.compatible, !brokenBackward && !brokenForward, `${mode} (${wrap.name})`);
                    assert.equal(verdict.mode, mode);
                    if (verdict.compatible) {
                        assert.deepEqual(verdict.problems, [], `${mode}: no problem when compatible`);
                    } else {
                        assert.deepEqual(
                            verdict.problems.map((p) => [p.field, p.direction, p.againstVersion]),
                            [...(brokenBackward ? [[field, "backward", 1]] : []), ...(brokenForward ? [[field, "forward", 1]] : [])],
                            `${mode} (${wrap.name})`,
                        );
                        for (const p of verdict.problems) assert.match(p.rule, rule!, mode);
                    }
                }
            }
        });
    }

    it("no history, or mode NONE: anything is accepted", () => {
        const breaking = CHANGES.find((c) => !c.backward && !c.forward)!;
        for (const mode of COMPATIBILITY_LEVELS) assert.deepEqual(checkCompatibility(mode, [], record(...breaking.after)), { mode, compatible: true, problems: [] });
        assert.deepEqual(checkCompatibility("NONE", [record(...breaking.before)], record(...breaking.after)), { mode: "NONE", compatible: true, problems: [] });
    });
});

describe("schema compatibility: transitive modes check every earlier version, plain ones only the last", () => {
    // v1 has no `b`; v2 adds it with a default; v3 drops the default: only v1's data cannot be read.
    const backwardHistory = [record(id), record(id, { name: "b", type: "string", default: "x" })];
    const backwardCandidate = record(id, { name: "b", type: "string" });
    // v1 requires `c`; v2 gives it a default; v3 drops it: only v1's readers cannot read new data.
    const forwardHistory = [record(id, { name: "c", type: "string" }), record(id, { name: "c", type: "string", default: "x" })];
    const forwardCandidate = record(id);

    const CASES: [CompatibilityMode, boolean, boolean][] = [
        ["BACKWARD", true, true],
        ["BACKWARD_TRANSITIVE", false, true],
        ["FORWARD", true, true],
        ["FORWARD_TRANSITIVE", true, false],
        ["FULL", true, true],
        ["FULL_TRANSITIVE", false, false],
        ["NONE", true, true],
    ];
    for (const [mode, backwardOk, forwardOk] of CASES) {
        it(`${mode}: ${backwardOk ? "accepts" : "refuses"} the old-data break, ${forwardOk ? "accepts" : "refuses"} the old-reader break`, () => {
            const b = checkCompatibility(mode, backwardHistory, backwardCandidate);
            assert.equal(b.compatible, backwardOk);
            if (!backwardOk) assert.deepEqual(b.problems.map((p) => [p.field, p.direction, p.againstVersion]), [["b", "backward", 1]]);
            const f = checkCompatibility(mode, forwardHistory, forwardCandidate);
            assert.equal(f.compatible, forwardOk);
            if (!forwardOk) assert.deepEqual(f.problems.map((p) => [p.field, p.direction, p.againstVersion]), [["c", "forward", 1]]);
        });
    }

    it("a plain mode compares with the last version, not the first", () => {
        const history = [record(id, { name: "qty", type: "long" }), record(id, { name: "qty", type: "int" })];
        assert.equal(checkCompatibility("BACKWARD", history, record(id, { name: "qty", type: "int" })).compatible, true);
        const verdict = checkCompatibility("BACKWARD", [history[1], history[0]], record(id, { name: "qty", type: "int" }));
        assert.deepEqual(verdict.problems.map((p) => [p.field, p.againstVersion]), [["qty", 2]]);
    });

    it("several versions failing the same way give one line; a scale change against several versions too", () => {
        const history = [record(id), record(id), record(id)];
        const verdict = checkCompatibility("FULL_TRANSITIVE", history, record(id, { name: "unit", type: "string" }));
        assert.deepEqual(verdict.problems.map((p) => [p.field, p.direction, p.againstVersion]), [["unit", "backward", 1]]);
        const scales = checkCompatibility("BACKWARD_TRANSITIVE", [record(id, { name: "v", type: decimal(2) }), record(id, { name: "v", type: decimal(2) })], record(id, { name: "v", type: decimal(4) }));
        assert.deepEqual(scales.problems.map((p) => [p.field, p.againstVersion]), [["v", 1]]);
        assert.equal(scales.compatible, false);
    });
});

describe("schema compatibility: the explanation of each problem", () => {
    it("names the field, the rule, the direction and what to do", () => {
        const [added] = fieldChanges(record(id, { name: "unit", type: "string" }), record(id), "backward", 3);
        assert.deepEqual(added, {
            field: "unit",
            direction: "backward",
            againstVersion: 3,
            rule: 'field "unit" is new and has no default, so records written before it cannot be read',
            advice: "add the column as NULL (it becomes optional, default null) or give it a DEFAULT; backfill, then tighten in a later migration only if the subject's mode allows it",
        });
        const [removed] = fieldChanges(record(id, { name: "unit", type: "string" }), record(id), "forward", 2);
        assert.equal(removed.rule, 'field "unit" was removed and has no default in the older schema, so its readers cannot read new records');
        assert.equal(removed.advice, "keep the column (stop writing it instead), or make it NULL first so older readers have a default");
        const [retyped] = fieldChanges(record(id, { name: "q", type: "int" }), record(id, { name: "q", type: "string" }), "backward", 1);
        assert.match(retyped.rule, /^field "q" changed type string -> int: Avro cannot read old values \(.+\)$/);
        assert.equal(retyped.advice, "add a new column with the new type, copy the values in a migration, and retire the old column later");
        const [scaled] = fieldChanges(record(id, { name: "v", type: decimal(4) }), record(id, { name: "v", type: decimal(2) }), "backward", 1);
        assert.equal(scaled.rule, 'field "v" changed decimal scale 2 -> 4: the bytes decode to different numbers');
        assert.equal(scaled.advice, "keep the scale; add a new DECIMAL column with the new scale instead");
        assert.deepEqual(fieldChanges(record(id, { name: "n", type: ["null", "int"], default: null }), record(id), "backward", 1), [], "a new column with a default is no problem");
    });

    it("types are described the way a reviewer reads them: unions, decimals, Debezium's connect names", () => {
        const micro = { type: "long", "connect.name": "io.debezium.time.MicroTimestamp" };
        const [p1] = fieldChanges(record(id, { name: "t", type: "string" }), record(id, { name: "t", type: micro }), "backward", 1);
        assert.match(p1.rule, /changed type long \(io\.debezium\.time\.MicroTimestamp\) -> string/);
        const [p2] = fieldChanges(record(id, { name: "t", type: "int" }), record(id, { name: "t", type: decimal(2) }), "backward", 1);
        assert.match(p2.rule, /changed type decimal\(10,2\) -> int/);
        const [p3] = fieldChanges(record(id, { name: "t", type: "string" }), record(id, { name: "t", type: { type: "array", items: "int" } }), "backward", 1);
        assert.match(p3.rule, /changed type array -> string/);
        const [p4] = fieldChanges(record(id, { name: "t", type: "int" }), record(id, { name: "t", type: ["null", "string"], default: null }), "backward", 1);
        assert.match(p4.rule, /changed type null\|string -> int/);
    });

    it("a decimal next to a non-decimal object type in a union is found by its logical type", () => {
        const [p] = fieldChanges(record(id, { name: "v", type: ["null", decimal(3)], default: null }), record(id, { name: "v", type: ["null", decimal(1)], default: null }), "backward", 1);
        assert.match(p.rule, /scale 1 -> 3/);
        const micro = { type: "long", "connect.name": "io.debezium.time.MicroTimestamp" };
        assert.deepEqual(fieldChanges(record(id, { name: "t", type: micro }), record(id, { name: "t", type: micro }), "backward", 1), [], "an object type that is not a decimal has no scale");
    });

    it("columns come from the envelope's before record, or from the record itself (keys, other records)", () => {
        assert.deepEqual(columnRecordFields(envelope(id, { name: "x", type: "int" })).map((f) => f.name), ["id", "x"]);
        assert.deepEqual(columnRecordFields(record(id)).map((f) => f.name), ["id"]);
        const notAnEnvelope = { type: "record", name: "Other", fields: [{ name: "before", type: ["null", record(id)] }, { name: "op", type: "string" }] } as AvroSchema;
        assert.deepEqual(columnRecordFields(notAnEnvelope).map((f) => f.name), ["before", "op"]);
        const plainBefore = { type: "record", name: "Envelope", fields: [{ name: "before", type: "string" }] } as AvroSchema;
        assert.deepEqual(columnRecordFields(plainBefore).map((f) => f.name), ["before"]);
        const reordered = { type: "record", name: "Envelope", fields: [{ name: "op", type: "string" }, { name: "before", type: ["null", record(id, { name: "x", type: "int" })], default: null }] } as AvroSchema;
        assert.deepEqual(columnRecordFields(reordered).map((f) => f.name), ["id", "x"], "the before field is found by name, not position");
        const noBefore = { type: "record", name: "Envelope", fields: [{ name: "op", type: "string" }] } as AvroSchema;
        assert.deepEqual(columnRecordFields(noBefore).map((f) => f.name), ["op"]);
        assert.deepEqual(columnRecordFields("string" as AvroSchema), []);
    });

    it("canRead says why Avro cannot resolve", () => {
        assert.deepEqual(canRead("long" as AvroSchema, "int" as AvroSchema), { ok: true });
        const no = canRead("int" as AvroSchema, "long" as AvroSchema);
        assert.equal(no.ok, false);
        assert.ok(!no.ok && no.reason.length > 0);
    });
});
