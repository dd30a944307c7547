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
        try (HealthServer health = new HealthServer(0, state::get, () -> "")) {
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

    @Test
    void metricsInPrometheusTextFormatWithItsContentType() throws Exception {
        com.lifesci.batchrelease.metrics.BatchStatusMetrics metrics = new com.lifesci.batchrelease.metrics.BatchStatusMetrics();
        metrics.publish("3_0", new com.lifesci.batchrelease.metrics.BatchStatusMetrics.TaskCounts(
                java.util.Map.of(com.lifesci.batchrelease.rules.Decision.Status.READY, 7L), 0));
        try (HealthServer health = new HealthServer(0, () -> KafkaStreams.State.RUNNING,
                () -> com.lifesci.batchrelease.metrics.PrometheusText.render(metrics, com.lifesci.batchrelease.metrics.MetricNames.DEFAULT))) {
            HttpClient http = HttpClient.newHttpClient();
            URI uri = URI.create("http://127.0.0.1:" + health.port() + "/metrics");
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
            org.junit.jupiter.api.Assertions.assertTrue(r.body().contains("lifesci_batch_release_batches{status=\"READY\",task=\"3_0\"} 7\n"), r.body());
            // A later scrape sees the counts as they are then.
            metrics.withdraw("3_0");
            HttpResponse<String> after = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            org.junit.jupiter.api.Assertions.assertFalse(after.body().contains("task=\"3_0\""), after.body());
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode());
        }
    }
}
