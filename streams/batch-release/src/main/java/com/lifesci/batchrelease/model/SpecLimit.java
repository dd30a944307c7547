package com.lifesci.batchrelease.model;

import java.math.BigDecimal;
import java.util.Map;

/** A row of lims.spec_limits: one version of the limits of a test for a material. NULL limit = unbounded. */
public record SpecLimit(long specId, String materialId, String testCode, BigDecimal lowerLimit, BigDecimal upperLimit, String unit,
                        int specVersion, Long effectiveFrom) {
    public static SpecLimit fromRow(Map<String, Object> row) {
        String t = "lims.spec_limits";
        return new SpecLimit(Rows.integer(t, row, "spec_id"), Rows.text(t, row, "material_id"), Rows.text(t, row, "test_code"),
                Rows.optionalDecimal(t, row, "lower_limit"), Rows.optionalDecimal(t, row, "upper_limit"), Rows.optionalText(row, "unit"),
                (int) Rows.integer(t, row, "spec_version"), Rows.optionalInstant(t, row, "effective_from"));
    }

    public boolean admits(BigDecimal value) {
        return (lowerLimit == null || value.compareTo(lowerLimit) >= 0) && (upperLimit == null || value.compareTo(upperLimit) <= 0);
    }
}
