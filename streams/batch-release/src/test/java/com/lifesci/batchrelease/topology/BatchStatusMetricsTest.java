package com.lifesci.batchrelease.topology;

import static com.lifesci.batchrelease.topology.BatchReleaseTopologyTest.COMPLETED;
import static com.lifesci.batchrelease.topology.BatchReleaseTopologyTest.MAT;
import static com.lifesci.batchrelease.topology.BatchReleaseTopologyTest.STARTED;
import static com.lifesci.batchrelease.topology.BatchReleaseTopologyTest.TOPICS;
import static com.lifesci.batchrelease.topology.BatchReleaseTopologyTest.create;
import static com.lifesci.batchrelease.topology.BatchReleaseTopologyTest.delete;
import static com.lifesci.batchrelease.topology.BatchReleaseTopologyTest.jsonDriver;
import static com.lifesci.batchrelease.topology.BatchReleaseTopologyTest.update;
import static com.lifesci.batchrelease.topology.Rows.batch;
import static com.lifesci.batchrelease.topology.Rows.event;
import static com.lifesci.batchrelease.topology.Rows.result;
import static com.lifesci.batchrelease.topology.Rows.sample;
import static com.lifesci.batchrelease.topology.Rows.spec;
import static com.lifesci.batchrelease.topology.Rows.with;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.lifesci.batchrelease.metrics.BatchStatusMetrics;
import com.lifesci.batchrelease.rules.Decision.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batches by status as the app reports them (GET /metrics, EMF): per task, right after a restart, withdrawn on close. */
class BatchStatusMetricsTest {
    @TempDir
    Path stateDir;
    TopologyTestDriver driver;
    BatchStatusMetrics metrics;
    TestInputTopic<String, String> batches, specs, samples, results, events;

    void start(Duration overdueAfter, Function<String, KeyValueBytesStoreSupplier> storeType) {
        metrics = new BatchStatusMetrics();
        BatchReleaseTopology.Settings settings = new BatchReleaseTopology.Settings(overdueAfter, Duration.ofMinutes(1), false, metrics);
        driver = jsonDriver(stateDir, settings, storeType);
        StringSerializer s = new StringSerializer();
        batches = driver.createInputTopic(TOPICS.batches(), s, s);
        specs = driver.createInputTopic(TOPICS.specLimits(), s, s);
        samples = driver.createInputTopic(TOPICS.samples(), s, s);
        results = driver.createInputTopic(TOPICS.testResults(), s, s);
        events = driver.createInputTopic(TOPICS.machineEvents(), s, s);
    }

    @AfterEach
    void stop() {
        if (driver != null) driver.close();
    }

    /** The counts of the one batch task (the test driver runs every sub-topology; only the batch processor publishes). */
    BatchStatusMetrics.TaskCounts counts() {
        Map<String, BatchStatusMetrics.TaskCounts> tasks = metrics.snapshot();
        assertEquals(1, tasks.size(), "tasks reporting: " + tasks.keySet());
        return tasks.values().iterator().next();
    }

    static Map<Status, Long> of(long ready, long blocked, long pending) {
        return Map.of(Status.READY, ready, Status.BLOCKED, blocked, Status.PENDING, pending);
    }

    static final Map<String, Object> SPEC = spec(1, MAT, "ASSAY", "98.5", "101.5", 1);
    static final Map<String, Object> B1 = batch(1, "B1", MAT, "COMPLETED", STARTED, COMPLETED);
    static final Map<String, Object> B2 = batch(2, "B2", MAT, "IN_PROGRESS", STARTED, null);
    static final Map<String, Object> B3 = batch(3, "B3", MAT, "COMPLETED", STARTED, COMPLETED);
    static final Map<String, Object> S10 = sample(10, "B1", MAT);
    static final Map<String, Object> ASSAY_B1 = result(100, 10, 1, "ASSAY", "99.87", "VALID", "2026-11-21T23:00:00Z");

    /** B1 READY, B2 PENDING (still running), B3 BLOCKED by an alarm while it ran. */
    void threeBatches() {
        create(specs, SPEC);
        create(batches, B1);
        create(batches, B2);
        create(batches, B3);
        create(samples, S10);
        create(results, ASSAY_B1);
        create(events, event(500, "B3", "ALARM", "2026-11-21T10:00:00Z"));
    }

    @Test
    void everyDecisionMovesItsBatchBetweenStatusesAndEveryStatusIsReportedEvenAtZero() {
        start(Duration.ofHours(24), Stores::inMemoryKeyValueStore);
        assertEquals(of(0, 0, 0), counts().byStatus(), "an empty task reports zeros, so every status has a series");
        create(specs, SPEC);
        create(batches, B1);
        assertEquals(of(0, 0, 1), counts().byStatus(), "B1 waits for its assay");
        create(samples, S10);
        create(results, ASSAY_B1);
        assertEquals(of(1, 0, 0), counts().byStatus());
        update(results, ASSAY_B1, with(ASSAY_B1, "result_value", new java.math.BigDecimal("120")));
        assertEquals(of(0, 1, 0), counts().byStatus(), "out of spec: BLOCKED, no longer READY");
        create(batches, B2);
        assertEquals(of(0, 1, 1), counts().byStatus());
        delete(batches, B1);
        assertEquals(of(0, 0, 1), counts().byStatus(), "a deleted batch is no longer counted");
    }

    @Test
    void rightAfterARestartTheCountsComeFromTheStateStoreBeforeAnyNewRecord() {
        SurvivingStores stores = new SurvivingStores();
        start(Duration.ofHours(24), stores::supplier);
        threeBatches();
        assertEquals(of(1, 1, 1), counts().byStatus());
        driver.close();
        driver = null;

        start(Duration.ofHours(24), stores::supplier); // the stores as restored, a fresh registry, no new record
        assertEquals(of(1, 1, 1), counts().byStatus(), "counted from the restored store when the task started");
    }

    @Test
    void aClosedTaskWithdrawsItsCountsSoAnotherInstanceTakingItOverIsNotCountedTwice() {
        start(Duration.ofHours(24), Stores::inMemoryKeyValueStore);
        threeBatches();
        assertEquals(1, metrics.snapshot().size());
        driver.close();
        driver = null;
        assertEquals(Map.of(), metrics.snapshot());
    }

    @Test
    void overdueCountsTheCompletedNotReadyBatchesPastOverdueAfterAtEveryCheck() {
        start(Duration.ofHours(1), Stores::inMemoryKeyValueStore); // the batches completed 2 h before NOW
        threeBatches();
        assertEquals(0, counts().overdue(), "not checked yet");
        driver.advanceWallClockTime(Duration.ofMinutes(1));
        assertEquals(1, counts().overdue(), "B3 (BLOCKED, completed 2 h ago); not B1 (READY), not B2 (running)");
        assertEquals(of(1, 1, 1), counts().byStatus(), "the check recounts the statuses too");
        driver.advanceWallClockTime(Duration.ofMinutes(1));
        assertEquals(1, counts().overdue(), "still overdue after it was notified: a gauge, not a count of notifications");
        update(batches, B3, with(B3, "status", "REJECTED"));
        driver.advanceWallClockTime(Duration.ofMinutes(1));
        assertEquals(0, counts().overdue(), "a REJECTED batch is decided, not waiting");
    }
}
