package com.lifesci.batchrelease.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.lifesci.batchrelease.model.Batch;
import com.lifesci.batchrelease.rules.Decision;
import com.lifesci.batchrelease.rules.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The JSON values the app writes. Flat on purpose: every field is a string, number or null, so
 * Connect's JsonConverter-based sinks (Snowflake, JDBC) land one column per field; the reasons
 * array travels as a JSON string in {@code reasons} (README "Output records").
 */
public final class StatusRecords {
    /**
     * The status value's fields and their Kafka Connect types, in order: the one definition of the
     * shape. With STATUS_JSON_SCHEMAS=true each value carries it as a JsonConverter schema, for
     * sinks that need one (the JDBC sinks of the local warehouse).
     */
    public static final Map<String, String> STATUS_FIELDS = fields(
            "batch_number", "string!", "batch_id", "int64", "material_id", "string", "plant", "string", "line_id", "string",
            "batch_status", "string", "status", "string!", "reason_codes", "string", "reason_summary", "string", "reasons", "string",
            "required_tests", "int32", "tests_in_spec", "int32", "started_at", "string", "completed_at", "string",
            "decided_at", "string!", "source_ts", "string");

    private static final Map<String, Object> CONNECT_SCHEMA = connectSchema(false);
    /** The same struct, optional: the only way JsonConverter reads a null payload (a delete) with a schema. */
    private static final Map<String, Object> CONNECT_DELETE_SCHEMA = connectSchema(true);

    private StatusRecords() {}

    private static Map<String, String> fields(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return java.util.Collections.unmodifiableMap(m);
    }

    /** Kafka Connect's JSON schema of a struct (JsonConverter, schemas.enable=true). */
    private static Map<String, Object> connectSchema(boolean optional) {
        List<Map<String, Object>> fields = new ArrayList<>();
        STATUS_FIELDS.forEach((name, type) -> {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("type", type.replace("!", ""));
            f.put("optional", !type.endsWith("!"));
            f.put("field", name);
            fields.add(f);
        });
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("type", "struct");
        schema.put("fields", fields);
        schema.put("optional", optional);
        schema.put("name", "lifesci.batch_release_status");
        return schema;
    }

    /** What a status record says, without when it was computed: equal content = no new record. */
    public static Map<String, Object> content(Batch b, Decision d) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("batch_number", b.batchNumber());
        v.put("batch_id", b.batchId());
        v.put("material_id", b.materialId());
        v.put("plant", b.plant());
        v.put("line_id", b.lineId());
        v.put("batch_status", b.status());
        v.put("status", d.status().name());
        v.put("reason_codes", d.reasons().stream().map(r -> r.code().name()).distinct().collect(Collectors.joining(",")));
        v.put("reason_summary", d.reasons().stream().map(Reason::text).collect(Collectors.joining("; ")));
        v.put("reasons", reasonsJson(d.reasons()));
        v.put("required_tests", d.requiredTests());
        v.put("tests_in_spec", d.testsInSpec());
        v.put("started_at", iso(b.startedAt()));
        v.put("completed_at", iso(b.completedAt()));
        return v;
    }

    /** The status value: flat JSON, or Connect's {schema, payload} envelope when {@code withSchema}. */
    public static String status(Map<String, Object> content, long decidedAtMs, long sourceTsMs, boolean withSchema) {
        Map<String, Object> v = new LinkedHashMap<>(content);
        v.put("decided_at", iso(decidedAtMs));
        v.put("source_ts", iso(sourceTsMs));
        if (!v.keySet().equals(STATUS_FIELDS.keySet())) throw new IllegalStateException("status fields " + v.keySet() + " != " + STATUS_FIELDS.keySet());
        if (!withSchema) return json(v);
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("schema", CONNECT_SCHEMA);
        envelope.put("payload", v);
        return json(envelope);
    }

    /**
     * With STATUS_JSON_SCHEMAS=true, what precedes the tombstone of a deleted batch: the envelope
     * with a null payload, which JsonConverter reads as a null value <em>with</em> the status schema.
     * The Debezium JDBC sink deletes the row for such a record but skips a bare tombstone, whose
     * value has no schema (SinkRecordDescriptor.isTombstone: value and value schema both null, 2.7);
     * the tombstone still follows, for compaction and for every other consumer.
     */
    public static String deletion() {
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("schema", CONNECT_DELETE_SCHEMA);
        envelope.put("payload", null);
        return json(envelope);
    }

    public static String overdue(Map<String, Object> content, Duration overdueAfter, long detectedAtMs) {
        Map<String, Object> v = new LinkedHashMap<>();
        for (String k : List.of("batch_number", "batch_id", "material_id", "plant", "line_id", "batch_status", "status", "reason_codes",
                "reason_summary", "reasons", "completed_at")) {
            v.put(k, content.get(k));
        }
        v.put("overdue_after", overdueAfter.toString());
        v.put("detected_at", iso(detectedAtMs));
        return json(v);
    }

    static String json(Object value) {
        try {
            return JsonSerde.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String reasonsJson(List<Reason> reasons) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Reason r : reasons) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("code", r.code().name());
            m.putAll(r.details());
            if (m.get("occurred_at") instanceof Long l) m.put("occurred_at", iso(l));
            m.put("text", r.text());
            list.add(m);
        }
        return json(list);
    }

    static String iso(Long epochMs) {
        return epochMs == null ? null : Instant.ofEpochMilli(epochMs).toString();
    }
}
