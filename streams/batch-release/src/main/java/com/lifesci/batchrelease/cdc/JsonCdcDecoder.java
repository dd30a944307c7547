package com.lifesci.batchrelease.cdc;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Kafka Connect JsonConverter output, with the schemas envelope ({@code {"schema", "payload"}},
 * schemas.enable=true) or without it. Decimals (decimal.handling.mode=precise) are base64 of the
 * unscaled bytes under JsonConverter's default decimal.format=BASE64, with the scale in the
 * schema's parameters, or plain numbers under decimal.format=NUMERIC. Without the schemas envelope
 * a base64 decimal has no scale, so it cannot be read: that record is rejected with that reason.
 * https://kafka.apache.org/documentation/#connectconfigs (JsonConverter: schemas.enable, decimal.format)
 */
public class JsonCdcDecoder implements ValueDecoder {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final String DECIMAL = "org.apache.kafka.connect.data.Decimal";

    @Override
    public CdcRecord decode(String topic, byte[] value) {
        if (value == null) return null;
        JsonNode root;
        try {
            root = JSON.readTree(value);
        } catch (IOException e) {
            throw new PoisonRecordException(topic + ": value is not JSON: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        if (root == null || root.isNull()) return null;
        if (!root.isObject()) throw new PoisonRecordException(topic + ": JSON value is a " + root.getNodeType() + ", not a Debezium envelope object");
        JsonNode payload = root;
        Map<String, JsonNode> fieldSchemas = Map.of();
        if (root.has("schema") && root.has("payload")) {
            payload = root.get("payload");
            if (payload.isNull()) return null;
            fieldSchemas = rowFieldSchemas(root.get("schema"));
        }
        if (!payload.has("op")) throw new PoisonRecordException(topic + ": JSON value has no op field; not a Debezium envelope");
        JsonNode source = payload.path("source");
        Object ts = source.path("ts_ms").isNumber() ? source.get("ts_ms").asLong() : null;
        return Envelope.of(topic, payload.get("op").isTextual() ? payload.get("op").asText() : payload.get("op").toString(),
                row(topic, payload.get("before"), fieldSchemas), row(topic, payload.get("after"), fieldSchemas), ts);
    }

    /** Field name -> its Connect schema, from the before/after struct of the envelope's schema. */
    private static Map<String, JsonNode> rowFieldSchemas(JsonNode envelopeSchema) {
        Map<String, JsonNode> fields = new HashMap<>();
        for (JsonNode f : envelopeSchema.path("fields")) {
            String name = f.path("field").asText();
            if (name.equals("after") || name.equals("before")) {
                for (JsonNode column : f.path("fields")) fields.put(column.path("field").asText(), column);
            }
        }
        return fields;
    }

    private static Map<String, Object> row(String topic, JsonNode image, Map<String, JsonNode> schemas) {
        if (image == null || image.isNull()) return null;
        if (!image.isObject()) throw new PoisonRecordException(topic + ": row image is a " + image.getNodeType() + ", not an object");
        Map<String, Object> row = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = image.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            row.put(e.getKey(), value(topic, e.getKey(), e.getValue(), schemas.get(e.getKey())));
        }
        return row;
    }

    private static Object value(String topic, String column, JsonNode v, JsonNode schema) {
        if (v == null || v.isNull()) return null;
        String name = schema == null ? null : schema.path("name").asText(null);
        if (DECIMAL.equals(name) && v.isTextual()) {
            String scale = schema.path("parameters").path("scale").asText(null);
            if (scale == null) throw new PoisonRecordException(topic + ": decimal column " + column + " has no scale in its schema");
            try {
                return new BigDecimal(new BigInteger(Base64.getDecoder().decode(v.asText())), Integer.parseInt(scale));
            } catch (IllegalArgumentException e) {
                throw new PoisonRecordException(topic + ": decimal column " + column + " is not base64: " + v.asText(), e);
            }
        }
        if (v.isIntegralNumber()) {
            long l = v.asLong();
            return name != null ? TemporalValues.toEpochMillis(name, l) : l;
        }
        if (v.isNumber()) return v.decimalValue();
        if (v.isTextual()) return v.asText();
        if (v.isBoolean()) return v.asBoolean();
        return v.toString();
    }
}
