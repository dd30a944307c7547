package com.lifesci.batchrelease.topology;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.lifesci.batchrelease.model.Batch;
import com.lifesci.batchrelease.model.MachineEvent;
import com.lifesci.batchrelease.model.Sample;
import com.lifesci.batchrelease.model.SpecLimit;
import com.lifesci.batchrelease.model.TestResult;
import java.util.List;

/**
 * One message on the app's internal repartition topics: a row change routed to the key that
 * owns it (material_id, sample_id, then batch_number). Only the fields of its kind are set.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Change(Kind kind, Batch batch, String batchNumber, SpecLimit spec, Long specId, String materialId, List<SpecLimit> specs,
                     Sample sample, Long sampleId, TestResult result, Long resultId, String sampleMaterialId, MachineEvent event,
                     Long eventId) {

    public enum Kind {
        // keyed by material_id
        SPEC_UPSERT, SPEC_DELETE, BATCH_UNLINK,
        // keyed by sample_id
        SAMPLE_UPSERT, SAMPLE_DELETE,
        // keyed by material_id (from mes.batches) and then by batch_number
        BATCH_UPSERT, BATCH_DELETE,
        // keyed by sample_id (from lims.test_results) and then by batch_number
        RESULT_UPSERT, RESULT_DELETE,
        // keyed by batch_number
        SPECS, EVENT_UPSERT, EVENT_DELETE
    }

    public static Change batchUpsert(Batch b) { return new Change(Kind.BATCH_UPSERT, b, b.batchNumber(), null, null, null, null, null, null, null, null, null, null, null); }
    /** The batch with its material's spec list, so the batch never is decided against another material's specs. */
    public static Change batchWithSpecs(Batch b, List<SpecLimit> specs) { return new Change(Kind.BATCH_UPSERT, b, b.batchNumber(), null, null, b.materialId(), specs, null, null, null, null, null, null, null); }
    public static Change batchDelete(String batchNumber) { return new Change(Kind.BATCH_DELETE, null, batchNumber, null, null, null, null, null, null, null, null, null, null, null); }
    public static Change batchUnlink(String batchNumber) { return new Change(Kind.BATCH_UNLINK, null, batchNumber, null, null, null, null, null, null, null, null, null, null, null); }
    public static Change specUpsert(SpecLimit s) { return new Change(Kind.SPEC_UPSERT, null, null, s, s.specId(), s.materialId(), null, null, null, null, null, null, null, null); }
    public static Change specDelete(long specId) { return new Change(Kind.SPEC_DELETE, null, null, null, specId, null, null, null, null, null, null, null, null, null); }
    public static Change specs(String materialId, List<SpecLimit> specs) { return new Change(Kind.SPECS, null, null, null, null, materialId, specs, null, null, null, null, null, null, null); }
    public static Change sampleUpsert(Sample s) { return new Change(Kind.SAMPLE_UPSERT, null, null, null, null, null, null, s, s.sampleId(), null, null, null, null, null); }
    public static Change sampleDelete(long sampleId) { return new Change(Kind.SAMPLE_DELETE, null, null, null, null, null, null, null, sampleId, null, null, null, null, null); }
    public static Change resultUpsert(TestResult r, String sampleMaterialId) { return new Change(Kind.RESULT_UPSERT, null, null, null, null, null, null, null, r.sampleId(), r, r.resultId(), sampleMaterialId, null, null); }
    public static Change resultDelete(long resultId) { return new Change(Kind.RESULT_DELETE, null, null, null, null, null, null, null, null, null, resultId, null, null, null); }
    public static Change eventUpsert(MachineEvent e) { return new Change(Kind.EVENT_UPSERT, null, e.batchNumber(), null, null, null, null, null, null, null, null, null, e, e.eventId()); }
    public static Change eventDelete(long eventId) { return new Change(Kind.EVENT_DELETE, null, null, null, null, null, null, null, null, null, null, null, null, eventId); }
}
