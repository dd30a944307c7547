package com.lifesci.batchrelease.model;

import java.util.Map;

/** A row of mes.machine_events; batch_number is NULL between batches. */
public record MachineEvent(long eventId, String machineId, String batchNumber, String eventType, String severity, String message,
                           long occurredAt) {
    public static MachineEvent fromRow(Map<String, Object> row) {
        String t = "mes.machine_events";
        return new MachineEvent(Rows.integer(t, row, "event_id"), Rows.optionalText(row, "machine_id"), Rows.optionalText(row, "batch_number"),
                Rows.text(t, row, "event_type"), Rows.text(t, row, "severity"), Rows.optionalText(row, "message"),
                Rows.instant(t, row, "occurred_at"));
    }
}
