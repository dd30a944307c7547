package com.lifesci.batchrelease.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.lifesci.batchrelease.cdc.AvroCdcDecoder;
import com.lifesci.batchrelease.cdc.ConfluentAvro;
import com.lifesci.batchrelease.cdc.FakeSchemaRegistry;
import com.lifesci.batchrelease.cdc.SchemaRegistryClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The production format end to end through the same topology: Avro in Confluent wire format. */
class AvroTopologyTest {
    @TempDir
    Path stateDir;

    @Test
    void theSameTopologyDecidesOnAvroAndDeadLettersAnUnknownSchemaId() throws Exception {
        BatchReleaseTopology.Topics t = BatchReleaseTopologyTest.TOPICS;
        try (FakeSchemaRegistry registry = new FakeSchemaRegistry()) {
            Map<String, Integer> ids = Map.of("mes.batches", 1, "lims.spec_limits", 2, "lims.samples", 3, "lims.test_results", 4, "mes.machine_events", 5);
            ids.forEach((table, id) -> registry.register(id, ConfluentAvro.envelopeSchema("lifesci", table)));
            SchemaRegistryClient client = new SchemaRegistryClient(registry.url(), null, null);
            Properties props = new Properties();
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, "test.avro");
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
            props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
            try (TopologyTestDriver driver = new TopologyTestDriver(
                    BatchReleaseTopology.build(t, new AvroCdcDecoder(client), BatchReleaseTopologyTest.SETTINGS), props,
                    BatchReleaseTopologyTest.NOW)) {
                ByteArraySerializer b = new ByteArraySerializer();
                class Pipe {
                    void create(String topic, String table, Map<String, Object> row) {
                        TestInputTopic<byte[], byte[]> in = driver.createInputTopic(topic, b, b);
                        Schema s = ConfluentAvro.envelopeSchema("lifesci", table);
                        in.pipeInput(new byte[] {1}, ConfluentAvro.encode(ids.get(table), s, "c", null, row));
                    }
                }
                Pipe pipe = new Pipe();
                pipe.create(t.specLimits(), "lims.spec_limits", BatchReleaseTopologyTest.spec1);
                pipe.create(t.batches(), "mes.batches", BatchReleaseTopologyTest.batchB1);
                pipe.create(t.samples(), "lims.samples", BatchReleaseTopologyTest.sampleS10);
                pipe.create(t.testResults(), "lims.test_results", BatchReleaseTopologyTest.assay);
                driver.createInputTopic(t.testResults(), b, b).pipeInput(new byte[] {1}, new byte[] {0, 0, 0, 0, 42, 0});

                List<TestRecord<String, String>> status = driver.createOutputTopic(t.status(), new StringDeserializer(), new StringDeserializer())
                        .readRecordsToList();
                Map<String, Object> last = BatchReleaseTopologyTest.parse(status.get(status.size() - 1).value());
                assertEquals("READY", last.get("status"));
                TestRecord<byte[], byte[]> dead = driver.createOutputTopic(t.deadLetter(), new ByteArrayDeserializer(), new ByteArrayDeserializer())
                        .readRecord();
                String reason = new String(dead.headers().lastHeader("dlq.reason").value(), StandardCharsets.UTF_8);
                assertTrue(reason.contains("schema id 42") && reason.contains("40403"), reason);
                assertEquals(5, client.fetchCount(), "one fetch per schema id: 4 tables + the unknown id");
            }
        }
    }
}
