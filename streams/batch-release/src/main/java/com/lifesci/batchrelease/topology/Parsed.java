package com.lifesci.batchrelease.topology;

import java.util.List;
import org.apache.kafka.streams.KeyValue;

/** A source record after decoding: its routed changes, or the reason it is poison (with its original bytes). */
record Parsed(List<KeyValue<String, Change>> changes, String error, byte[] raw) {
    boolean failed() {
        return error != null;
    }
}
