package com.lifesci.batchrelease.topology;

import com.lifesci.batchrelease.cdc.CdcRecord;
import com.lifesci.batchrelease.model.Batch;
import com.lifesci.batchrelease.model.MachineEvent;
import com.lifesci.batchrelease.model.Sample;
import com.lifesci.batchrelease.model.SpecLimit;
import com.lifesci.batchrelease.model.TestResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.streams.KeyValue;

/**
 * Each CDC change as the changes it causes, keyed by their owner. An update that moves a row to
 * another owner (a batch to another material, a result to another sample, an event to another
 * batch) retracts it from the old owner first; a delete retracts it (before image).
 */
final class SourceParsers {
    private SourceParsers() {}

    /** mes.batches -> keyed by material_id. */
    static List<KeyValue<String, Change>> batches(CdcRecord c) {
        List<KeyValue<String, Change>> out = new ArrayList<>();
        Batch before = c.before() == null ? null : Batch.fromRow(c.before());
        if (c.isDelete()) {
            out.add(KeyValue.pair(before.materialId(), Change.batchDelete(before.batchNumber())));
            return out;
        }
        Batch after = Batch.fromRow(c.after());
        if (before != null && !before.batchNumber().equals(after.batchNumber())) {
            out.add(KeyValue.pair(before.materialId(), Change.batchDelete(before.batchNumber())));
        } else if (before != null && !before.materialId().equals(after.materialId())) {
            out.add(KeyValue.pair(before.materialId(), Change.batchUnlink(before.batchNumber())));
        }
        out.add(KeyValue.pair(after.materialId(), Change.batchUpsert(after)));
        return out;
    }

    /** lims.spec_limits -> keyed by material_id. */
    static List<KeyValue<String, Change>> specLimits(CdcRecord c) {
        List<KeyValue<String, Change>> out = new ArrayList<>();
        SpecLimit before = c.before() == null ? null : SpecLimit.fromRow(c.before());
        if (c.isDelete()) {
            out.add(KeyValue.pair(before.materialId(), Change.specDelete(before.specId())));
            return out;
        }
        SpecLimit after = SpecLimit.fromRow(c.after());
        if (before != null && (!before.materialId().equals(after.materialId()) || before.specId() != after.specId())) {
            out.add(KeyValue.pair(before.materialId(), Change.specDelete(before.specId())));
        }
        out.add(KeyValue.pair(after.materialId(), Change.specUpsert(after)));
        return out;
    }

    /** lims.samples -> keyed by sample_id. */
    static List<KeyValue<String, Change>> samples(CdcRecord c) {
        List<KeyValue<String, Change>> out = new ArrayList<>();
        Sample before = c.before() == null ? null : Sample.fromRow(c.before());
        if (c.isDelete()) {
            out.add(KeyValue.pair(Long.toString(before.sampleId()), Change.sampleDelete(before.sampleId())));
            return out;
        }
        Sample after = Sample.fromRow(c.after());
        if (before != null && before.sampleId() != after.sampleId()) {
            out.add(KeyValue.pair(Long.toString(before.sampleId()), Change.sampleDelete(before.sampleId())));
        }
        out.add(KeyValue.pair(Long.toString(after.sampleId()), Change.sampleUpsert(after)));
        return out;
    }

    /** lims.test_results -> keyed by sample_id. */
    static List<KeyValue<String, Change>> testResults(CdcRecord c) {
        List<KeyValue<String, Change>> out = new ArrayList<>();
        TestResult before = c.before() == null ? null : TestResult.fromRow(c.before());
        if (c.isDelete()) {
            out.add(KeyValue.pair(Long.toString(before.sampleId()), Change.resultDelete(before.resultId())));
            return out;
        }
        TestResult after = TestResult.fromRow(c.after());
        if (before != null && (before.sampleId() != after.sampleId() || before.resultId() != after.resultId())) {
            out.add(KeyValue.pair(Long.toString(before.sampleId()), Change.resultDelete(before.resultId())));
        }
        out.add(KeyValue.pair(Long.toString(after.sampleId()), Change.resultUpsert(after, null)));
        return out;
    }

    /** mes.machine_events -> keyed by batch_number; events between batches (no batch_number) are not a batch's. */
    static List<KeyValue<String, Change>> machineEvents(CdcRecord c) {
        List<KeyValue<String, Change>> out = new ArrayList<>();
        MachineEvent before = c.before() == null ? null : MachineEvent.fromRow(c.before());
        if (c.isDelete()) {
            if (before.batchNumber() != null) out.add(KeyValue.pair(before.batchNumber(), Change.eventDelete(before.eventId())));
            return out;
        }
        MachineEvent after = MachineEvent.fromRow(c.after());
        if (before != null && before.batchNumber() != null
                && (!Objects.equals(before.batchNumber(), after.batchNumber()) || before.eventId() != after.eventId())) {
            out.add(KeyValue.pair(before.batchNumber(), Change.eventDelete(before.eventId())));
        }
        if (after.batchNumber() != null) out.add(KeyValue.pair(after.batchNumber(), Change.eventUpsert(after)));
        return out;
    }
}
