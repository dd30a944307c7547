package com.lifesci.batchrelease.topology;

import java.util.ArrayList;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keyed by material_id: keeps the material's spec limits and which batches make it, and sends
 * every batch of the material the material's full spec list whenever it changes (a new spec
 * version re-evaluates every batch of that material), and a batch change together with its
 * material's spec list (one message: the batch is never decided against a half-updated state).
 */
class MaterialRouter implements Processor<String, Change, String, Change> {
    static final String STORE = "material-state";

    private ProcessorContext<String, Change> context;
    private KeyValueStore<String, MaterialState> store;

    @Override
    public void init(ProcessorContext<String, Change> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, Change> record) {
        String material = record.key();
        Change change = record.value();
        MaterialState state = store.get(material);
        if (state == null) state = new MaterialState();
        switch (change.kind()) {
            case SPEC_UPSERT, SPEC_DELETE -> {
                if (change.kind() == Change.Kind.SPEC_UPSERT) state.specs.put(change.specId(), change.spec());
                else state.specs.remove(change.specId());
                Change specs = Change.specs(material, new ArrayList<>(state.specs.values()));
                for (String batch : state.batches) context.forward(record.withKey(batch).withValue(specs));
            }
            case BATCH_UPSERT -> {
                String batch = change.batchNumber();
                state.batches.add(batch);
                context.forward(record.withKey(batch).withValue(Change.batchWithSpecs(change.batch(), new ArrayList<>(state.specs.values()))));
            }
            case BATCH_DELETE -> {
                state.batches.remove(change.batchNumber());
                context.forward(record.withKey(change.batchNumber()).withValue(change));
            }
            case BATCH_UNLINK -> state.batches.remove(change.batchNumber());
            default -> throw new IllegalStateException("material router got " + change.kind());
        }
        if (state.isEmpty()) store.delete(material);
        else store.put(material, state);
    }
}
