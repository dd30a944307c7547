package com.lifesci.batchrelease.rules;

import java.util.List;

/** The release decision for one batch. */
public record Decision(Status status, List<Reason> reasons, int requiredTests, int testsInSpec) {
    public enum Status { READY, BLOCKED, PENDING }
}
