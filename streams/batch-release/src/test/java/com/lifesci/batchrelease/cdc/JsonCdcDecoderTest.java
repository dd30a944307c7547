package com.lifesci.batchrelease.cdc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Kafka Connect JsonConverter output, as the e2e harness's Debezium writes it. */
class JsonCdcDecoderTest {
    final JsonCdcDecoder decoder = new JsonCdcDecoder();

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void withTheSchemasEnvelopeBase64DecimalsTakeTheScaleFromTheSchema() {
        String unscaled = Base64.getEncoder().encodeToString(BigInteger.valueOf(99_870_000L).toByteArray());
        String json = "{\"schema\":{\"type\":\"struct\",\"fields\":["
                + "{\"type\":\"struct\",\"optional\":true,\"field\":\"before\",\"fields\":[]},"
                + "{\"type\":\"struct\",\"optional\":true,\"field\":\"after\",\"fields\":["
                + "{\"type\":\"int64\",\"optional\":false,\"field\":\"result_id\"},"
                + "{\"type\":\"bytes\",\"optional\":false,\"name\":\"org.apache.kafka.connect.data.Decimal\",\"version\":1,"
                + "\"parameters\":{\"scale\":\"6\",\"connect.decimal.precision\":\"18\"},\"field\":\"result_value\"},"
                + "{\"type\":\"int64\",\"optional\":false,\"name\":\"org.apache.kafka.connect.data.Timestamp\",\"version\":1,\"field\":\"measured_at\"},"
                + "{\"type\":\"int64\",\"optional\":true,\"name\":\"io.debezium.time.MicroTimestamp\",\"version\":1,\"field\":\"updated_at\"}]},"
                + "{\"type\":\"string\",\"optional\":false,\"field\":\"op\"}]},"
                + "\"payload\":{\"before\":null,\"after\":{\"result_id\":1,\"result_value\":\"" + unscaled + "\",\"measured_at\":1763811733004,"
                + "\"updated_at\":1763811733004123},\"source\":{\"ts_ms\":1763811733100},\"op\":\"c\"}}";
        CdcRecord c = decoder.decode("t", utf8(json));
        assertEquals("c", c.op());
        assertEquals(new BigDecimal("99.870000"), c.after().get("result_value"));
        assertEquals(1763811733004L, c.after().get("measured_at"));
        assertEquals(1763811733004L, c.after().get("updated_at"), "MicroTimestamp normalised to millis");
        assertEquals(1763811733100L, c.sourceTsMs());
        assertNull(c.before());
    }

    @Test
    void withoutTheSchemasEnvelopeNumericDecimalsAreExact() {
        CdcRecord c = decoder.decode("t", utf8("{\"before\":{\"result_value\":0.62},\"after\":{\"result_value\":0.120000000000000001},\"op\":\"u\"}"));
        assertEquals(new BigDecimal("0.62"), c.before().get("result_value"));
        assertEquals(new BigDecimal("0.120000000000000001"), c.after().get("result_value"), "no trip through double");
    }

    @Test
    void tombstonesAndNullPayloadsDecodeToNull() {
        assertNull(decoder.decode("t", null));
        assertNull(decoder.decode("t", utf8("{\"schema\":null,\"payload\":null}")));
    }

    @Test
    void badValuesArePoisonWithTheirReason() {
        assertTrue(assertThrows(PoisonRecordException.class, () -> decoder.decode("t", utf8("[1]"))).getMessage().contains("not a Debezium envelope"));
        assertTrue(assertThrows(PoisonRecordException.class, () -> decoder.decode("t", utf8("{\"after\":{}}"))).getMessage().contains("no op"));
        assertTrue(assertThrows(PoisonRecordException.class, () -> decoder.decode("t", utf8("{\"op\":\"x\",\"after\":{}}"))).getMessage().contains("op x"));
        assertTrue(assertThrows(PoisonRecordException.class, () -> decoder.decode("t", utf8("{\"op\":\"d\",\"after\":null,\"before\":null}")))
                .getMessage().contains("without its before image"));
    }
}
