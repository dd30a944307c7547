package com.lifesci.batchrelease.topology;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Stores whose content outlives a TopologyTestDriver (which wipes its state directory on close and
 * restores nothing from changelogs): a second driver opens them already filled, as a restarted
 * instance finds its stores once Kafka Streams restored them from their changelog topics.
 */
final class SurvivingStores {
    private final Map<String, ConcurrentSkipListMap<Bytes, byte[]>> contents = new ConcurrentHashMap<>();

    KeyValueBytesStoreSupplier supplier(String name) {
        ConcurrentSkipListMap<Bytes, byte[]> data = contents.computeIfAbsent(name, n -> new ConcurrentSkipListMap<>());
        return new KeyValueBytesStoreSupplier() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public KeyValueStore<Bytes, byte[]> get() {
                return new Store(name, data);
            }

            @Override
            public String metricsScope() {
                return "surviving";
            }
        };
    }

    private static final class Store implements KeyValueStore<Bytes, byte[]> {
        private final String name;
        private final ConcurrentSkipListMap<Bytes, byte[]> data;
        private volatile boolean open;
        private final org.apache.kafka.streams.query.Position position = org.apache.kafka.streams.query.Position.emptyPosition();

        Store(String name, ConcurrentSkipListMap<Bytes, byte[]> data) {
            this.name = name;
            this.data = data;
        }

        @Override
        public String name() {
            return name;
        }

        @Deprecated
        @Override
        public void init(org.apache.kafka.streams.processor.ProcessorContext context, StateStore root) {
            context.register(root, (key, value) -> {});
            open = true;
        }

        @Override
        public void init(StateStoreContext context, StateStore root) {
            context.register(root, (key, value) -> {});
            open = true;
        }

        @Override
        public void flush() {}

        @Override
        public void close() {
            open = false; // the content stays: that is the point
        }

        @Override
        public org.apache.kafka.streams.query.Position getPosition() {
            return position;
        }

        @Override
        public boolean persistent() {
            return false;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void put(Bytes key, byte[] value) {
            if (value == null) data.remove(key);
            else data.put(key, value);
        }

        @Override
        public byte[] putIfAbsent(Bytes key, byte[] value) {
            byte[] old = data.get(key);
            if (old == null) put(key, value);
            return old;
        }

        @Override
        public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
            for (KeyValue<Bytes, byte[]> e : entries) put(e.key, e.value);
        }

        @Override
        public byte[] delete(Bytes key) {
            return data.remove(key);
        }

        @Override
        public byte[] get(Bytes key) {
            return data.get(key);
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
            return iterator(data.subMap(from, true, to, true).entrySet().iterator());
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> all() {
            return iterator(data.entrySet().iterator());
        }

        @Override
        public long approximateNumEntries() {
            return data.size();
        }

        private static KeyValueIterator<Bytes, byte[]> iterator(Iterator<Map.Entry<Bytes, byte[]>> it) {
            List<Map.Entry<Bytes, byte[]>> copy = new java.util.ArrayList<>();
            it.forEachRemaining(e -> copy.add(Map.entry(e.getKey(), e.getValue())));
            Iterator<Map.Entry<Bytes, byte[]>> entries = copy.iterator();
            return new KeyValueIterator<>() {
                private Map.Entry<Bytes, byte[]> peeked;

                @Override
                public boolean hasNext() {
                    return peeked != null || entries.hasNext();
                }

                @Override
                public KeyValue<Bytes, byte[]> next() {
                    Map.Entry<Bytes, byte[]> e = peeked != null ? peeked : entries.next();
                    peeked = null;
                    return KeyValue.pair(e.getKey(), e.getValue());
                }

                @Override
                public Bytes peekNextKey() {
                    if (peeked == null) peeked = entries.next();
                    return peeked.getKey();
                }

                @Override
                public void close() {}
            };
        }
    }
}
