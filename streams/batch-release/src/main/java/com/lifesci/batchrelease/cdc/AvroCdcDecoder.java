package com.lifesci.batchrelease.cdc;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Confluent wire format: magic byte 0, the writer schema's id as a 4-byte big-endian int, then
 * the Avro binary encoding of the value.
 * https://docs.confluent.io/platform/current/schema-registry/fundamentals/serdes-develop/index.html#wire-format
 *
 * <p>The value is read with its writer schema (from Schema Registry by id, cached), so a column
 * added by a migration decodes without a redeploy. Connect's AvroConverter marks logical types
 * with {@code connect.name} (and Avro's {@code logicalType}): DECIMAL columns under Debezium's
 * decimal.handling.mode=precise are bytes + scale; DATETIME under time.precision.mode=connect is a
 * long of epoch millis; Debezium's own temporal names are normalised here too.
 */
public class AvroCdcDecoder implements ValueDecoder {
    private static final byte MAGIC = 0;

    private final SchemaRegistryClient registry;
    private final Map<Integer, GenericDatumReader<GenericRecord>> readers = new ConcurrentHashMap<>();

    public AvroCdcDecoder(SchemaRegistryClient registry) {
        this.registry = registry;
    }

    @Override
    public CdcRecord decode(String topic, byte[] value) {
        if (value == null) return null;
        if (value.length < 5 || value[0] != MAGIC) {
            throw new PoisonRecordException(topic + ": not Confluent Avro wire format (" + value.length + " bytes, first byte "
                    + (value.length == 0 ? "none" : value[0]) + "; expected magic byte 0 and a 4-byte schema id)");
        }
        int schemaId = ByteBuffer.wrap(value, 1, 4).getInt();
        GenericDatumReader<GenericRecord> reader = readers.computeIfAbsent(schemaId, id -> new GenericDatumReader<>(registry.schemaById(id)));
        GenericRecord envelope;
        try {
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, null);
            envelope = reader.read(null, decoder);
            if (!decoder.isEnd()) throw new PoisonRecordException(topic + ": trailing bytes after the Avro value (schema id " + schemaId + ")");
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException e) {
            throw new PoisonRecordException(topic + ": Avro value does not match writer schema id " + schemaId + ": " + e, e);
        }
        if (envelope.getSchema().getField("op") == null || envelope.getSchema().getField("after") == null) {
            throw new PoisonRecordException(topic + ": schema id " + schemaId + " (" + envelope.getSchema().getFullName() + ") is not a Debezium envelope");
        }
        Object source = envelope.get("source");
        Object sourceTs = source instanceof GenericRecord s && s.getSchema().getField("ts_ms") != null ? s.get("ts_ms") : null;
        return Envelope.of(topic, text(envelope.get("op")), row(envelope.get("before")), row(envelope.get("after")), sourceTs);
    }

    private static Object text(Object o) {
        return o instanceof CharSequence || o instanceof GenericEnumSymbol<?> ? o.toString() : o;
    }

    private static Map<String, Object> row(Object image) {
        if (image == null) return null;
        GenericRecord record = (GenericRecord) image;
        Map<String, Object> row = new LinkedHashMap<>();
        for (Schema.Field field : record.getSchema().getFields()) {
            row.put(field.name(), value(nonNull(field.schema()), record.get(field.pos())));
        }
        return row;
    }

    private static Schema nonNull(Schema schema) {
        if (schema.getType() != Schema.Type.UNION) return schema;
        for (Schema branch : schema.getTypes()) if (branch.getType() != Schema.Type.NULL) return branch;
        return schema;
    }

    private static Object value(Schema schema, Object raw) {
        if (raw == null) return null;
        String connectName = schema.getProp("connect.name");
        String logical = schema.getProp("logicalType");
        if (raw instanceof ByteBuffer buffer) {
            if ("org.apache.kafka.connect.data.Decimal".equals(connectName) || "decimal".equals(logical)) {
                byte[] bytes = new byte[buffer.remaining()];
                buffer.duplicate().get(bytes);
                return new BigDecimal(new BigInteger(bytes), decimalScale(schema));
            }
            return raw;
        }
        if (raw instanceof Long l) return TemporalValues.toEpochMillis(connectName != null ? connectName : logical, l);
        if (raw instanceof Integer i) return TemporalValues.isTemporal(connectName) ? TemporalValues.toEpochMillis(connectName, i.longValue()) : i.longValue();
        return text(raw);
    }

    private static int decimalScale(Schema schema) {
        Object scale = schema.getObjectProp("scale");
        if (scale instanceof Number n) return n.intValue();
        Object params = schema.getObjectProp("connect.parameters");
        if (params instanceof Map<?, ?> p && p.get("scale") != null) return Integer.parseInt(p.get("scale").toString());
        throw new PoisonRecordException("decimal field without a scale in its schema: " + schema);
    }
}
