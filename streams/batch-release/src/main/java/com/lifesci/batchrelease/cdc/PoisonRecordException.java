package com.lifesci.batchrelease.cdc;

/**
 * A record the app can never process, whatever it retries: it goes to the dead-letter topic with
 * this message as its reason, and processing goes on. Transient failures (Schema Registry down)
 * are not poison and must not use this type.
 */
public class PoisonRecordException extends RuntimeException {
    public PoisonRecordException(String message) {
        super(message);
    }

    public PoisonRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
