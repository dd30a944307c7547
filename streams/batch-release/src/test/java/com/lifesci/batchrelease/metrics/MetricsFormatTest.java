package com.lifesci.batchrelease.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.lifesci.batchrelease.rules.Decision.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsFormatTest {
    static BatchStatusMetrics twoTasks() {
        BatchStatusMetrics m = new BatchStatusMetrics();
        m.publish("3_1", new BatchStatusMetrics.TaskCounts(Map.of(Status.READY, 2L, Status.PENDING, 1L), 1));
        m.publish("3_0", new BatchStatusMetrics.TaskCounts(Map.of(Status.BLOCKED, 4L), 0));
        return m;
    }

    @Test
    void namesComeFromTheSharedMetricsJson() {
        assertEquals("lifesci_batch_release_batches", MetricNames.DEFAULT.batchesByStatus().prometheus());
        assertEquals("Batches", MetricNames.DEFAULT.batchesByStatus().cloudwatch());
        assertEquals("status", MetricNames.DEFAULT.status().prometheus());
        assertEquals("Task", MetricNames.DEFAULT.task().cloudwatch());
    }

    @Test
    void prometheusTextHasHelpTypeAndOneSamplePerTaskAndStatus() {
        String help1 = MetricNames.DEFAULT.batchesByStatus().help();
        String help2 = MetricNames.DEFAULT.overdueBatches().help();
        assertEquals(String.join("\n",
                "# HELP lifesci_batch_release_batches " + help1,
                "# TYPE lifesci_batch_release_batches gauge",
                "lifesci_batch_release_batches{status=\"READY\",task=\"3_0\"} 0",
                "lifesci_batch_release_batches{status=\"BLOCKED\",task=\"3_0\"} 4",
                "lifesci_batch_release_batches{status=\"PENDING\",task=\"3_0\"} 0",
                "lifesci_batch_release_batches{status=\"READY\",task=\"3_1\"} 2",
                "lifesci_batch_release_batches{status=\"BLOCKED\",task=\"3_1\"} 0",
                "lifesci_batch_release_batches{status=\"PENDING\",task=\"3_1\"} 1",
                "# HELP lifesci_batch_release_overdue_batches " + help2,
                "# TYPE lifesci_batch_release_overdue_batches gauge",
                "lifesci_batch_release_overdue_batches{task=\"3_0\"} 0",
                "lifesci_batch_release_overdue_batches{task=\"3_1\"} 1",
                ""), PrometheusText.render(twoTasks(), MetricNames.DEFAULT));
    }

    @Test
    void labelValuesAreEscapedAsTheExpositionFormatRequires() {
        assertEquals("a\\\\b\\\"c\\nd", PrometheusText.escape("a\\b\"c\nd"));
    }

    @Test
    void anInstanceWithoutTasksExposesOnlyTheHeaders() {
        String text = PrometheusText.render(new BatchStatusMetrics(), MetricNames.DEFAULT);
        assertEquals(4, text.lines().count());
        assertEquals(List.of(), text.lines().filter(l -> !l.startsWith("#")).toList());
    }

    @Test
    void emfHasOneEventPerTaskAndStatusPlusTheOverdueGaugePerTask() throws Exception {
        List<String> lines = EmbeddedMetricFormat.events(twoTasks(), MetricNames.DEFAULT, "lifesci-dev/batch_release", 1_700_000_000_000L);
        assertEquals(8, lines.size());
        ObjectMapper mapper = new ObjectMapper();
        List<String> seen = new ArrayList<>();
        for (String line : lines) {
            assertEquals(1, line.lines().count(), "one log event per line");
            JsonNode e = mapper.readTree(line);
            JsonNode directive = e.path("_aws").path("CloudWatchMetrics").get(0);
            assertEquals(1_700_000_000_000L, e.path("_aws").path("Timestamp").asLong());
            assertEquals("lifesci-dev/batch_release", directive.path("Namespace").asText());
            String metric = directive.path("Metrics").get(0).path("Name").asText();
            assertEquals("Count", directive.path("Metrics").get(0).path("Unit").asText());
            // Every dimension and the metric are target members at the root (EMF specification).
            for (JsonNode dimension : directive.path("Dimensions").get(0)) assertEquals(true, e.path(dimension.asText()).isTextual(), dimension.asText());
            assertEquals(true, e.path(metric).isNumber(), metric);
            seen.add(metric + "/" + e.path("Task").asText() + "/" + e.path("Status").asText("-") + "=" + e.path(metric).asLong());
        }
        assertEquals(List.of("Batches/3_0/READY=0", "Batches/3_0/BLOCKED=4", "Batches/3_0/PENDING=0", "OverdueBatches/3_0/-=0",
                "Batches/3_1/READY=2", "Batches/3_1/BLOCKED=0", "Batches/3_1/PENDING=1", "OverdueBatches/3_1/-=1"), seen);
    }
}
