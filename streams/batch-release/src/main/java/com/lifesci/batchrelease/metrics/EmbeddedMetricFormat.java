package com.lifesci.batchrelease.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.lifesci.batchrelease.rules.Decision;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metrics as CloudWatch embedded metric format (EMF) log events, one JSON object per line on
 * stdout: the ECS awslogs driver sends each line to CloudWatch Logs with PutLogEvents, and CloudWatch
 * Logs extracts the metrics (the {@code x-amzn-logs-format: json/emf} header is optional:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Generation_PutLogEvents.html).
 * Document structure (root {@code _aws.CloudWatchMetrics[]} directives with Namespace, Dimensions
 * and Metrics; target members at the root; at most 30 dimensions, 100 metrics):
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 * A dimension member holds one value per event, hence one event per task and status.
 */
public final class EmbeddedMetricFormat {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private EmbeddedMetricFormat() {}

    public static List<String> events(BatchStatusMetrics metrics, MetricNames names, String namespace, long timestampMs) {
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, BatchStatusMetrics.TaskCounts> task : metrics.snapshot().entrySet()) {
            for (Map.Entry<Decision.Status, Long> s : task.getValue().byStatus().entrySet()) {
                Map<String, Object> event = event(namespace, timestampMs, names.batchesByStatus().cloudwatch(),
                        List.of(names.status().cloudwatch(), names.task().cloudwatch()));
                event.put(names.status().cloudwatch(), s.getKey().name());
                event.put(names.task().cloudwatch(), task.getKey());
                event.put(names.batchesByStatus().cloudwatch(), s.getValue());
                lines.add(json(event));
            }
            Map<String, Object> overdue = event(namespace, timestampMs, names.overdueBatches().cloudwatch(), List.of(names.task().cloudwatch()));
            overdue.put(names.task().cloudwatch(), task.getKey());
            overdue.put(names.overdueBatches().cloudwatch(), task.getValue().overdue());
            lines.add(json(overdue));
        }
        return lines;
    }

    private static Map<String, Object> event(String namespace, long timestampMs, String metric, List<String> dimensions) {
        Map<String, Object> directive = new LinkedHashMap<>();
        directive.put("Namespace", namespace);
        directive.put("Dimensions", List.of(dimensions));
        // Standard (60 s) resolution: the app reports once a minute.
        directive.put("Metrics", List.of(Map.of("Name", metric, "Unit", "Count")));
        Map<String, Object> aws = new LinkedHashMap<>();
        aws.put("Timestamp", timestampMs);
        aws.put("CloudWatchMetrics", List.of(directive));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("_aws", aws);
        return root;
    }

    private static String json(Map<String, Object> event) {
        try {
            return MAPPER.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("EMF event not serializable", e);
        }
    }
}
