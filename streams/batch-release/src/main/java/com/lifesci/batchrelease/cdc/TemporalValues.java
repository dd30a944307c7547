package com.lifesci.batchrelease.cdc;

import java.util.Set;

/**
 * Temporal logical types to epoch millis. The connectors run time.precision.mode=connect
 * (components/temporalTypes.ts), so DATETIME(6) arrives as Connect's Timestamp (epoch millis);
 * Debezium's adaptive names are accepted as well so a mode change does not silently shift times.
 * https://debezium.io/documentation/reference/2.7/connectors/mysql.html#mysql-temporal-types
 */
final class TemporalValues {
    private static final Set<String> TEMPORAL = Set.of(
            "org.apache.kafka.connect.data.Timestamp", "timestamp-millis", "io.debezium.time.Timestamp",
            "io.debezium.time.MicroTimestamp", "timestamp-micros", "io.debezium.time.NanoTimestamp",
            "org.apache.kafka.connect.data.Date", "io.debezium.time.Date", "date");

    private TemporalValues() {}

    static boolean isTemporal(String name) {
        return name != null && TEMPORAL.contains(name);
    }

    /** A long or int in the unit its logical type names, as epoch millis; other values unchanged. */
    static long toEpochMillis(String name, long value) {
        if (name == null) return value;
        return switch (name) {
            case "io.debezium.time.MicroTimestamp", "timestamp-micros" -> Math.floorDiv(value, 1000L);
            case "io.debezium.time.NanoTimestamp" -> Math.floorDiv(value, 1_000_000L);
            case "org.apache.kafka.connect.data.Date", "io.debezium.time.Date", "date" -> value * 86_400_000L;
            default -> value;
        };
    }
}
