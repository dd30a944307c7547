package com.lifesci.batchrelease.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Row images with the columns of sql/mysql/mes and sql/mysql/lims, and Debezium envelopes as
 * Kafka Connect's JsonConverter writes them without the schemas envelope (decimal.format=NUMERIC,
 * DATETIME as epoch millis under time.precision.mode=connect).
 */
final class Rows {
    private Rows() {}

    static long ms(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    static Map<String, Object> batch(long id, String number, String material, String status, String startedAt, String completedAt) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("batch_id", id);
        r.put("batch_number", number);
        r.put("plant", "DE01");
        r.put("line_id", "TAB-L2");
        r.put("material_id", material);
        r.put("planned_qty", new BigDecimal("300000.000"));
        r.put("actual_qty", null);
        r.put("unit", "EA");
        r.put("status", status);
        r.put("started_at", startedAt == null ? null : ms(startedAt));
        r.put("completed_at", completedAt == null ? null : ms(completedAt));
        r.put("updated_at", ms("2026-11-21T00:00:00Z"));
        return r;
    }

    static Map<String, Object> spec(long id, String material, String testCode, String lower, String upper, int version) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("spec_id", id);
        r.put("material_id", material);
        r.put("test_code", testCode);
        r.put("lower_limit", lower == null ? null : new BigDecimal(lower));
        r.put("upper_limit", upper == null ? null : new BigDecimal(upper));
        r.put("unit", "%");
        r.put("spec_version", version);
        r.put("effective_from", ms("2026-01-01T00:00:00Z"));
        r.put("updated_at", ms("2026-01-01T00:00:00Z"));
        return r;
    }

    static Map<String, Object> sample(long id, String batchNumber, String material) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("sample_id", id);
        r.put("sample_code", "S-" + id);
        r.put("plant", "DE01");
        r.put("material_id", material);
        r.put("batch_number", batchNumber);
        r.put("sample_type", "RELEASE");
        r.put("status", "IN_TESTING");
        r.put("collected_at", ms("2026-11-21T22:00:00Z"));
        r.put("updated_at", ms("2026-11-21T22:00:00Z"));
        return r;
    }

    static Map<String, Object> result(long id, long sampleId, long specId, String testCode, String value, String status, String measuredAt) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("result_id", id);
        r.put("sample_id", sampleId);
        r.put("spec_id", specId);
        r.put("test_code", testCode);
        r.put("result_value", new BigDecimal(value));
        r.put("unit", "%");
        r.put("status", status);
        r.put("analyst", "a.keller");
        r.put("instrument_id", "HPLC-07");
        r.put("measured_at", ms(measuredAt));
        r.put("updated_at", ms(measuredAt));
        return r;
    }

    static Map<String, Object> event(long id, String batchNumber, String severity, String occurredAt) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("event_id", id);
        r.put("machine_id", "CT-0301");
        r.put("line_id", "TAB-L2");
        r.put("batch_number", batchNumber);
        r.put("event_type", severity.equals("INFO") ? "STATE_CHANGE" : "ALARM");
        r.put("severity", severity);
        r.put("parameter_name", null);
        r.put("parameter_value", null);
        r.put("unit", null);
        r.put("message", "Coater inlet air temperature high");
        r.put("occurred_at", ms(occurredAt));
        return r;
    }

    static Map<String, Object> with(Map<String, Object> row, String column, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(row);
        copy.put(column, value);
        return copy;
    }

    /** A Debezium change event value as JSON (no schemas envelope). */
    static String envelope(String op, Map<String, Object> before, Map<String, Object> after) {
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("connector", "mysql");
        source.put("ts_ms", 1_764_000_000_000L);
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("before", before);
        v.put("after", after);
        v.put("source", source);
        v.put("op", op);
        v.put("ts_ms", 1_764_000_000_100L);
        try {
            return JsonSerde.MAPPER.writeValueAsString(v);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
