package com.lifesci.batchrelease.topology;

import static com.lifesci.batchrelease.topology.Rows.batch;
import static com.lifesci.batchrelease.topology.Rows.envelope;
import static com.lifesci.batchrelease.topology.Rows.event;
import static com.lifesci.batchrelease.topology.Rows.result;
import static com.lifesci.batchrelease.topology.Rows.sample;
import static com.lifesci.batchrelease.topology.Rows.spec;
import static com.lifesci.batchrelease.topology.Rows.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.lifesci.batchrelease.cdc.JsonCdcDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every release rule, through the whole topology (decode, repartition, routers, punctuator). */
class BatchReleaseTopologyTest {
    static final BatchReleaseTopology.Topics TOPICS = new BatchReleaseTopology.Topics(
            "lifesci.mes.batches", "lifesci.mes.machine_events", "lifesci.lims.samples", "lifesci.lims.test_results",
            "lifesci.lims.spec_limits", "lifesci.streams.batch_release_status", "lifesci.streams.batch_release_overdue",
            "lifesci.dlq.streams.batch_release");
    static final String MAT = "MAT-FG-0100";
    static final String STARTED = "2026-11-21T06:00:00Z";
    static final String COMPLETED = "2026-11-21T21:45:12Z";
    /** Wall clock at the start of every test: 2 h after the batch completed. */
    static final Instant NOW = Instant.parse("2026-11-21T23:45:12Z");
    static final BatchReleaseTopology.Settings SETTINGS = new BatchReleaseTopology.Settings(Duration.ofHours(24), Duration.ofMinutes(1), false);

    @TempDir
    Path stateDir;
    TopologyTestDriver driver;
    TestInputTopic<String, String> batches, specs, samples, results, events;
    TestOutputTopic<String, String> status, overdue;
    TestOutputTopic<byte[], byte[]> deadLetter;
    final List<TestRecord<String, String>> statusLog = new ArrayList<>();

    @BeforeEach
    void start() {
        start(SETTINGS);
    }

    void start(BatchReleaseTopology.Settings settings) {
        driver = jsonDriver(stateDir, settings, Stores::inMemoryKeyValueStore);
        StringSerializer s = new StringSerializer();
        batches = driver.createInputTopic(TOPICS.batches(), s, s);
        specs = driver.createInputTopic(TOPICS.specLimits(), s, s);
        samples = driver.createInputTopic(TOPICS.samples(), s, s);
        results = driver.createInputTopic(TOPICS.testResults(), s, s);
        events = driver.createInputTopic(TOPICS.machineEvents(), s, s);
        StringDeserializer d = new StringDeserializer();
        status = driver.createOutputTopic(TOPICS.status(), d, d);
        overdue = driver.createOutputTopic(TOPICS.overdue(), d, d);
        deadLetter = driver.createOutputTopic(TOPICS.deadLetter(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    /** A test driver of the topology on JSON CDC values, exactly-once as the app runs it, its state under {@code stateDir}. */
    static TopologyTestDriver jsonDriver(
            Path stateDir, BatchReleaseTopology.Settings settings, Function<String, KeyValueBytesStoreSupplier> storeType) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "test.streams.batch-release");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        return new TopologyTestDriver(BatchReleaseTopology.build(TOPICS, new JsonCdcDecoder(), settings, storeType), props, NOW);
    }

    // ---- CDC helpers: op c/u/d as Debezium writes them (a delete is followed by a tombstone) ----

    static void create(TestInputTopic<String, String> topic, Map<String, Object> row) {
        topic.pipeInput("k", envelope("c", null, row));
    }

    static void update(TestInputTopic<String, String> topic, Map<String, Object> before, Map<String, Object> after) {
        topic.pipeInput("k", envelope("u", before, after));
    }

    static void delete(TestInputTopic<String, String> topic, Map<String, Object> before) {
        topic.pipeInput("k", envelope("d", before, null));
        topic.pipeInput("k", (String) null);
    }

    List<TestRecord<String, String>> drainStatus() {
        List<TestRecord<String, String>> fresh = status.readRecordsToList();
        statusLog.addAll(fresh);
        return fresh;
    }

    Map<String, Object> latest(String batchNumber) {
        drainStatus();
        for (int i = statusLog.size() - 1; i >= 0; i--) {
            if (statusLog.get(i).key().equals(batchNumber)) return parse(statusLog.get(i).value());
        }
        throw new AssertionError("no status record for " + batchNumber);
    }

    static Map<String, Object> parse(String json) {
        try {
            return json == null ? null : JsonSerde.MAPPER.readValue(json, new TypeReference<Map<String, Object>>() {});
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static List<Map<String, Object>> reasons(Map<String, Object> status) {
        try {
            return JsonSerde.MAPPER.readValue((String) status.get("reasons"), new TypeReference<List<Map<String, Object>>>() {});
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static Map<String, Object> spec1 = spec(1, MAT, "ASSAY", "98.5", "101.5", 1);
    static Map<String, Object> spec2 = spec(2, MAT, "DISSOLUTION_30M", "80", null, 1);
    static Map<String, Object> batchB1 = batch(1, "B1", MAT, "COMPLETED", STARTED, COMPLETED);
    static Map<String, Object> sampleS10 = sample(10, "B1", MAT);
    static Map<String, Object> assay = result(100, 10, 1, "ASSAY", "99.87", "VALID", "2026-11-21T23:00:00Z");
    static Map<String, Object> dissolution = result(101, 10, 2, "DISSOLUTION_30M", "85.2", "VALID", "2026-11-21T23:05:00Z");

    /** A completed batch with both required tests valid and in spec. */
    void readyBatch() {
        create(specs, spec1);
        create(specs, spec2);
        create(batches, batchB1);
        create(samples, sampleS10);
        create(results, assay);
        create(results, dissolution);
    }

    // ---- READY ----

    @Test
    void readyWhenCompletedAndEveryRequiredTestValidAndInSpecAndNoAlarm() {
        readyBatch();
        Map<String, Object> s = latest("B1");
        assertEquals("READY", s.get("status"));
        assertEquals("", s.get("reason_codes"));
        assertEquals(2, s.get("required_tests"));
        assertEquals(2, s.get("tests_in_spec"));
        assertEquals("2026-11-21T21:45:12Z", s.get("completed_at"));
        assertEquals(NOW.toString(), s.get("decided_at"));
    }

    @Test
    void limitsAreInclusiveAndAMissingBoundIsOpen() {
        readyBatch();
        Map<String, Object> atLower = with(assay, "result_value", new java.math.BigDecimal("98.500000"));
        update(results, assay, atLower);
        assertEquals("READY", latest("B1").get("status"));
        Map<String, Object> atUpper = with(assay, "result_value", new java.math.BigDecimal("101.500000"));
        update(results, atLower, atUpper);
        assertEquals("READY", latest("B1").get("status"));
        update(results, dissolution, with(dissolution, "result_value", new java.math.BigDecimal("100000"))); // no upper limit
        assertEquals("READY", latest("B1").get("status"));
        update(results, atUpper, with(assay, "result_value", new java.math.BigDecimal("101.500001")));
        assertEquals("BLOCKED", latest("B1").get("status"), "just above the upper limit");
    }

    @Test
    void emitsOnlyWhenTheDecisionChanges() {
        readyBatch();
        drainStatus();
        update(samples, sampleS10, with(sampleS10, "status", "COMPLETED")); // nothing the rules read changed
        assertEquals(List.of(), drainStatus());
        update(results, assay, with(assay, "status", "REVIEWED")); // REVIEWED counts like VALID
        assertEquals(List.of(), drainStatus());
    }

    // ---- the value as sinks read it (Kafka Connect's JsonConverter) ----

    static org.apache.kafka.connect.json.JsonConverter converter(boolean schemas) {
        org.apache.kafka.connect.json.JsonConverter c = new org.apache.kafka.connect.json.JsonConverter();
        c.configure(Map.of("schemas.enable", String.valueOf(schemas)), false);
        return c;
    }

    @Test
    void flatJsonLandsAsOneScalarPerFieldThroughSchemalessJsonConverter() {
        readyBatch();
        drainStatus();
        TestRecord<String, String> r = statusLog.get(statusLog.size() - 1);
        Object value = converter(false).toConnectData(TOPICS.status(), r.value().getBytes(StandardCharsets.UTF_8)).value();
        Map<?, ?> row = (Map<?, ?>) value;
        assertEquals(StatusRecords.STATUS_FIELDS.keySet(), row.keySet());
        for (Object v : row.values()) assertTrue(v == null || v instanceof String || v instanceof Number, "scalar: " + v);
    }

    @Test
    void withStatusJsonSchemasTheValueIsAConnectStructForJdbcSinks() {
        driver.close();
        start(new BatchReleaseTopology.Settings(Duration.ofHours(24), Duration.ofMinutes(1), true));
        readyBatch();
        drainStatus();
        TestRecord<String, String> r = statusLog.get(statusLog.size() - 1);
        org.apache.kafka.connect.data.SchemaAndValue data = converter(true).toConnectData(TOPICS.status(), r.value().getBytes(StandardCharsets.UTF_8));
        org.apache.kafka.connect.data.Struct struct = (org.apache.kafka.connect.data.Struct) data.value();
        struct.validate();
        assertEquals("lifesci.batch_release_status", data.schema().name());
        assertEquals(List.copyOf(StatusRecords.STATUS_FIELDS.keySet()), data.schema().fields().stream().map(org.apache.kafka.connect.data.Field::name).toList());
        assertEquals("READY", struct.getString("status"));
        assertEquals(1L, struct.getInt64("batch_id"));
        assertEquals(2, struct.getInt32("required_tests"));
        assertEquals("2026-11-21T21:45:12Z", struct.getString("completed_at"));
    }

    @Test
    void withStatusJsonSchemasADeletedBatchGivesADeleteWithTheSchemaThenTheTombstone() {
        driver.close();
        start(new BatchReleaseTopology.Settings(Duration.ofHours(24), Duration.ofMinutes(1), true));
        readyBatch();
        drainStatus();
        delete(batches, batchB1);
        List<TestRecord<String, String>> out = drainStatus();
        assertEquals(List.of("B1", "B1"), out.stream().map(TestRecord::key).toList());
        // First a null value that carries the status schema: what a JDBC sink executes as a DELETE ...
        org.apache.kafka.connect.data.SchemaAndValue delete = converter(true).toConnectData(TOPICS.status(), out.get(0).value().getBytes(StandardCharsets.UTF_8));
        assertNull(delete.value());
        assertEquals("lifesci.batch_release_status", delete.schema().name());
        assertEquals(List.copyOf(StatusRecords.STATUS_FIELDS.keySet()), delete.schema().fields().stream().map(org.apache.kafka.connect.data.Field::name).toList());
        // ... then the tombstone compaction needs, which JsonConverter reads without any schema.
        assertNull(out.get(1).value());
        assertNull(converter(true).toConnectData(TOPICS.status(), null).schema());
    }

    // ---- PENDING ----

    @Test
    void pendingWhileTheBatchHasNotCompleted() {
        readyBatch();
        update(batches, batchB1, batch(1, "B1", MAT, "IN_PROGRESS", STARTED, null));
        Map<String, Object> s = latest("B1");
        assertEquals("PENDING", s.get("status"));
        assertEquals("BATCH_NOT_COMPLETED", s.get("reason_codes"));
    }

    @Test
    void pendingWhenARequiredTestHasNoResult() {
        create(specs, spec1);
        create(specs, spec2);
        create(batches, batchB1);
        create(samples, sampleS10);
        create(results, assay);
        Map<String, Object> s = latest("B1");
        assertEquals("PENDING", s.get("status"));
        assertEquals("TEST_MISSING", s.get("reason_codes"));
        assertEquals("DISSOLUTION_30M", reasons(s).get(0).get("test_code"));
        assertEquals(1, s.get("tests_in_spec"));
    }

    @Test
    void pendingWhenTheMaterialHasNoSpecification() {
        create(batches, batchB1);
        Map<String, Object> s = latest("B1");
        assertEquals("PENDING", s.get("status"));
        assertEquals("NO_SPECIFICATION", s.get("reason_codes"));
    }

    @Test
    void aPendingResultDoesNotCountUntilValidated() {
        create(specs, spec1);
        create(batches, batchB1);
        create(samples, sampleS10);
        Map<String, Object> unreviewed = with(assay, "status", "PENDING");
        create(results, unreviewed);
        assertEquals("TEST_MISSING", latest("B1").get("reason_codes"));
        update(results, unreviewed, assay);
        assertEquals("READY", latest("B1").get("status"));
    }

    @Test
    void resultsOfAnotherMaterialsSampleDoNotCount() {
        create(specs, spec1);
        create(batches, batchB1);
        create(samples, sample(11, "B1", "MAT-API-0001")); // raw material sample of the same batch
        create(results, result(110, 11, 9, "ASSAY", "99.9", "VALID", "2026-11-21T23:00:00Z"));
        assertEquals("TEST_MISSING", latest("B1").get("reason_codes"));
    }

    // ---- BLOCKED ----

    @Test
    void blockedWhenTheLatestValidResultIsOutOfSpec() {
        readyBatch();
        update(results, assay, with(assay, "result_value", new java.math.BigDecimal("97.1")));
        Map<String, Object> s = latest("B1");
        assertEquals("BLOCKED", s.get("status"));
        assertEquals("TEST_OUT_OF_SPEC", s.get("reason_codes"));
        Map<String, Object> r = reasons(s).get(0);
        assertEquals("ASSAY", r.get("test_code"));
        assertEquals(100, r.get("result_id"));
        assertEquals("97.1", r.get("result_value"));
        assertEquals("98.5", r.get("lower_limit"));
        assertEquals("101.5", r.get("upper_limit"));
    }

    @Test
    void aNewerValidRetestSupersedesAnOutOfSpecResult() {
        readyBatch();
        update(results, assay, with(assay, "result_value", new java.math.BigDecimal("97.1")));
        assertEquals("BLOCKED", latest("B1").get("status"));
        create(results, result(102, 10, 1, "ASSAY", "99.5", "VALID", "2026-11-22T08:00:00Z"));
        assertEquals("READY", latest("B1").get("status"));
    }

    @Test
    void blockedByAnAlarmOrCriticalMachineEventWhileTheBatchRan() {
        readyBatch();
        create(events, event(3, "B1", "ALARM", "2026-11-21T08:30:01Z"));
        Map<String, Object> s = latest("B1");
        assertEquals("BLOCKED", s.get("status"));
        assertEquals("MACHINE_ALARM", s.get("reason_codes"));
        assertEquals(3, reasons(s).get(0).get("event_id"));
        assertEquals("2026-11-21T08:30:01Z", reasons(s).get(0).get("occurred_at"));
        create(events, event(4, "B1", "CRITICAL", "2026-11-21T09:00:00Z"));
        assertEquals(2, reasons(latest("B1")).size());
    }

    @Test
    void warningsAndEventsOutsideTheRunDoNotBlock() {
        readyBatch();
        create(events, event(5, "B1", "WARNING", "2026-11-21T08:00:00Z"));
        create(events, event(6, "B1", "ALARM", "2026-11-21T05:59:59Z")); // before started_at
        create(events, event(7, "B1", "CRITICAL", "2026-11-21T22:00:00Z")); // after completed_at
        create(events, event(8, null, "CRITICAL", "2026-11-21T08:00:00Z")); // between batches
        assertEquals("READY", latest("B1").get("status"));
    }

    @Test
    void blockedWhenMesRejectedTheBatch() {
        readyBatch();
        update(batches, batchB1, with(batchB1, "status", "REJECTED"));
        assertEquals("BATCH_REJECTED", latest("B1").get("reason_codes"));
        assertEquals("BLOCKED", latest("B1").get("status"));
    }

    @Test
    void blockedOutranksPendingAndListsEveryReason() {
        create(specs, spec1);
        create(specs, spec2);
        create(batches, batchB1);
        create(samples, sampleS10);
        create(results, with(assay, "result_value", new java.math.BigDecimal("50")));
        Map<String, Object> s = latest("B1");
        assertEquals("BLOCKED", s.get("status"));
        assertEquals("TEST_OUT_OF_SPEC,TEST_MISSING", s.get("reason_codes"));
    }

    // ---- spec version changes ----

    @Test
    void aNewSpecVersionReplacesTheLimitsOfEveryBatchOfTheMaterial() {
        readyBatch();
        create(batches, batch(2, "B2", MAT, "COMPLETED", STARTED, COMPLETED));
        create(samples, sample(20, "B2", MAT));
        create(results, result(200, 20, 1, "ASSAY", "99.0", "VALID", "2026-11-21T23:00:00Z"));
        create(results, result(201, 20, 2, "DISSOLUTION_30M", "90", "VALID", "2026-11-21T23:00:00Z"));
        assertEquals("READY", latest("B2").get("status"));
        Map<String, Object> v2 = spec(3, MAT, "ASSAY", "99.5", "101.5", 2);
        create(specs, v2);
        assertEquals("READY", latest("B1").get("status")); // 99.87 within v2
        Map<String, Object> b2 = latest("B2");
        assertEquals("BLOCKED", b2.get("status"));
        assertEquals(2, reasons(b2).get(0).get("spec_version"));
        delete(specs, v2); // back to version 1
        assertEquals("READY", latest("B2").get("status"));
    }

    @Test
    void aTestAddedToTheSpecificationIsRequiredAtOnce() {
        readyBatch();
        create(specs, spec(4, MAT, "WATER_KF", null, "0.5", 1));
        Map<String, Object> s = latest("B1");
        assertEquals("PENDING", s.get("status"));
        assertEquals("WATER_KF", reasons(s).get(0).get("test_code"));
        assertEquals(3, s.get("required_tests"));
    }

    @Test
    void aSpecOfAnotherMaterialDoesNotApply() {
        readyBatch();
        create(specs, spec(5, "MAT-API-0001", "WATER_KF", null, "0.5", 1));
        assertEquals("READY", latest("B1").get("status"));
    }

    @Test
    void aBatchMovedToAnotherMaterialTakesThatMaterialsSpecification() {
        readyBatch();
        create(specs, spec(6, "MAT-FG-0200", "HARDNESS", "40", "80", 1));
        drainStatus();
        update(batches, batchB1, with(batchB1, "material_id", "MAT-FG-0200"));
        assertEquals(1, drainStatus().size(), "one decision, never one against a half-moved state");
        Map<String, Object> s = latest("B1");
        assertEquals("PENDING", s.get("status"));
        assertEquals("HARDNESS", reasons(s).get(0).get("test_code"));
        org.apache.kafka.streams.state.KeyValueStore<String, MaterialState> materials = driver.getKeyValueStore(MaterialRouter.STORE);
        assertTrue(materials.get("MAT-FG-0200").batches.contains("B1"));
        assertTrue(!materials.get(MAT).batches.contains("B1"), "the old material no longer fans its spec changes out to B1");
        create(specs, spec(7, MAT, "ASSAY", "0", "1", 9)); // the old material's change no longer reaches B1
        assertEquals("PENDING", latest("B1").get("status"));
        assertEquals(1, latest("B1").get("required_tests"));
    }

    @Test
    void aSpecListOfTheBatchsPreviousMaterialStillInFlightIsIgnored() {
        readyBatch();
        create(specs, spec(6, "MAT-FG-0200", "HARDNESS", "40", "80", 1));
        update(batches, batchB1, with(batchB1, "material_id", "MAT-FG-0200"));
        drainStatus();
        // Two material routers write to a batch from different partitions, so the old material's
        // list can arrive after the move. Inject exactly that into the by-batch repartition topic.
        Change stale = Change.specs(MAT, List.of(com.lifesci.batchrelease.model.SpecLimit.fromRow(spec(1, MAT, "ASSAY", "0", "1", 9))));
        driver.createInputTopic("test.streams.batch-release-by-batch-repartition", new StringSerializer(),
                (org.apache.kafka.common.serialization.Serializer<Change>) (t, c) -> StatusRecords.json(c).getBytes(StandardCharsets.UTF_8))
                .pipeInput("B1", stale);
        assertEquals(List.of(), drainStatus());
        assertEquals("HARDNESS", reasons(latest("B1")).get(0).get("test_code"));
    }

    // ---- invalidated results ----

    @Test
    void anInvalidatedResultDoesNotCountAndTheLatestValidOneDoes() {
        readyBatch();
        Map<String, Object> retest = result(102, 10, 1, "ASSAY", "90.0", "VALID", "2026-11-22T01:00:00Z");
        create(results, retest);
        assertEquals("BLOCKED", latest("B1").get("status"));
        update(results, retest, with(retest, "status", "INVALIDATED"));
        assertEquals("READY", latest("B1").get("status")); // falls back to result 100
        update(results, assay, with(assay, "status", "INVALIDATED"));
        assertEquals("TEST_MISSING", latest("B1").get("reason_codes"));
    }

    // ---- deletes ----

    @Test
    void aDeletedResultNoLongerCounts() {
        readyBatch();
        delete(results, dissolution);
        assertEquals("TEST_MISSING", latest("B1").get("reason_codes"));
    }

    @Test
    void aDeletedAlarmNoLongerBlocks() {
        readyBatch();
        Map<String, Object> alarm = event(3, "B1", "ALARM", "2026-11-21T08:30:01Z");
        create(events, alarm);
        assertEquals("BLOCKED", latest("B1").get("status"));
        delete(events, alarm);
        assertEquals("READY", latest("B1").get("status"));
    }

    @Test
    void aDeletedSampleTakesItsResultsAway() {
        readyBatch();
        delete(samples, sampleS10);
        Map<String, Object> s = latest("B1");
        assertEquals("PENDING", s.get("status"));
        assertEquals(0, s.get("tests_in_spec"));
    }

    @Test
    void aSampleMovedToAnotherBatchTakesItsResultsAlong() {
        readyBatch();
        create(batches, batch(2, "B2", MAT, "COMPLETED", STARTED, COMPLETED));
        update(samples, sampleS10, with(sampleS10, "batch_number", "B2"));
        assertEquals("TEST_MISSING", latest("B1").get("reason_codes"));
        assertEquals("READY", latest("B2").get("status"));
    }

    @Test
    void aDeletedBatchLeavesATombstoneOnTheCompactedTopic() {
        readyBatch();
        drainStatus();
        delete(batches, batchB1);
        List<TestRecord<String, String>> out = drainStatus();
        assertEquals(1, out.size());
        assertEquals("B1", out.get(0).key());
        assertNull(out.get(0).value());
    }

    // ---- late and out-of-order arrivals ----

    @Test
    void resultsThatArriveBeforeTheirSampleAndBatchAreHeldUntilTheyArrive() {
        create(results, assay);
        create(results, dissolution);
        create(specs, spec1);
        create(specs, spec2);
        assertEquals(List.of(), drainStatus()); // no batch yet: nothing to say
        create(batches, batchB1);
        assertEquals("PENDING", latest("B1").get("status"));
        create(samples, sampleS10);
        assertEquals("READY", latest("B1").get("status"));
    }

    @Test
    void aLateResultAfterTheBatchWentOverdueMakesItReadyAndEndsTheEpisode() {
        create(specs, spec1);
        create(batches, batchB1);
        create(samples, sampleS10);
        driver.advanceWallClockTime(Duration.ofHours(23));
        assertEquals(1, overdue.readRecordsToList().size());
        create(results, assay);
        assertEquals("READY", latest("B1").get("status"));
        driver.advanceWallClockTime(Duration.ofHours(1));
        assertTrue(overdue.isEmpty());
    }

    // ---- overdue punctuation ----

    @Test
    void overdueOnceWhenCompletedMoreThanOverdueAfterAgoAndNotReady() {
        create(specs, spec1);
        create(batches, batchB1);
        driver.advanceWallClockTime(Duration.ofHours(21).plusMinutes(59)); // 23h59m after completion
        assertTrue(overdue.isEmpty());
        driver.advanceWallClockTime(Duration.ofMinutes(2));
        List<TestRecord<String, String>> out = overdue.readRecordsToList();
        assertEquals(1, out.size());
        assertEquals("B1", out.get(0).key());
        Map<String, Object> o = parse(out.get(0).value());
        assertEquals("PENDING", o.get("status"));
        assertEquals("PT24H", o.get("overdue_after"));
        assertEquals("TEST_MISSING", o.get("reason_codes"));
        driver.advanceWallClockTime(Duration.ofHours(5));
        assertTrue(overdue.isEmpty(), "one overdue record per episode");
    }

    @Test
    void neverOverdueWhenReadyNotCompletedOrRejected() {
        readyBatch();
        create(batches, batch(2, "B2", MAT, "IN_PROGRESS", STARTED, null));
        create(batches, batch(3, "B3", MAT, "REJECTED", STARTED, COMPLETED));
        driver.advanceWallClockTime(Duration.ofDays(3));
        assertTrue(overdue.isEmpty());
    }

    // ---- poison records ----

    @Test
    void aPoisonRecordGoesToTheDeadLetterTopicWithItsReasonAndProcessingGoesOn() {
        batches.pipeInput("k", "{not json");
        batches.pipeInput("k", envelope("c", null, with(batchB1, "batch_number", null)));
        readyBatch();
        List<TestRecord<byte[], byte[]>> dead = deadLetter.readRecordsToList();
        assertEquals(2, dead.size());
        assertEquals("{not json", new String(dead.get(0).value(), StandardCharsets.UTF_8));
        assertTrue(header(dead.get(0), "dlq.reason").startsWith("lifesci.mes.batches: value is not JSON"), header(dead.get(0), "dlq.reason"));
        assertEquals("lifesci.mes.batches", header(dead.get(0), "dlq.source.topic"));
        assertEquals("0", header(dead.get(0), "dlq.source.offset"));
        assertEquals("mes.batches.batch_number is missing or null", header(dead.get(1), "dlq.reason"));
        assertEquals("READY", latest("B1").get("status"));
    }

    @Test
    void aBase64DecimalWithoutItsSchemaIsPoisonNamingTheFix() {
        readyBatch();
        results.pipeInput("k", envelope("u", assay, with(assay, "result_value", "AYag")));
        String reason = header(deadLetter.readRecord(), "dlq.reason");
        assertTrue(reason.contains("lims.test_results.result_value") && reason.contains("decimal.format=NUMERIC"), reason);
    }

    static String header(TestRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
