package com.lifesci.batchrelease.cdc;

/**
 * The one adapter between the wire format and the topology: Avro (Confluent wire format) in
 * production, Kafka Connect JSON where no Schema Registry runs (the e2e harness). The topology
 * sees only {@link CdcRecord}s.
 */
public interface ValueDecoder {
    /**
     * @return the change event, or null for a tombstone (a null value after a delete)
     * @throws PoisonRecordException when the bytes can never be decoded
     */
    CdcRecord decode(String topic, byte[] value);
}
