package com.lifesci.batchrelease.topology;

import com.lifesci.batchrelease.metrics.BatchStatusMetrics;
import com.lifesci.batchrelease.rules.BatchResult;
import com.lifesci.batchrelease.rules.Decision;
import com.lifesci.batchrelease.rules.ReleaseRules;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keyed by batch_number: applies each change to the batch's state, re-runs the release rules and
 * emits a status record when the decision's content changed (a tombstone when the batch is
 * deleted). A wall-clock punctuator emits an overdue record once per not-READY episode for a batch
 * that completed more than overdueAfter ago.
 *
 * <p>It also publishes its task's batches by status (BatchStatusMetrics): counted from the store
 * when the task starts (after restoration, so right after a restart or a move to another
 * instance), adjusted on every decision, recounted with the overdue batches at every check, and
 * withdrawn when the task closes.
 */
class BatchReleaseProcessor implements Processor<String, Change, String, Output> {
    static final String STORE = "batch-state";
    private static final Logger LOG = LoggerFactory.getLogger(BatchReleaseProcessor.class);

    private final Duration overdueAfter;
    private final Duration checkInterval;
    private final boolean statusJsonSchemas;
    private final BatchStatusMetrics metrics;
    private ProcessorContext<String, Output> context;
    private KeyValueStore<String, BatchState> store;
    private String task;
    private final EnumMap<Decision.Status, Long> byStatus = new EnumMap<>(Decision.Status.class);
    private long overdueNow;

    BatchReleaseProcessor(BatchReleaseTopology.Settings settings) {
        this.overdueAfter = settings.overdueAfter();
        this.checkInterval = settings.overdueCheckInterval();
        this.statusJsonSchemas = settings.statusJsonSchemas();
        this.metrics = settings.metrics();
    }

    @Override
    public void init(ProcessorContext<String, Output> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
        this.task = context.taskId().toString();
        // Kafka Streams initializes a task's processors once its stores are restored: the store is complete here.
        recount(context.currentSystemTimeMs());
        // Wall clock, not stream time: a batch becomes overdue while nothing arrives at all.
        context.schedule(checkInterval, PunctuationType.WALL_CLOCK_TIME, this::checkOverdue);
    }

    @Override
    public void process(Record<String, Change> record) {
        String batchNumber = record.key();
        Change change = record.value();
        BatchState state = store.get(batchNumber);
        if (state == null) state = new BatchState();
        String statusBefore = state.lastStatus;
        switch (change.kind()) {
            case BATCH_UPSERT -> {
                state.batch = change.batch();
                state.specs = change.specs();
            }
            case BATCH_DELETE -> state.batch = null;
            case SPECS -> {
                // The routers of two materials write to this batch from different partitions: after the
                // batch moved to another material, a spec list of the old one may still arrive. It says nothing.
                if (state.batch == null || state.batch.materialId().equals(change.materialId())) state.specs = change.specs();
            }
            case RESULT_UPSERT -> state.results.put(change.resultId(), new BatchResult(change.result(), change.sampleMaterialId()));
            case RESULT_DELETE -> state.results.remove(change.resultId());
            case EVENT_UPSERT -> state.events.put(change.eventId(), change.event());
            case EVENT_DELETE -> state.events.remove(change.eventId());
            default -> throw new IllegalStateException("batch processor got " + change.kind());
        }

        if (state.batch == null) {
            if (state.lastContent != null) {
                context.forward(record.withValue(new Output(Output.Kind.STATUS, null)));
                state.lastContent = null;
                state.lastStatus = null;
                state.overdueNotifiedAt = null;
            }
        } else {
            Decision decision = ReleaseRules.decide(state.batch, state.specs, state.results.values(), state.events.values());
            Map<String, Object> content = StatusRecords.content(state.batch, decision);
            String contentJson = StatusRecords.json(content);
            if (!contentJson.equals(state.lastContent)) {
                context.forward(record.withValue(new Output(Output.Kind.STATUS,
                        StatusRecords.status(content, context.currentSystemTimeMs(), record.timestamp(), statusJsonSchemas))));
                state.lastContent = contentJson;
                state.lastStatus = decision.status().name();
                if (decision.status() == Decision.Status.READY) state.overdueNotifiedAt = null;
            }
        }
        if (state.isEmpty()) store.delete(batchNumber);
        else store.put(batchNumber, state);
        if (!Objects.equals(statusBefore, state.lastStatus)) {
            if (statusBefore != null) byStatus.merge(Decision.Status.valueOf(statusBefore), -1L, Long::sum);
            if (state.lastStatus != null) byStatus.merge(Decision.Status.valueOf(state.lastStatus), 1L, Long::sum);
            publish();
        }
    }

    @Override
    public void close() {
        // The task closes (shutdown, or it moves to another instance): its batches are no longer this instance's to report.
        if (task != null) metrics.withdraw(task);
    }

    /** Counts every batch of the store by its last status, and the overdue ones at {@code now}. */
    private void recount(long now) {
        byStatus.clear();
        long overdue = 0;
        try (KeyValueIterator<String, BatchState> all = store.all()) {
            while (all.hasNext()) {
                BatchState s = all.next().value;
                if (s.lastStatus == null) continue;
                byStatus.merge(Decision.Status.valueOf(s.lastStatus), 1L, Long::sum);
                if (isPastDue(s, now)) overdue++;
            }
        }
        overdueNow = overdue;
        publish();
    }

    private void publish() {
        metrics.publish(task, new BatchStatusMetrics.TaskCounts(byStatus, overdueNow));
    }

    /** One scan of the store: emits the newly overdue batches and recounts the task's batches by status. */
    private void checkOverdue(long now) {
        int emitted = 0;
        byStatus.clear();
        long pastDue = 0;
        try (KeyValueIterator<String, BatchState> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, BatchState> entry = all.next();
                BatchState s = entry.value;
                if (s.lastStatus != null) byStatus.merge(Decision.Status.valueOf(s.lastStatus), 1L, Long::sum);
                if (isPastDue(s, now)) pastDue++;
                if (!isOverdue(s, now)) continue;
                Map<String, Object> content = JsonSerde.MAPPER.convertValue(JsonSerde.MAPPER.readTree(s.lastContent), Map.class);
                context.forward(new Record<>(entry.key, new Output(Output.Kind.OVERDUE, StatusRecords.overdue(content, overdueAfter, now)), now));
                s.overdueNotifiedAt = now;
                store.put(entry.key, s);
                emitted++;
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("batch-state holds unreadable status content", e);
        }
        overdueNow = pastDue;
        publish();
        if (emitted > 0) LOG.info("overdue check: {} batch(es) completed more than {} ago and not READY", emitted, overdueAfter);
    }

    /**
     * Completed (completed_at set) more than overdueAfter ago, not READY, not notified yet in this
     * episode. A REJECTED batch is decided, not waiting, so it is never overdue.
     */
    private boolean isOverdue(BatchState s, long now) {
        return isPastDue(s, now) && s.overdueNotifiedAt == null;
    }

    /** Completed more than overdueAfter ago, not READY, not REJECTED: overdue whether or not it was notified. */
    private boolean isPastDue(BatchState s, long now) {
        return s.batch != null && s.lastContent != null && s.batch.completedAt() != null && !"REJECTED".equals(s.batch.status())
                && !"READY".equals(s.lastStatus)
                && now - s.batch.completedAt() >= overdueAfter.toMillis();
    }
}
