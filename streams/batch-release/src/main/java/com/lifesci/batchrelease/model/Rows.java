package com.lifesci.batchrelease.model;

import com.lifesci.batchrelease.cdc.PoisonRecordException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Map;

/** Typed reads of a decoded row image; a missing or malformed column is a poison record naming it. */
final class Rows {
    private Rows() {}

    static String text(String table, Map<String, Object> row, String column) {
        Object v = row.get(column);
        if (v == null) throw missing(table, column);
        return v.toString();
    }

    static String optionalText(Map<String, Object> row, String column) {
        Object v = row.get(column);
        return v == null ? null : v.toString();
    }

    static long integer(String table, Map<String, Object> row, String column) {
        Object v = row.get(column);
        if (v == null) throw missing(table, column);
        if (v instanceof Number n) return n.longValue();
        try {
            return Long.parseLong(v.toString());
        } catch (NumberFormatException e) {
            throw new PoisonRecordException(table + "." + column + " is not an integer: " + v);
        }
    }

    static BigDecimal decimal(String table, Map<String, Object> row, String column) {
        BigDecimal d = optionalDecimal(table, row, column);
        if (d == null) throw missing(table, column);
        return d;
    }

    static BigDecimal optionalDecimal(String table, Map<String, Object> row, String column) {
        Object v = row.get(column);
        if (v == null) return null;
        if (v instanceof BigDecimal d) return d;
        if (v instanceof Long || v instanceof Integer) return BigDecimal.valueOf(((Number) v).longValue());
        try {
            return new BigDecimal(v.toString());
        } catch (NumberFormatException e) {
            throw new PoisonRecordException(table + "." + column + " is not a number: \"" + v + "\" (a base64 decimal without its schema:"
                    + " run JsonConverter with schemas.enable=true or decimal.format=NUMERIC)");
        }
    }

    /** Epoch millis: Connect Timestamp (a number) or an ISO-8601 text (Debezium ZonedTimestamp, string modes). */
    static Long optionalInstant(String table, Map<String, Object> row, String column) {
        Object v = row.get(column);
        if (v == null) return null;
        if (v instanceof Number n) return n.longValue();
        String s = v.toString();
        try {
            return Instant.parse(s).toEpochMilli();
        } catch (DateTimeParseException notInstant) {
            try {
                return LocalDateTime.parse(s.replace(' ', 'T')).toInstant(ZoneOffset.UTC).toEpochMilli();
            } catch (DateTimeParseException e) {
                throw new PoisonRecordException(table + "." + column + " is not a timestamp: " + s);
            }
        }
    }

    static long instant(String table, Map<String, Object> row, String column) {
        Long v = optionalInstant(table, row, column);
        if (v == null) throw missing(table, column);
        return v;
    }

    private static PoisonRecordException missing(String table, String column) {
        return new PoisonRecordException(table + "." + column + " is missing or null");
    }
}
