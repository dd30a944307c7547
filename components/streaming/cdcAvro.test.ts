// Predicted CDC Avro schemas and their compatibility, pure (the real-server path is in schema:check's tests).
import { strict as assert } from "assert";
import {
    AvroSourceColumn,
    CONNECTOR_DEFAULT_TYPE_SETTINGS,
    CdcTypeSettings,
    columnAvroType,
    columnField,
    decimalDefaultBytes,
    predictKeySchema,
    predictValueSchema,
    typeSettingsOf,
} from "./cdcAvro";
import { checkCompatibility } from "./schemaCompatibility";

const col = (name: string, type: string, extra: Partial<AvroSourceColumn> = {}): AvroSourceColumn => ({ name, type, args: [], unsigned: false, nullable: false, ...extra });
const names = { topicPrefix: "lifesci.lims", database: "lims", table: "test_results" };
const CONNECT: CdcTypeSettings = { ...CONNECTOR_DEFAULT_TYPE_SETTINGS, timePrecisionMode: "connect" };
const base = [
    col("result_id", "BIGINT", { unsigned: true }),
    col("result_value", "DECIMAL", { args: [18, 6] }),
    col("status", "ENUM", { enumValues: ["PENDING", "VALID"], default: { kind: "literal", value: "PENDING" } }),
    col("instrument_id", "VARCHAR", { args: [32], nullable: true }),
    col("measured_at", "DATETIME", { args: [6] }),
    col("updated_at", "DATETIME", { args: [6], default: { kind: "expression", text: "current_timestamp(6)" } }),
];
const value = (columns: AvroSourceColumn[], s = CONNECTOR_DEFAULT_TYPE_SETTINGS) => predictValueSchema(names, columns, s);

describe("predicted CDC Avro schemas", () => {
    it("follow time.precision.mode: DATETIME(6) is MicroTimestamp (adaptive) or timestamp-millis (connect)", () => {
        const dt = col("t", "DATETIME", { args: [6] });
        assert.equal((columnAvroType(dt, CONNECTOR_DEFAULT_TYPE_SETTINGS, "x") as any)["connect.name"], "io.debezium.time.MicroTimestamp");
        assert.equal((columnAvroType({ ...dt, args: [0] }, CONNECTOR_DEFAULT_TYPE_SETTINGS, "x") as any)["connect.name"], "io.debezium.time.Timestamp");
        assert.deepEqual(columnAvroType(dt, CONNECT, "x"), { type: "long", "connect.name": "org.apache.kafka.connect.data.Timestamp", "connect.version": 1, logicalType: "timestamp-millis" });
        assert.equal((columnAvroType(col("d", "DATE"), CONNECT, "x") as any).logicalType, "date");
        assert.equal((columnAvroType(col("d", "DATE"), CONNECTOR_DEFAULT_TYPE_SETTINGS, "x") as any)["connect.name"], "io.debezium.time.Date");
    });

    it("follow decimal.handling.mode and bigint.unsigned.handling.mode", () => {
        const dec = col("v", "DECIMAL", { args: [18, 6] });
        assert.deepEqual(columnAvroType(dec, CONNECTOR_DEFAULT_TYPE_SETTINGS, "x"), {
            type: "bytes",
            "connect.name": "org.apache.kafka.connect.data.Decimal",
            "connect.parameters": { scale: "6", "connect.decimal.precision": "18" },
            logicalType: "decimal",
            precision: 18,
            scale: 6,
        });
        assert.equal(columnAvroType(dec, { ...CONNECTOR_DEFAULT_TYPE_SETTINGS, decimalHandlingMode: "double" }, "x"), "double");
        assert.equal(columnAvroType(dec, { ...CONNECTOR_DEFAULT_TYPE_SETTINGS, decimalHandlingMode: "string" }, "x"), "string");
        const big = col("id", "BIGINT", { unsigned: true });
        assert.equal(columnAvroType(big, CONNECTOR_DEFAULT_TYPE_SETTINGS, "x"), "long");
        assert.equal((columnAvroType(big, { ...CONNECTOR_DEFAULT_TYPE_SETTINGS, bigintUnsignedHandlingMode: "precise" }, "x") as any).precision, 20);
        assert.equal(columnAvroType(col("n", "INT", { unsigned: true }), CONNECTOR_DEFAULT_TYPE_SETTINGS, "x"), "long");
        assert.deepEqual(columnAvroType(col("n", "SMALLINT"), CONNECTOR_DEFAULT_TYPE_SETTINGS, "x"), { type: "int", "connect.type": "int16" });
    });

    it("read the settings from a connector config, with the documented defaults", () => {
        assert.deepEqual(typeSettingsOf({}), CONNECTOR_DEFAULT_TYPE_SETTINGS);
        assert.equal(typeSettingsOf({ "time.precision.mode": "connect", "decimal.handling.mode": "string" }).timePrecisionMode, "connect");
    });

    it("make NULL columns optional (default null) and carry NOT NULL defaults, decimals as their bytes", () => {
        assert.deepEqual(columnField(col("q", "VARCHAR", { args: [8], nullable: true }), CONNECTOR_DEFAULT_TYPE_SETTINGS, "x"), { name: "q", type: ["null", "string"], default: null });
        assert.equal(columnField(base[2], CONNECTOR_DEFAULT_TYPE_SETTINGS, "x").default, "PENDING");
        assert.equal(columnField(base[5], CONNECTOR_DEFAULT_TYPE_SETTINGS, "x").default, 0, "CURRENT_TIMESTAMP defaults are epoch 0");
        assert.equal("default" in columnField(base[0], CONNECTOR_DEFAULT_TYPE_SETTINGS, "x"), false);
        assert.deepEqual(columnField(col("n", "VARCHAR", { args: [4], nullable: true, default: { kind: "literal", value: "x" } }), CONNECTOR_DEFAULT_TYPE_SETTINGS, "x").type, ["string", "null"]);
        // 1.5 at scale 6 = 1500000 = 0x16E360; -1 = 0xFF.
        assert.deepEqual([...decimalDefaultBytes("1.5", 6)].map((c) => c.charCodeAt(0)), [0x16, 0xe3, 0x60]);
        assert.deepEqual([...decimalDefaultBytes("-1", 0)].map((c) => c.charCodeAt(0)), [0xff]);
        assert.deepEqual([...decimalDefaultBytes("128", 0)].map((c) => c.charCodeAt(0)), [0x00, 0x80]);
    });

    it("are valid Avro: the envelope and key parse and a change event round-trips", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const avro = require("avsc") as typeof import("avsc");
        const envelope = avro.Type.forSchema(value(base, CONNECT) as never);
        const row = { result_id: 7, result_value: Buffer.from([1]), status: "VALID", instrument_id: null, measured_at: 1, updated_at: 2 };
        const event = {
            before: null,
            after: row,
            source: { version: "2", connector: "mysql", name: "lifesci.lims", ts_ms: 1, snapshot: "false", db: "lims", sequence: null, ts_us: null, ts_ns: null, table: "test_results", server_id: 1, gtid: null, file: "binlog.1", pos: 4, row: 0, thread: null, query: null },
            transaction: null,
            op: "c",
            ts_ms: 1,
            ts_us: null,
            ts_ns: null,
        };
        assert.deepEqual(envelope.fromBuffer(envelope.toBuffer(event)).after.status, "VALID");
        const key = predictKeySchema(names, base, ["result_id"], CONNECTOR_DEFAULT_TYPE_SETTINGS);
        assert.deepEqual(key.fields, [{ name: "result_id", type: "long" }]);
        assert.equal(key["connect.name"], "lifesci.lims.lims.test_results.Key");
        avro.Type.forSchema(key as never);
    });

    it("name the column when a type has no mapping, and the table when it has no key", () => {
        assert.throws(() => value([col("g", "GEOMETRY")]), /lims\.test_results: column g has MySQL type GEOMETRY/);
        assert.throws(() => predictKeySchema(names, base, [], CONNECTOR_DEFAULT_TYPE_SETTINGS), /lims\.test_results: no primary key/);
    });
});

describe("compatibility of predicted schemas (avsc resolution)", () => {
    const v1 = value(base);

    it("a NULL column added is compatible under every mode", () => {
        const v2 = value([...base, col("qualifier", "VARCHAR", { args: [8], nullable: true })]);
        for (const mode of ["BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FULL_TRANSITIVE"] as const) assert.equal(checkCompatibility(mode, [v1], v2).compatible, true, mode);
    });

    it("a NOT NULL column without default breaks BACKWARD, naming the field and what to do; FORWARD accepts it", () => {
        const v2 = value([...base, col("qualifier", "VARCHAR", { args: [8] })]);
        const verdict = checkCompatibility("BACKWARD_TRANSITIVE", [v1], v2);
        assert.equal(verdict.compatible, false);
        assert.equal(verdict.problems.length, 1);
        assert.equal(verdict.problems[0].field, "qualifier");
        assert.match(verdict.problems[0].rule, /is new and has no default/);
        assert.match(verdict.problems[0].advice, /add the column as NULL .* or give it a DEFAULT/);
        assert.equal(checkCompatibility("FORWARD", [v1], v2).compatible, true);
        const withDefault = value([...base, col("qualifier", "VARCHAR", { args: [8], default: { kind: "literal", value: "NONE" } })]);
        assert.equal(checkCompatibility("BACKWARD_TRANSITIVE", [v1], withDefault).compatible, true);
    });

    it("a narrowed type breaks BACKWARD (long read as int); a widened one breaks FORWARD only", () => {
        const narrowed = value(base.map((c) => (c.name === "result_id" ? { ...c, type: "INT", unsigned: false } : c)));
        const verdict = checkCompatibility("BACKWARD", [v1], narrowed);
        assert.equal(verdict.compatible, false);
        assert.match(verdict.problems[0].rule, /field "result_id" changed type long -> int/);
        const small = value(base.map((c) => (c.name === "result_id" ? { ...c, type: "INT", unsigned: false } : c)));
        assert.equal(checkCompatibility("BACKWARD", [small], v1).compatible, true);
        assert.equal(checkCompatibility("FORWARD", [small], v1).compatible, false);
    });

    it("NULL -> NOT NULL breaks BACKWARD: old records may hold null", () => {
        const tightened = value(base.map((c) => (c.name === "instrument_id" ? { ...c, nullable: false } : c)));
        assert.equal(checkCompatibility("BACKWARD", [v1], tightened).compatible, false);
    });

    it("transitive modes check every earlier version, not only the last", () => {
        const v2 = value(base.filter((c) => c.name !== "instrument_id"));
        const v3 = value([...base.filter((c) => c.name !== "instrument_id"), col("instrument_id", "INT", { nullable: true })]);
        assert.equal(checkCompatibility("BACKWARD", [v1, v2], v3).compatible, true);
        const transitive = checkCompatibility("BACKWARD_TRANSITIVE", [v1, v2], v3);
        assert.equal(transitive.compatible, false);
        assert.equal(transitive.problems[0].againstVersion, 1);
        assert.equal(transitive.problems[0].field, "instrument_id");
    });

    it("a changed decimal scale is reported although Avro resolution ignores it; NONE accepts anything", () => {
        const rescaled = value(base.map((c) => (c.name === "result_value" ? { ...c, args: [18, 2] } : c)));
        const verdict = checkCompatibility("BACKWARD_TRANSITIVE", [v1], rescaled);
        assert.equal(verdict.compatible, false);
        assert.match(verdict.problems[0].rule, /decimal scale 6 -> 2/);
        assert.equal(checkCompatibility("NONE", [v1], rescaled).compatible, true);
    });
});
