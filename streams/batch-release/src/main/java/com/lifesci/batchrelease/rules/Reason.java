package com.lifesci.batchrelease.rules;

import java.util.LinkedHashMap;
import java.util.Map;

/** Why a batch is not READY: a code and the ids and values that explain it. */
public record Reason(Code code, String text, Map<String, Object> details) {
    public enum Code {
        /** BLOCKED: the latest valid result of a required test is outside the current spec limits. */
        TEST_OUT_OF_SPEC(true),
        /** BLOCKED: an ALARM or CRITICAL machine event was recorded against the batch while it ran. */
        MACHINE_ALARM(true),
        /** BLOCKED: MES rejected the batch. */
        BATCH_REJECTED(true),
        /** PENDING: a required test has no valid result yet. */
        TEST_MISSING(false),
        /** PENDING: the batch has not completed. */
        BATCH_NOT_COMPLETED(false),
        /** PENDING: no spec limits are known for the batch's material, so nothing says what to test. */
        NO_SPECIFICATION(false);

        public final boolean blocks;

        Code(boolean blocks) {
            this.blocks = blocks;
        }
    }

    static Reason of(Code code, String text, Object... keyValues) {
        Map<String, Object> details = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) details.put((String) keyValues[i], keyValues[i + 1]);
        return new Reason(code, text, details);
    }
}
