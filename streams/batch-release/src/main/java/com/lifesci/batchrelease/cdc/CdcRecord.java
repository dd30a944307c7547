package com.lifesci.batchrelease.cdc;

import java.util.Map;

/**
 * One Debezium change event, decoded from Avro or JSON into plain Java values: strings, Long,
 * BigDecimal (decimal.handling.mode=precise), Long epoch millis for DATETIME columns
 * (time.precision.mode=connect). {@code before} is null for creates and snapshot reads,
 * {@code after} is null for deletes.
 */
public record CdcRecord(String op, Map<String, Object> before, Map<String, Object> after, Long sourceTsMs) {

    public boolean isDelete() {
        return "d".equals(op);
    }

    /** The row image that identifies the row: after, or before for a delete. */
    public Map<String, Object> current() {
        return after != null ? after : before;
    }
}
