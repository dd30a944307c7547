// Schema Registry compatibility, decided the way the registry decides it for Avro: by Avro
// schema resolution (reader schema reads data written with the writer schema), here with avsc.
// Modes and which versions they check:
//   https://docs.confluent.io/platform/current/schema-registry/fundamentals/schema-evolution.html#compatibility-types
//   BACKWARD: the new schema reads data written with the last one;  FORWARD: the last schema
//   reads data written with the new one;  FULL: both;  *_TRANSITIVE: against every earlier
//   version, not only the last;  NONE: no check.
// Resolution rules (field defaults, promotions int->long->float->double, string<->bytes):
//   https://avro.apache.org/docs/1.11.1/specification/#schema-resolution
// avsc says only that something cannot be read; fieldChanges() says which field and which rule.
import type { CompatibilityLevel } from "../config";
import type { AvroSchema } from "./cdcAvro";

/** A subject's compatibility level (the config's enum: components/config/schema.ts). */
export type CompatibilityMode = CompatibilityLevel;

export interface CompatibilityProblem {
    /** Dotted field path inside the record, e.g. `after.Value.qualifier` -> reported as `qualifier`. */
    field: string;
    /** Which Avro rule breaks, in words. */
    rule: string;
    /** Which direction fails: new reading old (backward) or old reading new (forward). */
    direction: "backward" | "forward";
    /** Against which earlier version (1 = first). */
    againstVersion: number;
    advice: string;
}

export interface CompatibilityVerdict {
    mode: CompatibilityMode;
    compatible: boolean;
    problems: CompatibilityProblem[];
}

/** True when a reader with schema `reader` can read data written with `writer` (avsc resolution). */
export function canRead(reader: AvroSchema, writer: AvroSchema): { ok: true } | { ok: false; reason: string } {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const avro = require("avsc") as typeof import("avsc");
    const readerType = avro.Type.forSchema(reader as import("avsc").Schema);
    const writerType = avro.Type.forSchema(writer as import("avsc").Schema);
    try {
        readerType.createResolver(writerType);
        return { ok: true };
    } catch (err) {
        return { ok: false, reason: (err as Error).message };
    }
}

type Field = { name: string; type: AvroSchema; default?: unknown };

/** The columns' record inside an envelope (before: ["null", Value]) or the record itself (keys). */
export function columnRecordFields(schema: AvroSchema): Field[] {
    const record = schema as { name?: string; fields?: Field[] };
    const before = record.fields?.find((f) => f.name === "before");
    if (record.name === "Envelope" && before && Array.isArray(before.type)) {
        const value = before.type.find((t) => typeof t === "object" && !Array.isArray(t)) as { fields: Field[] };
        return value.fields;
    }
    return record.fields ?? [];
}

const describe = (t: AvroSchema): string => {
    if (typeof t === "string") return t;
    if (Array.isArray(t)) return t.map(describe).join("|");
    const o = t as { type: string; logicalType?: string; precision?: number; scale?: number; "connect.name"?: string };
    if (o.logicalType === "decimal") return `decimal(${o.precision},${o.scale})`;
    return o["connect.name"] ? `${o.type} (${o["connect.name"]})` : String(o.type);
};

const scaleOf = (t: AvroSchema): number | undefined => {
    const branch = Array.isArray(t) ? t.find((b) => typeof b === "object") : t;
    return typeof branch === "object" && branch && !Array.isArray(branch) && (branch as { logicalType?: string }).logicalType === "decimal"
        ? Number((branch as { scale: number }).scale)
        : undefined;
};

/**
 * Field-level reasons why `reader` cannot read `writer` (one direction), with advice. Avro
 * resolution ignores a decimal's scale, but reading bytes written with another scale yields
 * wrong numbers, so a scale change is reported too.
 */
export function fieldChanges(reader: AvroSchema, writer: AvroSchema, direction: "backward" | "forward", againstVersion: number): CompatibilityProblem[] {
    const problems: CompatibilityProblem[] = [];
    const readerFields = columnRecordFields(reader);
    const writerFields = columnRecordFields(writer);
    for (const field of readerFields) {
        const written = writerFields.find((f) => f.name === field.name);
        if (!written) {
            if (field.default === undefined) {
                problems.push({
                    field: field.name,
                    direction,
                    againstVersion,
                    rule:
                        direction === "backward"
                            ? `field "${field.name}" is new and has no default, so records written before it cannot be read`
                            : `field "${field.name}" was removed and has no default in the older schema, so its readers cannot read new records`,
                    advice:
                        direction === "backward"
                            ? `add the column as NULL (it becomes optional, default null) or give it a DEFAULT; backfill, then tighten in a later migration only if the subject's mode allows it`
                            : `keep the column (stop writing it instead), or make it NULL first so older readers have a default`,
                });
            }
            continue;
        }
        const verdict = canRead(field.type, written.type);
        if (!verdict.ok) {
            problems.push({
                field: field.name,
                direction,
                againstVersion,
                rule: `field "${field.name}" changed type ${describe(written.type)} -> ${describe(field.type)}: Avro cannot read ${direction === "backward" ? "old" : "new"} values (${verdict.reason})`,
                advice: `add a new column with the new type, copy the values in a migration, and retire the old column later`,
            });
        } else if (scaleOf(field.type) !== scaleOf(written.type)) {
            problems.push({
                field: field.name,
                direction,
                againstVersion,
                rule: `field "${field.name}" changed decimal scale ${scaleOf(written.type)} -> ${scaleOf(field.type)}: the bytes decode to different numbers`,
                advice: `keep the scale; add a new DECIMAL column with the new scale instead`,
            });
        }
    }
    return problems;
}

/**
 * Would the registry accept `candidate` after `history` (oldest first) under `mode`? Decided by
 * avsc resolution; problems explain each failing field.
 */
export function checkCompatibility(mode: CompatibilityMode, history: readonly AvroSchema[], candidate: AvroSchema): CompatibilityVerdict {
    if (mode === "NONE" || history.length === 0) return { mode, compatible: true, problems: [] };
    const transitive = mode.endsWith("_TRANSITIVE");
    const against = transitive ? history.map((schema, i) => ({ schema, version: i + 1 })) : [{ schema: history[history.length - 1], version: history.length }];
    const backward = mode.startsWith("BACKWARD") || mode.startsWith("FULL");
    const forward = mode.startsWith("FORWARD") || mode.startsWith("FULL");
    const problems: CompatibilityProblem[] = [];
    let compatible = true;
    for (const { schema, version } of against) {
        if (backward && !canRead(candidate, schema).ok) {
            compatible = false;
            problems.push(...fieldChanges(candidate, schema, "backward", version));
        }
        if (forward && !canRead(schema, candidate).ok) {
            compatible = false;
            problems.push(...fieldChanges(schema, candidate, "forward", version));
        }
        // Semantic break Avro does not see: a decimal whose scale changed.
        for (const p of backward ? fieldChanges(candidate, schema, "backward", version) : []) {
            if (p.rule.includes("decimal scale")) {
                compatible = false;
                problems.push(p);
            }
        }
    }
    // One line per field and rule, even when several versions fail the same way.
    const seen: string[] = [];
    const unique = problems.filter((p) => {
        const key = `${p.direction}:${p.field}:${p.rule}`;
        if (seen.includes(key)) return false;
        seen.push(key);
        return true;
    });
    return { mode, compatible, problems: unique };
}
