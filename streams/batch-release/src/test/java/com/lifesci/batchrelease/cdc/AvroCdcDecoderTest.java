package com.lifesci.batchrelease.cdc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Confluent wire format + Schema Registry lookups, against an in-process registry. */
class AvroCdcDecoderTest {
    static final String TOPIC = "lifesci.lims.test_results";
    FakeSchemaRegistry registry;
    SchemaRegistryClient client;
    AvroCdcDecoder decoder;
    Schema schema = ConfluentAvro.envelopeSchema("lifesci", "lims.test_results");

    @BeforeEach
    void start() throws Exception {
        registry = new FakeSchemaRegistry();
        registry.register(7, schema);
        client = new SchemaRegistryClient(registry.url(), null, null, Duration.ofMillis(1));
        decoder = new AvroCdcDecoder(client);
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    static Map<String, Object> result(String value, String status) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("result_id", 2L);
        r.put("sample_id", 1L);
        r.put("spec_id", 2L);
        r.put("test_code", "WATER_KF");
        r.put("result_value", new BigDecimal(value));
        r.put("unit", "%w/w");
        r.put("status", status);
        r.put("analyst", "a.keller");
        r.put("instrument_id", null);
        r.put("measured_at", Instant.parse("2026-11-22T12:03:55.918Z").toEpochMilli());
        r.put("updated_at", Instant.parse("2026-11-22T12:03:55.918Z").toEpochMilli());
        return r;
    }

    @Test
    void decodesAnUpdateWithDecimalsTimestampsAndEnumsAsTheConnectorWritesIt() {
        byte[] bytes = ConfluentAvro.encode(7, schema, "u", result("0.620000", "PENDING"), result("-0.000001", "VALID"));
        assertArrayEquals(new byte[] {0, 0, 0, 0, 7}, Arrays.copyOf(bytes, 5), "magic byte and big-endian schema id");
        CdcRecord c = decoder.decode(TOPIC, bytes);
        assertEquals("u", c.op());
        assertEquals(new BigDecimal("0.620000"), c.before().get("result_value"));
        assertEquals(new BigDecimal("-0.000001"), c.after().get("result_value"));
        assertEquals("VALID", c.after().get("status"));
        assertEquals(2L, c.after().get("result_id"));
        assertNull(c.after().get("instrument_id"));
        assertEquals(Instant.parse("2026-11-22T12:03:55.918Z").toEpochMilli(), c.after().get("measured_at"));
        assertEquals(1_764_000_000_000L, c.sourceTsMs());
    }

    @Test
    void fetchesEachWriterSchemaOnceAndServesItFromTheCache() {
        for (int i = 0; i < 5; i++) decoder.decode(TOPIC, ConfluentAvro.encode(7, schema, "c", null, result("0.1", "VALID")));
        assertEquals(List.of("GET /schemas/ids/7"), registry.requests);
        assertEquals(1, client.fetchCount());
    }

    @Test
    void readsEachRecordWithItsOwnWriterSchema() {
        // A migration added a column: the connector registered a new version under a new id.
        Schema evolved = new Schema.Parser().parse(schema.toString().replace("{\"name\":\"unit\"",
                "{\"name\":\"comment\",\"type\":[\"null\",\"string\"],\"default\":null},{\"name\":\"unit\""));
        registry.register(8, evolved);
        Map<String, Object> row = result("0.3", "VALID");
        row.put("comment", "retest");
        CdcRecord c = decoder.decode(TOPIC, ConfluentAvro.encode(8, evolved, "c", null, row));
        assertEquals("retest", c.after().get("comment"));
        assertEquals(new BigDecimal("0.300000"), c.after().get("result_value"));
        assertEquals(List.of("GET /schemas/ids/8"), registry.requests);
    }

    @Test
    void anUnknownSchemaIdIsAPoisonRecordNamingTheRegistryError() {
        PoisonRecordException e = assertThrows(PoisonRecordException.class,
                () -> decoder.decode(TOPIC, ConfluentAvro.encode(99, schema, "c", null, result("0.1", "VALID"))));
        assertTrue(e.getMessage().contains("HTTP 404") && e.getMessage().contains("40403 Schema 99 not found"), e.getMessage());
    }

    @Test
    void bytesThatAreNotConfluentWireFormatArePoisonWithoutAskingTheRegistry() {
        PoisonRecordException e = assertThrows(PoisonRecordException.class, () -> decoder.decode(TOPIC, "{\"op\":\"c\"}".getBytes()));
        assertTrue(e.getMessage().contains("magic byte 0"), e.getMessage());
        assertThrows(PoisonRecordException.class, () -> decoder.decode(TOPIC, new byte[] {0, 0, 0}));
        assertEquals(List.of(), registry.requests);
    }

    @Test
    void aTruncatedOrOverlongAvroBodyIsPoison() {
        byte[] ok = ConfluentAvro.encode(7, schema, "c", null, result("0.1", "VALID"));
        assertThrows(PoisonRecordException.class, () -> decoder.decode(TOPIC, Arrays.copyOf(ok, ok.length - 9)));
        PoisonRecordException e = assertThrows(PoisonRecordException.class, () -> decoder.decode(TOPIC, Arrays.copyOf(ok, ok.length + 3)));
        assertTrue(e.getMessage().contains("trailing bytes"), e.getMessage());
    }

    @Test
    void aTombstoneDecodesToNull() {
        assertNull(decoder.decode(TOPIC, null));
    }

    @Test
    void retriesAServerErrorAndThenSucceeds() {
        registry.failNext.set(2);
        CdcRecord c = decoder.decode(TOPIC, ConfluentAvro.encode(7, schema, "c", null, result("0.1", "VALID")));
        assertEquals("c", c.op());
        assertEquals(3, registry.requests.size());
    }

    @Test
    void aRegistryThatStaysDownStopsTheAppInsteadOfDeadLetteringRecords() {
        registry.failNext.set(100);
        SchemaRegistryClient.UnavailableException e = assertThrows(SchemaRegistryClient.UnavailableException.class,
                () -> decoder.decode(TOPIC, ConfluentAvro.encode(7, schema, "c", null, result("0.1", "VALID"))));
        assertTrue(e.getMessage().contains("HTTP 500"), e.getMessage());
        assertEquals(3, registry.requests.size());
    }

    @Test
    void anUnreachableRegistryIsUnavailableNotPoison() {
        SchemaRegistryClient nowhere = new SchemaRegistryClient("http://127.0.0.1:1", null, null, Duration.ofMillis(1));
        assertThrows(SchemaRegistryClient.UnavailableException.class, () -> nowhere.schemaById(7));
    }

    @Test
    void sendsTheApiKeyAsBasicAuthAndNamesTheVariablesWhenRefused() {
        registry.requiredAuthorization = "Basic " + java.util.Base64.getEncoder().encodeToString("SRKEY:s3cret".getBytes());
        SchemaRegistryClient good = new SchemaRegistryClient(registry.url(), "SRKEY", "s3cret", Duration.ofMillis(1));
        assertEquals(schema, good.schemaById(7));
        SchemaRegistryClient bad = new SchemaRegistryClient(registry.url(), "SRKEY", "wrong", Duration.ofMillis(1));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> bad.schemaById(7));
        assertTrue(e.getMessage().contains("HTTP 401") && e.getMessage().contains("SCHEMA_REGISTRY_USERNAME"), e.getMessage());
        assertTrue(!e.getMessage().contains("s3cret") && !e.getMessage().contains("wrong"), "no secret in the message");
    }

    @Test
    void aValueThatIsNotADebeziumEnvelopeIsPoison() {
        Schema plain = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"X\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"}]}");
        registry.register(9, plain);
        byte[] bytes = new byte[] {0, 0, 0, 0, 9, 2, 'x'};
        PoisonRecordException e = assertThrows(PoisonRecordException.class, () -> decoder.decode(TOPIC, bytes));
        assertTrue(e.getMessage().contains("not a Debezium envelope"), e.getMessage());
    }
}
