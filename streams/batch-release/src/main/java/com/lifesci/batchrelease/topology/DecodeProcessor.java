package com.lifesci.batchrelease.topology;

import com.lifesci.batchrelease.cdc.CdcRecord;
import com.lifesci.batchrelease.cdc.PoisonRecordException;
import com.lifesci.batchrelease.cdc.ValueDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes a CDC record (through the one {@link ValueDecoder} adapter) and turns it into routed
 * changes. A poison record keeps its original bytes and gains headers saying why and where it came
 * from, for the dead-letter topic; anything else (Schema Registry down) propagates and stops the
 * app rather than losing records.
 */
class DecodeProcessor implements FixedKeyProcessor<Bytes, byte[], Parsed> {
    static final String HEADER_REASON = "dlq.reason";
    static final String HEADER_TOPIC = "dlq.source.topic";
    static final String HEADER_PARTITION = "dlq.source.partition";
    static final String HEADER_OFFSET = "dlq.source.offset";
    private static final Logger LOG = LoggerFactory.getLogger(DecodeProcessor.class);

    private final ValueDecoder decoder;
    private final Function<CdcRecord, List<KeyValue<String, Change>>> parser;
    private FixedKeyProcessorContext<Bytes, Parsed> context;

    DecodeProcessor(ValueDecoder decoder, Function<CdcRecord, List<KeyValue<String, Change>>> parser) {
        this.decoder = decoder;
        this.parser = parser;
    }

    @Override
    public void init(FixedKeyProcessorContext<Bytes, Parsed> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<Bytes, byte[]> record) {
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("?");
        try {
            CdcRecord cdc = decoder.decode(topic, record.value());
            if (cdc == null) return; // tombstone after a delete: the delete event before it carried the change
            context.forward(record.withValue(new Parsed(parser.apply(cdc), null, null)));
        } catch (PoisonRecordException e) {
            Headers headers = new RecordHeaders(record.headers().toArray());
            RecordMetadata meta = context.recordMetadata().orElse(null);
            headers.add(HEADER_REASON, utf8(e.getMessage()));
            headers.add(HEADER_TOPIC, utf8(topic));
            if (meta != null) {
                headers.add(HEADER_PARTITION, utf8(Integer.toString(meta.partition())));
                headers.add(HEADER_OFFSET, utf8(Long.toString(meta.offset())));
            }
            LOG.warn("dead letter: {} partition {} offset {}: {}", topic, meta == null ? "?" : meta.partition(), meta == null ? "?" : meta.offset(),
                    e.getMessage());
            context.forward(record.withValue(new Parsed(null, e.getMessage(), record.value())).withHeaders(headers));
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
