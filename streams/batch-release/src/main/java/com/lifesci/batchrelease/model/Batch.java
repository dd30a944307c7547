package com.lifesci.batchrelease.model;

import java.util.Map;

/** A row of mes.batches (sql/mysql/mes/V001__baseline.sql). Times are epoch millis. */
public record Batch(long batchId, String batchNumber, String plant, String lineId, String materialId, String status,
                    Long startedAt, Long completedAt) {
    public static Batch fromRow(Map<String, Object> row) {
        String t = "mes.batches";
        return new Batch(Rows.integer(t, row, "batch_id"), Rows.text(t, row, "batch_number"), Rows.optionalText(row, "plant"),
                Rows.optionalText(row, "line_id"), Rows.text(t, row, "material_id"), Rows.text(t, row, "status"),
                Rows.optionalInstant(t, row, "started_at"), Rows.optionalInstant(t, row, "completed_at"));
    }
}
