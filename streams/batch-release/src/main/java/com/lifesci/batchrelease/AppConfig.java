package com.lifesci.batchrelease;

import com.lifesci.batchrelease.metrics.BatchStatusMetrics;
import com.lifesci.batchrelease.topology.BatchReleaseTopology;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The app's whole configuration, from environment variables (the contract in README
 * "Configuration"; the platform builds it with catalog.ts streamsAppEnvironment). A bad or
 * missing value fails with one message naming the variable.
 */
public record AppConfig(String bootstrapServers, String securityProtocol, String saslUsername, String saslPassword, String applicationId,
                        BatchReleaseTopology.Topics topics, String valueFormat, String schemaRegistryUrl, String schemaRegistryUsername,
                        String schemaRegistryPassword, Duration overdueAfter, Duration overdueCheckInterval, int replicationFactor,
                        String stateDir, int healthPort, boolean statusJsonSchemas, String emfNamespace) {

    /** Bad configuration: the message names the variable. */
    public static class ConfigException extends RuntimeException {
        public ConfigException(String message) {
            super(message);
        }
    }

    public static AppConfig fromEnv(Map<String, String> env) {
        Reader r = new Reader(env);
        String protocol = r.oneOf("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT", "PLAINTEXT", "SASL_SSL");
        boolean sasl = protocol.equals("SASL_SSL");
        String format = r.oneOf("VALUE_FORMAT", "avro", "avro", "json");
        boolean avro = format.equals("avro");
        return new AppConfig(
                r.required("KAFKA_BOOTSTRAP_SERVERS"),
                protocol,
                sasl ? r.required("KAFKA_SASL_USERNAME") : null,
                sasl ? r.required("KAFKA_SASL_PASSWORD") : null,
                r.required("APPLICATION_ID"),
                new BatchReleaseTopology.Topics(
                        r.required("TOPIC_BATCHES"), r.required("TOPIC_MACHINE_EVENTS"), r.required("TOPIC_SAMPLES"),
                        r.required("TOPIC_TEST_RESULTS"), r.required("TOPIC_SPEC_LIMITS"),
                        r.required("TOPIC_STATUS"), r.required("TOPIC_OVERDUE"), r.required("TOPIC_DEAD_LETTER")),
                format,
                avro ? r.url("SCHEMA_REGISTRY_URL") : null,
                avro ? r.optional("SCHEMA_REGISTRY_USERNAME", null) : null,
                avro ? r.pairedSecret("SCHEMA_REGISTRY_PASSWORD", "SCHEMA_REGISTRY_USERNAME") : null,
                r.duration("OVERDUE_AFTER", "PT24H"),
                r.duration("OVERDUE_CHECK_INTERVAL", "PT1M"),
                r.integer("REPLICATION_FACTOR", 3, 1, 32767),
                r.optional("STATE_DIR", "/tmp/kafka-streams"),
                r.integer("HEALTH_PORT", 8080, 0, 65535),
                r.oneOf("STATUS_JSON_SCHEMAS", "false", "false", "true").equals("true"),
                r.cloudwatchNamespace("METRICS_EMF_NAMESPACE"));
    }

    public BatchReleaseTopology.Settings topologySettings() {
        return topologySettings(new BatchStatusMetrics());
    }

    /** @param metrics the registry GET /metrics (and the EMF reporter) read */
    public BatchReleaseTopology.Settings topologySettings(BatchStatusMetrics metrics) {
        return new BatchReleaseTopology.Settings(overdueAfter, overdueCheckInterval, statusJsonSchemas, metrics);
    }

    /** Kafka Streams properties. https://kafka.apache.org/37/documentation/streams/developer-guide/config-streams.html */
    public Properties streamsProperties() {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        // Exactly once: the status records, the state changelogs and the input offsets commit in one transaction.
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, replicationFactor);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, securityProtocol);
        if (securityProtocol.equals("SASL_SSL")) {
            // Confluent Cloud: an API key as SASL/PLAIN over TLS. https://docs.confluent.io/cloud/current/client-apps/config-client.html
            p.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
            p.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                    + jaasEscape(saslUsername) + "\" password=\"" + jaasEscape(saslPassword) + "\";");
        }
        return p;
    }

    private static String jaasEscape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** Never the generated record toString: it would print the SASL and Schema Registry secrets. */
    @Override
    public String toString() {
        return describe();
    }

    /** For the start-up log line: everything but the secrets. */
    public String describe() {
        return "application.id=" + applicationId + " bootstrap=" + bootstrapServers + " security=" + securityProtocol + " format=" + valueFormat
                + (schemaRegistryUrl != null ? " schemaRegistry=" + schemaRegistryUrl : "") + " " + topics + " overdueAfter=" + overdueAfter
                + " overdueCheckInterval=" + overdueCheckInterval + " replicationFactor=" + replicationFactor + " stateDir=" + stateDir
                + " healthPort=" + healthPort + " statusJsonSchemas=" + statusJsonSchemas
                + (emfNamespace != null ? " emfNamespace=" + emfNamespace : "");
    }

    private record Reader(Map<String, String> env) {
        String optional(String name, String fallback) {
            String v = env.get(name);
            return v == null || v.isBlank() ? fallback : v.trim();
        }

        String required(String name) {
            String v = optional(name, null);
            if (v == null) throw new ConfigException(name + " is required but not set");
            return v;
        }

        String oneOf(String name, String fallback, String... allowed) {
            String v = optional(name, fallback);
            for (String a : allowed) if (a.equals(v)) return v;
            throw new ConfigException(name + " is \"" + v + "\"; expected one of " + String.join(", ", allowed));
        }

        String url(String name) {
            String v = required(name);
            if (!v.matches("https?://[^\\s/]+.*")) throw new ConfigException(name + " is \"" + v + "\"; expected an http(s):// URL");
            return v;
        }

        /**
         * Optional CloudWatch namespace: 1-255 characters, ASCII without control characters, and not
         * the reserved {@code AWS/} prefix
         * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html, Namespace).
         */
        String cloudwatchNamespace(String name) {
            String v = optional(name, null);
            if (v == null) return null;
            if (v.length() > 255 || !v.matches("[\\x20-\\x7E]+") || v.startsWith(":")) {
                throw new ConfigException(name + " is \"" + v + "\"; expected a CloudWatch namespace (1-255 printable ASCII characters, not starting with ':')");
            }
            if (v.startsWith("AWS/")) throw new ConfigException(name + " is \"" + v + "\"; namespaces starting with AWS/ are reserved for AWS services");
            return v;
        }

        String pairedSecret(String name, String pairedWith) {
            String v = optional(name, null);
            if ((v == null) != (optional(pairedWith, null) == null)) {
                throw new ConfigException(name + " and " + pairedWith + " must be set together");
            }
            return v;
        }

        Duration duration(String name, String fallback) {
            String v = optional(name, fallback);
            try {
                Duration d = Duration.parse(v);
                if (d.isNegative() || d.isZero()) throw new ConfigException(name + " is \"" + v + "\"; expected a positive ISO-8601 duration (e.g. PT24H)");
                return d;
            } catch (DateTimeParseException e) {
                throw new ConfigException(name + " is \"" + v + "\"; expected an ISO-8601 duration (e.g. PT24H, PT1M)");
            }
        }

        int integer(String name, int fallback, int min, int max) {
            String v = optional(name, Integer.toString(fallback));
            try {
                int i = Integer.parseInt(v);
                if (i < min || i > max) throw new ConfigException(name + " is " + i + "; expected " + min + ".." + max);
                return i;
            } catch (NumberFormatException e) {
                throw new ConfigException(name + " is \"" + v + "\"; expected an integer");
            }
        }
    }
}
