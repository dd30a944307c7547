package com.lifesci.batchrelease.topology;

import com.lifesci.batchrelease.cdc.CdcRecord;
import com.lifesci.batchrelease.cdc.ValueDecoder;
import com.lifesci.batchrelease.metrics.BatchStatusMetrics;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.Stores;

/**
 * The batch release topology:
 * <pre>
 *  mes.batches ───────┐                                      (by material_id)
 *  lims.spec_limits ──┴─ decode ─ repartition ─ MaterialRouter ─┐
 *  lims.samples ──────┐                                         │
 *  lims.test_results ─┴─ decode ─ repartition ─ SampleRouter ───┤ (by batch_number)
 *  mes.machine_events ── decode ────────────────────────────────┴─ repartition ─ BatchReleaseProcessor
 *                                                                    ├─ batch_release_status (compacted)
 *  (each decode: poison ─ dead-letter topic)                         └─ batch_release_overdue (punctuator)
 * </pre>
 * Each merge feeds a single repartition topic, so the records a processor reads are always
 * co-partitioned, whatever the input topics' partition counts.
 */
public final class BatchReleaseTopology {
    public record Topics(String batches, String machineEvents, String samples, String testResults, String specLimits,
                         String status, String overdue, String deadLetter) {}

    /**
     * @param statusJsonSchemas status values in Connect's {schema, payload} envelope (for sinks
     *                          that need a schema) instead of flat JSON
     * @param metrics           where each batch processor publishes its task's batches by status
     */
    public record Settings(Duration overdueAfter, Duration overdueCheckInterval, boolean statusJsonSchemas, BatchStatusMetrics metrics) {
        /** With a registry of its own (tests that do not read the metrics). */
        public Settings(Duration overdueAfter, Duration overdueCheckInterval, boolean statusJsonSchemas) {
            this(overdueAfter, overdueCheckInterval, statusJsonSchemas, new BatchStatusMetrics());
        }
    }

    private static final Serde<Change> CHANGE = JsonSerde.of(Change.class);

    private BatchReleaseTopology() {}

    public static Topology build(Topics topics, ValueDecoder decoder, Settings settings) {
        return build(topics, decoder, settings, Stores::persistentKeyValueStore);
    }

    /**
     * @param storeType RocksDB in the app; the rule tests pass in-memory stores (same changelogged
     *                  key-value semantics, a fraction of the start-up cost per test)
     */
    static Topology build(Topics topics, ValueDecoder decoder, Settings settings, Function<String, KeyValueBytesStoreSupplier> storeType) {
        StreamsBuilder builder = new StreamsBuilder();

        KStream<String, Change> byMaterial = source(builder, topics.batches(), "batches", decoder, SourceParsers::batches, topics)
                .merge(source(builder, topics.specLimits(), "spec-limits", decoder, SourceParsers::specLimits, topics), Named.as("merge-by-material"));
        KStream<String, Change> bySample = source(builder, topics.samples(), "samples", decoder, SourceParsers::samples, topics)
                .merge(source(builder, topics.testResults(), "test-results", decoder, SourceParsers::testResults, topics), Named.as("merge-by-sample"));
        KStream<String, Change> events = source(builder, topics.machineEvents(), "machine-events", decoder, SourceParsers::machineEvents, topics);

        builder.addStateStore(Stores.keyValueStoreBuilder(storeType.apply(MaterialRouter.STORE), Serdes.String(),
                JsonSerde.of(MaterialState.class)).withCachingDisabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(storeType.apply(SampleRouter.STORE), Serdes.String(),
                JsonSerde.of(SampleState.class)).withCachingDisabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(storeType.apply(BatchReleaseProcessor.STORE), Serdes.String(),
                JsonSerde.of(BatchState.class)).withCachingDisabled());

        KStream<String, Change> fromMaterials = byMaterial
                .repartition(Repartitioned.with(Serdes.String(), CHANGE).withName("by-material"))
                .process(MaterialRouter::new, Named.as("material-router"), MaterialRouter.STORE);
        KStream<String, Change> fromSamples = bySample
                .repartition(Repartitioned.with(Serdes.String(), CHANGE).withName("by-sample"))
                .process(SampleRouter::new, Named.as("sample-router"), SampleRouter.STORE);

        KStream<String, Output> outputs = fromMaterials
                .merge(fromSamples, Named.as("merge-by-batch-1"))
                .merge(events, Named.as("merge-by-batch-2"))
                .repartition(Repartitioned.with(Serdes.String(), CHANGE).withName("by-batch"))
                .process(() -> new BatchReleaseProcessor(settings), Named.as("batch-release"), BatchReleaseProcessor.STORE);

        outputs.split(Named.as("output-"))
                .branch((k, v) -> v.kind() == Output.Kind.STATUS, Branched.withConsumer(s -> s
                        .mapValues(Output::json, Named.as("status-json"))
                        .to(topics.status(), Produced.<String, String>with(Serdes.String(), Serdes.String()).withName("status-sink")), "status"))
                .branch((k, v) -> v.kind() == Output.Kind.OVERDUE, Branched.withConsumer(s -> s
                        .mapValues(Output::json, Named.as("overdue-json"))
                        .to(topics.overdue(), Produced.<String, String>with(Serdes.String(), Serdes.String()).withName("overdue-sink")), "overdue"))
                .noDefaultBranch();
        return builder.build();
    }

    /** A CDC topic, decoded; poison records go to the dead-letter topic; the rest as routed changes. */
    private static KStream<String, Change> source(StreamsBuilder builder, String topic, String name, ValueDecoder decoder,
                                                  Function<CdcRecord, List<KeyValue<String, Change>>> parser, Topics topics) {
        KStream<Bytes, Parsed> parsed = builder
                .stream(topic, Consumed.with(Serdes.Bytes(), Serdes.ByteArray()).withName(name + "-source"))
                .processValues(() -> new DecodeProcessor(decoder, parser), Named.as(name + "-decode"));
        parsed.filter((k, v) -> v.failed(), Named.as(name + "-poison"))
                .mapValues(Parsed::raw, Named.as(name + "-poison-raw"))
                .to(topics.deadLetter(), Produced.<Bytes, byte[]>with(Serdes.Bytes(), Serdes.ByteArray()).withName(name + "-dead-letter"));
        return parsed.filterNot((k, v) -> v.failed(), Named.as(name + "-ok"))
                .flatMap((k, v) -> v.changes(), Named.as(name + "-route"));
    }
}
