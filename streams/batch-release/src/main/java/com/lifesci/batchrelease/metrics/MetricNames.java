package com.lifesci.batchrelease.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;

/**
 * The app's metric and label names, read from {@code metrics.json} on the classpath: the Pulumi
 * program reads the same file for its dashboard queries and its CloudWatch scrape job, so a name
 * exists once.
 */
public record MetricNames(Name batchesByStatus, Name overdueBatches, Label status, Label task) {
    /** A gauge: its Prometheus name (GET /metrics), its CloudWatch metric name (EMF) and help text. */
    public record Name(String prometheus, String cloudwatch, String help) {}

    /** A label: its Prometheus label name and its CloudWatch dimension name. */
    public record Label(String prometheus, String cloudwatch) {}

    public static final MetricNames DEFAULT = load("/metrics.json");

    static MetricNames load(String resource) {
        try (InputStream in = MetricNames.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException(resource + " is missing from the classpath");
            JsonNode root = new ObjectMapper().readTree(in);
            return new MetricNames(name(root, "batchesByStatus"), name(root, "overdueBatches"), label(root, "statusLabel"), label(root, "taskLabel"));
        } catch (IOException e) {
            throw new IllegalStateException(resource + " is not readable JSON", e);
        }
    }

    private static Name name(JsonNode root, String key) {
        return new Name(text(root, key, "prometheus"), text(root, key, "cloudwatch"), text(root, key, "help"));
    }

    private static Label label(JsonNode root, String key) {
        return new Label(text(root, key, "prometheus"), text(root, key, "cloudwatch"));
    }

    private static String text(JsonNode root, String key, String field) {
        JsonNode v = root.path(key).path(field);
        if (!v.isTextual() || v.asText().isBlank()) throw new IllegalStateException("metrics.json: " + key + "." + field + " is missing");
        return v.asText();
    }
}
