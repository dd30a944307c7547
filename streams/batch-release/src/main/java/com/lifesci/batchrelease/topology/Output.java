package com.lifesci.batchrelease.topology;

/** A record for one of the app's output topics; a null json on the status topic is a tombstone. */
public record Output(Kind kind, String json) {
    public enum Kind { STATUS, OVERDUE }
}
