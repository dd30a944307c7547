package com.lifesci.batchrelease.model;

import java.math.BigDecimal;
import java.util.Map;

/** A row of lims.test_results. */
public record TestResult(long resultId, long sampleId, long specId, String testCode, BigDecimal resultValue, String unit, String status,
                         Long measuredAt) {
    public static TestResult fromRow(Map<String, Object> row) {
        String t = "lims.test_results";
        return new TestResult(Rows.integer(t, row, "result_id"), Rows.integer(t, row, "sample_id"), Rows.integer(t, row, "spec_id"),
                Rows.text(t, row, "test_code"), Rows.decimal(t, row, "result_value"), Rows.optionalText(row, "unit"),
                Rows.text(t, row, "status"), Rows.optionalInstant(t, row, "measured_at"));
    }
}
