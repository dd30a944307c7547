package com.lifesci.batchrelease.metrics;

import com.lifesci.batchrelease.rules.Decision;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Batches per release status, per stream task of this instance. Each batch processor publishes the
 * counts of its own task (computed from its state store when the task starts, so they are right
 * after a restart, kept up to date on every decision, recounted at every overdue check) and
 * withdraws them when the task closes or moves to another instance. Summing over tasks and
 * instances (PromQL {@code sum by (status)}) gives the platform's total; no task is counted twice.
 */
public final class BatchStatusMetrics {
    /** One task's counts: every status present (zero included), and the overdue batches at the last check. */
    public record TaskCounts(Map<Decision.Status, Long> byStatus, long overdue) {
        public TaskCounts {
            EnumMap<Decision.Status, Long> all = new EnumMap<>(Decision.Status.class);
            for (Decision.Status s : Decision.Status.values()) all.put(s, byStatus.getOrDefault(s, 0L));
            byStatus = Collections.unmodifiableMap(all);
        }
    }

    private final ConcurrentSkipListMap<String, TaskCounts> tasks = new ConcurrentSkipListMap<>();

    public void publish(String task, TaskCounts counts) {
        tasks.put(task, counts);
    }

    public void withdraw(String task) {
        tasks.remove(task);
    }

    /** The tasks this instance runs now, by task id. */
    public SortedMap<String, TaskCounts> snapshot() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(tasks));
    }
}
