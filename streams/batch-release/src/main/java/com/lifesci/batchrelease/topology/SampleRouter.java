package com.lifesci.batchrelease.topology;

import com.lifesci.batchrelease.model.Sample;
import com.lifesci.batchrelease.model.TestResult;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keyed by sample_id: joins test results to their sample (which names the batch), in either
 * arrival order. A result that arrives before its sample waits here; a sample that moves to
 * another batch takes its results with it; deletes on either side retract the results.
 */
class SampleRouter implements Processor<String, Change, String, Change> {
    static final String STORE = "sample-state";

    private ProcessorContext<String, Change> context;
    private KeyValueStore<String, SampleState> store;

    @Override
    public void init(ProcessorContext<String, Change> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, Change> record) {
        Change change = record.value();
        SampleState state = store.get(record.key());
        if (state == null) state = new SampleState();
        Sample sample = state.sample;
        switch (change.kind()) {
            case RESULT_UPSERT -> {
                state.results.put(change.resultId(), change.result());
                if (sample != null) forward(record, sample.batchNumber(), Change.resultUpsert(change.result(), sample.materialId()));
            }
            case RESULT_DELETE -> {
                state.results.remove(change.resultId());
                if (sample != null) forward(record, sample.batchNumber(), Change.resultDelete(change.resultId()));
            }
            case SAMPLE_UPSERT -> {
                Sample now = change.sample();
                if (sample != null && !sample.batchNumber().equals(now.batchNumber())) {
                    for (Long id : state.results.keySet()) forward(record, sample.batchNumber(), Change.resultDelete(id));
                }
                state.sample = now;
                for (TestResult r : state.results.values()) forward(record, now.batchNumber(), Change.resultUpsert(r, now.materialId()));
            }
            case SAMPLE_DELETE -> {
                if (sample != null) for (Long id : state.results.keySet()) forward(record, sample.batchNumber(), Change.resultDelete(id));
                state.sample = null;
            }
            default -> throw new IllegalStateException("sample router got " + change.kind());
        }
        if (state.isEmpty()) store.delete(record.key());
        else store.put(record.key(), state);
    }

    private void forward(Record<String, Change> record, String batchNumber, Change change) {
        context.forward(record.withKey(batchNumber).withValue(change));
    }
}
