package com.lifesci.batchrelease.model;

import java.util.Map;

/** A row of lims.samples: which batch (and material) a sample, hence its results, belongs to. */
public record Sample(long sampleId, String sampleCode, String batchNumber, String materialId) {
    public static Sample fromRow(Map<String, Object> row) {
        String t = "lims.samples";
        return new Sample(Rows.integer(t, row, "sample_id"), Rows.optionalText(row, "sample_code"), Rows.text(t, row, "batch_number"),
                Rows.text(t, row, "material_id"));
    }
}
