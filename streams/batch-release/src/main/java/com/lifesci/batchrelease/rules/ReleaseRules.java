package com.lifesci.batchrelease.rules;

import com.lifesci.batchrelease.model.Batch;
import com.lifesci.batchrelease.model.MachineEvent;
import com.lifesci.batchrelease.model.SpecLimit;
import com.lifesci.batchrelease.model.TestResult;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The batch release rules ("review by exception"), as one pure function. A batch is READY when
 * it has completed, every required test has a valid result within the current spec limits, and
 * no critical machine event was recorded against it while it ran. Change the rules here and in
 * ReleaseRulesTest / BatchReleaseTopologyTest (README "Changing the rules").
 */
public final class ReleaseRules {
    /** Result statuses that count as a result (PENDING awaits review; INVALIDATED never counts). */
    public static final Set<String> VALID_RESULT = Set.of("VALID", "REVIEWED");
    /** Machine event severities that block release. */
    public static final Set<String> BLOCKING_SEVERITY = Set.of("ALARM", "CRITICAL");
    /** MES batch statuses after production has finished. */
    public static final Set<String> COMPLETED = Set.of("COMPLETED", "RELEASED");

    private static final Comparator<TestResult> LATEST = Comparator
            .comparing((TestResult r) -> r.measuredAt() == null ? Long.MIN_VALUE : r.measuredAt())
            .thenComparingLong(TestResult::resultId);

    private ReleaseRules() {}

    /**
     * Required tests: per test_code, the highest spec_version among the spec limits of the batch's
     * material (the topology hands the rules that material's rows only).
     */
    public static List<SpecLimit> requiredTests(Collection<SpecLimit> specs) {
        Map<String, SpecLimit> current = new TreeMap<>();
        for (SpecLimit s : specs) {
            current.merge(s.testCode(), s, (a, b) -> a.specVersion() >= b.specVersion() ? a : b);
        }
        return new ArrayList<>(current.values());
    }

    /** @param specs the spec limit rows of the batch's material (every version) */
    public static Decision decide(Batch batch, Collection<SpecLimit> specs, Collection<BatchResult> results, Collection<MachineEvent> events) {
        List<Reason> reasons = new ArrayList<>();
        if ("REJECTED".equals(batch.status())) {
            reasons.add(Reason.of(Reason.Code.BATCH_REJECTED, "batch rejected in MES", "batch_status", batch.status()));
        } else if (!COMPLETED.contains(batch.status())) {
            reasons.add(Reason.of(Reason.Code.BATCH_NOT_COMPLETED, "batch is " + batch.status(), "batch_status", batch.status()));
        }

        List<SpecLimit> required = requiredTests(specs);
        if (required.isEmpty()) {
            reasons.add(Reason.of(Reason.Code.NO_SPECIFICATION, "no spec limits for material " + batch.materialId(), "material_id", batch.materialId()));
        }
        int inSpec = 0;
        for (SpecLimit spec : required) {
            TestResult latest = results.stream()
                    .filter(r -> batch.materialId().equals(r.sampleMaterialId()))
                    .map(BatchResult::result)
                    .filter(r -> r.testCode().equals(spec.testCode()) && VALID_RESULT.contains(r.status()))
                    .max(LATEST)
                    .orElse(null);
            if (latest == null) {
                reasons.add(Reason.of(Reason.Code.TEST_MISSING, spec.testCode() + " has no valid result",
                        "test_code", spec.testCode(), "spec_id", spec.specId(), "spec_version", spec.specVersion()));
            } else if (!spec.admits(latest.resultValue())) {
                reasons.add(Reason.of(Reason.Code.TEST_OUT_OF_SPEC,
                        spec.testCode() + " result " + latest.resultId() + " = " + latest.resultValue().toPlainString() + " outside ["
                                + bound(spec.lowerLimit(), "-inf") + ", " + bound(spec.upperLimit(), "+inf") + "] (spec v" + spec.specVersion() + ")",
                        "test_code", spec.testCode(), "result_id", latest.resultId(), "result_value", latest.resultValue().toPlainString(),
                        "lower_limit", plain(spec.lowerLimit()), "upper_limit", plain(spec.upperLimit()), "unit", spec.unit(),
                        "spec_id", spec.specId(), "spec_version", spec.specVersion()));
            } else {
                inSpec++;
            }
        }

        for (MachineEvent e : events) {
            if (!batch.batchNumber().equals(e.batchNumber()) || !BLOCKING_SEVERITY.contains(e.severity()) || !whileRunning(batch, e)) continue;
            reasons.add(Reason.of(Reason.Code.MACHINE_ALARM, e.severity() + " event " + e.eventId() + " on " + e.machineId() + ": " + e.message(),
                    "event_id", e.eventId(), "machine_id", e.machineId(), "event_type", e.eventType(), "severity", e.severity(),
                    "occurred_at", e.occurredAt()));
        }

        Decision.Status status = reasons.stream().anyMatch(r -> r.code().blocks) ? Decision.Status.BLOCKED
                : reasons.isEmpty() ? Decision.Status.READY : Decision.Status.PENDING;
        return new Decision(status, reasons, required.size(), inSpec);
    }

    /** Between started_at and completed_at; an open end (not started/completed yet) does not exclude. */
    static boolean whileRunning(Batch batch, MachineEvent e) {
        return (batch.startedAt() == null || e.occurredAt() >= batch.startedAt())
                && (batch.completedAt() == null || e.occurredAt() <= batch.completedAt());
    }

    private static String bound(java.math.BigDecimal b, String open) {
        return b == null ? open : b.toPlainString();
    }

    private static String plain(java.math.BigDecimal b) {
        return b == null ? null : b.toPlainString();
    }
}
