package com.lifesci.batchrelease;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

class HealthServerTest {
    @Test
    void okWhileRunningOrRebalancingAndUnavailableOtherwise() throws Exception {
        AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.CREATED);
        try (HealthServer health = new HealthServer(0, state::get)) {
            HttpClient http = HttpClient.newHttpClient();
            URI uri = URI.create("http://127.0.0.1:" + health.port() + "/health");
            for (KafkaStreams.State s : KafkaStreams.State.values()) {
                state.set(s);
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
                int expected = s == KafkaStreams.State.RUNNING || s == KafkaStreams.State.REBALANCING ? 200 : 503;
                assertEquals(expected, r.statusCode(), s.name());
                assertEquals("{\"state\":\"" + s + "\"}", r.body());
            }
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode());
        }
    }
}
