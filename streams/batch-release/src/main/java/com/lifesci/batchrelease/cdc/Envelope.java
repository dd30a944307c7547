package com.lifesci.batchrelease.cdc;

import java.util.Map;
import java.util.Set;

/** Debezium envelope checks shared by both decoders. */
final class Envelope {
    private static final Set<String> OPS = Set.of("c", "r", "u", "d");

    private Envelope() {}

    static CdcRecord of(String topic, Object op, Map<String, Object> before, Map<String, Object> after, Object sourceTsMs) {
        if (!(op instanceof String o) || !OPS.contains(o)) {
            throw new PoisonRecordException(topic + ": Debezium envelope has op " + op + "; expected one of c, r, u, d");
        }
        if (o.equals("d") ? before == null : after == null) {
            throw new PoisonRecordException(topic + ": Debezium envelope op " + o + " without its " + (o.equals("d") ? "before" : "after") + " image");
        }
        Long ts = sourceTsMs instanceof Number n ? n.longValue() : null;
        return new CdcRecord(o, before, after, ts);
    }
}
