package com.lifesci.batchrelease.cdc;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Debezium envelopes as the CDC connectors write them to Kafka with Confluent's AvroConverter:
 * the Avro schema AvroData derives from the Connect schema (connect.name, connect.parameters,
 * logicalType decimal with scale/precision for decimal.handling.mode=precise, timestamp-millis for
 * time.precision.mode=connect), and the bytes laid out as KafkaAvroSerializer writes them: magic
 * byte 0, the schema id as a 4-byte big-endian int, then the Avro binary encoding.
 */
public final class ConfluentAvro {
    private ConfluentAvro() {}

    /** Column types of the captured tables (sql/mysql/*): long, int, string, decimal:scale:precision, timestamp. */
    public static final Map<String, Map<String, String>> TABLES = Map.of(
            "mes.batches", columns("batch_id", "long", "batch_number", "string", "plant", "string", "line_id", "string", "material_id", "string",
                    "planned_qty", "decimal:3:13", "actual_qty", "decimal:3:13", "unit", "string", "status", "enum", "started_at", "timestamp",
                    "completed_at", "timestamp", "updated_at", "timestamp"),
            "mes.machine_events", columns("event_id", "long", "machine_id", "string", "line_id", "string", "batch_number", "string",
                    "event_type", "enum", "severity", "enum", "parameter_name", "string", "parameter_value", "decimal:6:18", "unit", "string",
                    "message", "string", "occurred_at", "timestamp"),
            "lims.samples", columns("sample_id", "long", "sample_code", "string", "plant", "string", "material_id", "string", "batch_number",
                    "string", "sample_type", "enum", "status", "enum", "collected_at", "timestamp", "updated_at", "timestamp"),
            "lims.spec_limits", columns("spec_id", "long", "material_id", "string", "test_code", "string", "lower_limit", "decimal:6:18",
                    "upper_limit", "decimal:6:18", "unit", "string", "spec_version", "int", "effective_from", "timestamp", "updated_at", "timestamp"),
            "lims.test_results", columns("result_id", "long", "sample_id", "long", "spec_id", "long", "test_code", "string", "result_value",
                    "decimal:6:18", "unit", "string", "status", "enum", "analyst", "string", "instrument_id", "string", "measured_at", "timestamp",
                    "updated_at", "timestamp"));

    private static Map<String, String> columns(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    /** The value schema of `<prefix>.<db>.<table>` as the connector registers it. */
    public static Schema envelopeSchema(String prefix, String table) {
        String ns = prefix + "." + table;
        StringBuilder fields = new StringBuilder();
        for (Map.Entry<String, String> c : TABLES.get(table).entrySet()) {
            if (fields.length() > 0) fields.append(',');
            fields.append("{\"name\":\"").append(c.getKey()).append("\",\"type\":[\"null\",").append(columnType(c.getValue()))
                    .append("],\"default\":null}");
        }
        String value = "{\"type\":\"record\",\"name\":\"Value\",\"namespace\":\"" + ns + "\",\"fields\":[" + fields
                + "],\"connect.name\":\"" + ns + ".Value\"}";
        String source = "{\"type\":\"record\",\"name\":\"Source\",\"namespace\":\"io.debezium.connector.mysql\",\"fields\":["
                + "{\"name\":\"version\",\"type\":\"string\"},{\"name\":\"connector\",\"type\":\"string\"},{\"name\":\"name\",\"type\":\"string\"},"
                + "{\"name\":\"ts_ms\",\"type\":\"long\"},{\"name\":\"db\",\"type\":\"string\"},{\"name\":\"table\",\"type\":[\"null\",\"string\"],\"default\":null},"
                + "{\"name\":\"file\",\"type\":\"string\"},{\"name\":\"pos\",\"type\":\"long\"}],\"connect.name\":\"io.debezium.connector.mysql.Source\"}";
        String envelope = "{\"type\":\"record\",\"name\":\"Envelope\",\"namespace\":\"" + ns + "\",\"fields\":["
                + "{\"name\":\"before\",\"type\":[\"null\"," + value + "],\"default\":null},"
                + "{\"name\":\"after\",\"type\":[\"null\",\"Value\"],\"default\":null},"
                + "{\"name\":\"source\",\"type\":" + source + "},"
                + "{\"name\":\"op\",\"type\":\"string\"},"
                + "{\"name\":\"ts_ms\",\"type\":[\"null\",\"long\"],\"default\":null}],"
                + "\"connect.version\":1,\"connect.name\":\"" + ns + ".Envelope\"}";
        return new Schema.Parser().parse(envelope);
    }

    private static String columnType(String type) {
        if (type.startsWith("decimal:")) {
            String[] p = type.split(":");
            return "{\"type\":\"bytes\",\"scale\":" + p[1] + ",\"precision\":" + p[2] + ",\"connect.version\":1,"
                    + "\"connect.parameters\":{\"scale\":\"" + p[1] + "\",\"connect.decimal.precision\":\"" + p[2] + "\"},"
                    + "\"connect.name\":\"org.apache.kafka.connect.data.Decimal\",\"logicalType\":\"decimal\"}";
        }
        return switch (type) {
            case "timestamp" -> "{\"type\":\"long\",\"connect.version\":1,\"connect.name\":\"org.apache.kafka.connect.data.Timestamp\","
                    + "\"logicalType\":\"timestamp-millis\"}";
            case "enum" -> "{\"type\":\"string\",\"connect.version\":1,\"connect.name\":\"io.debezium.data.Enum\"}";
            default -> "\"" + type + "\"";
        };
    }

    /** Bytes exactly as KafkaAvroSerializer writes them. */
    public static byte[] encode(int schemaId, Schema schema, String op, Map<String, Object> before, Map<String, Object> after) {
        GenericRecord envelope = new GenericData.Record(schema);
        Schema valueSchema = schema.getField("after").schema().getTypes().get(1);
        envelope.put("before", record(valueSchema, before));
        envelope.put("after", record(valueSchema, after));
        Schema sourceSchema = schema.getField("source").schema();
        GenericRecord source = new GenericData.Record(sourceSchema);
        source.put("version", "2.7.4.Final");
        source.put("connector", "mysql");
        source.put("name", "lifesci");
        source.put("ts_ms", 1_764_000_000_000L);
        source.put("db", "lims");
        source.put("file", "binlog.000003");
        source.put("pos", 4711L);
        envelope.put("source", source);
        envelope.put("op", op);
        envelope.put("ts_ms", 1_764_000_000_100L);
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(0);
            out.write(ByteBuffer.allocate(4).putInt(schemaId).array());
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(schema).write(envelope, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static GenericRecord record(Schema valueSchema, Map<String, Object> row) {
        if (row == null) return null;
        GenericRecord r = new GenericData.Record(valueSchema);
        for (Schema.Field f : valueSchema.getFields()) {
            Object v = row.get(f.name());
            Schema type = f.schema().getTypes().get(1);
            if (v instanceof BigDecimal d) {
                // Connect's Decimal.fromLogical: the unscaled value's two's-complement bytes at the schema's scale.
                v = ByteBuffer.wrap(d.setScale(type.getObjectProp("scale") instanceof Number n ? n.intValue() : 0).unscaledValue().toByteArray());
            } else if (v instanceof Long l && type.getType() == Schema.Type.INT) {
                v = l.intValue();
            } else if (v instanceof Integer i && type.getType() == Schema.Type.LONG) {
                v = i.longValue();
            }
            r.put(f.name(), v);
        }
        return r;
    }

    public static List<String> tables() {
        return List.copyOf(TABLES.keySet());
    }
}
