package com.lifesci.batchrelease.metrics;

import com.lifesci.batchrelease.rules.Decision;
import java.util.Map;

/**
 * The metrics in Prometheus' text exposition format 0.0.4: {@code # HELP}, {@code # TYPE} and one
 * line per sample, label values escaped (backslash, double quote, line feed).
 * https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */
public final class PrometheusText {
    /** The exposition format's content type (same page, "Basic info"). */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusText() {}

    public static String render(BatchStatusMetrics metrics, MetricNames names) {
        Map<String, BatchStatusMetrics.TaskCounts> tasks = metrics.snapshot();
        StringBuilder out = new StringBuilder();
        header(out, names.batchesByStatus());
        for (Map.Entry<String, BatchStatusMetrics.TaskCounts> task : tasks.entrySet()) {
            for (Map.Entry<Decision.Status, Long> s : task.getValue().byStatus().entrySet()) {
                out.append(names.batchesByStatus().prometheus())
                        .append('{').append(names.status().prometheus()).append("=\"").append(escape(s.getKey().name()))
                        .append("\",").append(names.task().prometheus()).append("=\"").append(escape(task.getKey())).append("\"} ")
                        .append(s.getValue()).append('\n');
            }
        }
        header(out, names.overdueBatches());
        for (Map.Entry<String, BatchStatusMetrics.TaskCounts> task : tasks.entrySet()) {
            out.append(names.overdueBatches().prometheus())
                    .append('{').append(names.task().prometheus()).append("=\"").append(escape(task.getKey())).append("\"} ")
                    .append(task.getValue().overdue()).append('\n');
        }
        return out.toString();
    }

    private static void header(StringBuilder out, MetricNames.Name name) {
        out.append("# HELP ").append(name.prometheus()).append(' ')
                .append(name.help().replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
        out.append("# TYPE ").append(name.prometheus()).append(" gauge\n");
    }

    static String escape(String labelValue) {
        return labelValue.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
