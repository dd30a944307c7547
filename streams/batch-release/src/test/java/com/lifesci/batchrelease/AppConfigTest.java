package com.lifesci.batchrelease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AppConfigTest {
    static Map<String, String> minimal() {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
        env.put("APPLICATION_ID", "lifesci-dev.streams.batch-release");
        env.put("TOPIC_BATCHES", "b");
        env.put("TOPIC_MACHINE_EVENTS", "m");
        env.put("TOPIC_SAMPLES", "s");
        env.put("TOPIC_TEST_RESULTS", "r");
        env.put("TOPIC_SPEC_LIMITS", "l");
        env.put("TOPIC_STATUS", "st");
        env.put("TOPIC_OVERDUE", "o");
        env.put("TOPIC_DEAD_LETTER", "d");
        env.put("VALUE_FORMAT", "json");
        return env;
    }

    static String error(Map<String, String> env) {
        return assertThrows(AppConfig.ConfigException.class, () -> AppConfig.fromEnv(env)).getMessage();
    }

    @Test
    void defaultsAndStreamsProperties() {
        AppConfig c = AppConfig.fromEnv(minimal());
        assertEquals(Duration.ofHours(24), c.overdueAfter());
        assertEquals(Duration.ofMinutes(1), c.overdueCheckInterval());
        assertEquals(3, c.replicationFactor());
        assertEquals("/tmp/kafka-streams", c.stateDir());
        assertEquals(8080, c.healthPort());
        assertEquals(false, c.topologySettings().statusJsonSchemas());
        Properties p = c.streamsProperties();
        assertEquals("exactly_once_v2", p.get("processing.guarantee"));
        assertEquals("lifesci-dev.streams.batch-release", p.get("application.id"));
        assertEquals(3, p.get("replication.factor"));
        assertEquals("PLAINTEXT", p.get("security.protocol"));
        assertNull(p.get("sasl.jaas.config"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"KAFKA_BOOTSTRAP_SERVERS", "APPLICATION_ID", "TOPIC_BATCHES", "TOPIC_MACHINE_EVENTS", "TOPIC_SAMPLES",
            "TOPIC_TEST_RESULTS", "TOPIC_SPEC_LIMITS", "TOPIC_STATUS", "TOPIC_OVERDUE", "TOPIC_DEAD_LETTER"})
    void everyRequiredVariableIsNamedWhenMissingOrBlank(String name) {
        Map<String, String> env = minimal();
        env.remove(name);
        assertEquals(name + " is required but not set", error(env));
        env.put(name, "  ");
        assertEquals(name + " is required but not set", error(env));
    }

    @Test
    void saslSslNeedsTheApiKeyAndPutsItInTheJaasConfigOnly() {
        Map<String, String> env = minimal();
        env.put("KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
        assertEquals("KAFKA_SASL_USERNAME is required but not set", error(env));
        env.put("KAFKA_SASL_USERNAME", "KEY");
        assertEquals("KAFKA_SASL_PASSWORD is required but not set", error(env));
        env.put("KAFKA_SASL_PASSWORD", "se\"cret");
        AppConfig c = AppConfig.fromEnv(env);
        Properties p = c.streamsProperties();
        assertEquals("PLAIN", p.get("sasl.mechanism"));
        assertEquals("org.apache.kafka.common.security.plain.PlainLoginModule required username=\"KEY\" password=\"se\\\"cret\";",
                p.get("sasl.jaas.config"));
        assertTrue(!c.describe().contains("cret") && !c.toString().contains("cret"), "the start-up line never shows the secret");
    }

    @Test
    void avroNeedsASchemaRegistryUrlAndPairedCredentials() {
        Map<String, String> env = minimal();
        env.put("VALUE_FORMAT", "avro");
        assertEquals("SCHEMA_REGISTRY_URL is required but not set", error(env));
        env.put("SCHEMA_REGISTRY_URL", "psrc-123.eu-central-1.aws.confluent.cloud");
        assertTrue(error(env).startsWith("SCHEMA_REGISTRY_URL is \"psrc-123"), error(env));
        env.put("SCHEMA_REGISTRY_URL", "https://psrc-123.eu-central-1.aws.confluent.cloud");
        env.put("SCHEMA_REGISTRY_USERNAME", "SRKEY");
        assertEquals("SCHEMA_REGISTRY_PASSWORD and SCHEMA_REGISTRY_USERNAME must be set together", error(env));
        env.put("SCHEMA_REGISTRY_PASSWORD", "x");
        assertEquals("SRKEY", AppConfig.fromEnv(env).schemaRegistryUsername());
        env.remove("VALUE_FORMAT");
        assertEquals("avro", AppConfig.fromEnv(env).valueFormat(), "avro is the default");
    }

    @Test
    void enumsDurationsAndNumbersAreChecked() {
        Map<String, String> env = minimal();
        env.put("VALUE_FORMAT", "protobuf");
        assertEquals("VALUE_FORMAT is \"protobuf\"; expected one of avro, json", error(env));
        env.put("VALUE_FORMAT", "json");
        env.put("KAFKA_SECURITY_PROTOCOL", "SSL");
        assertEquals("KAFKA_SECURITY_PROTOCOL is \"SSL\"; expected one of PLAINTEXT, SASL_SSL", error(env));
        env.remove("KAFKA_SECURITY_PROTOCOL");
        env.put("OVERDUE_AFTER", "24h");
        assertEquals("OVERDUE_AFTER is \"24h\"; expected an ISO-8601 duration (e.g. PT24H, PT1M)", error(env));
        env.put("OVERDUE_AFTER", "PT0S");
        assertTrue(error(env).startsWith("OVERDUE_AFTER is \"PT0S\"; expected a positive"));
        env.put("OVERDUE_AFTER", "P2D");
        env.put("OVERDUE_CHECK_INTERVAL", "-PT1M");
        assertTrue(error(env).startsWith("OVERDUE_CHECK_INTERVAL"));
        env.put("OVERDUE_CHECK_INTERVAL", "PT30S");
        env.put("REPLICATION_FACTOR", "three");
        assertEquals("REPLICATION_FACTOR is \"three\"; expected an integer", error(env));
        env.put("REPLICATION_FACTOR", "0");
        assertEquals("REPLICATION_FACTOR is 0; expected 1..32767", error(env));
        env.put("REPLICATION_FACTOR", "1");
        env.put("HEALTH_PORT", "70000");
        assertEquals("HEALTH_PORT is 70000; expected 0..65535", error(env));
        env.put("HEALTH_PORT", "0");
        env.put("STATUS_JSON_SCHEMAS", "yes");
        assertEquals("STATUS_JSON_SCHEMAS is \"yes\"; expected one of false, true", error(env));
        env.put("STATUS_JSON_SCHEMAS", "true");
        AppConfig c = AppConfig.fromEnv(env);
        assertTrue(c.topologySettings().statusJsonSchemas());
        assertEquals(Duration.ofDays(2), c.overdueAfter());
        assertEquals(Duration.ofSeconds(30), c.overdueCheckInterval());
    }

    @Test
    void emfNamespaceIsOptionalAndValidated() {
        assertNull(AppConfig.fromEnv(minimal()).emfNamespace());
        Map<String, String> env = minimal();
        env.put("METRICS_EMF_NAMESPACE", "lifesci-dev/batch_release");
        assertEquals("lifesci-dev/batch_release", AppConfig.fromEnv(env).emfNamespace());
        env.put("METRICS_EMF_NAMESPACE", "AWS/ECS");
        assertTrue(error(env).startsWith("METRICS_EMF_NAMESPACE is \"AWS/ECS\"; namespaces starting with AWS/ are reserved"), error(env));
        env.put("METRICS_EMF_NAMESPACE", "caf\u00e9");
        assertTrue(error(env).startsWith("METRICS_EMF_NAMESPACE is "), error(env));
        env.put("METRICS_EMF_NAMESPACE", "x".repeat(256));
        assertTrue(error(env).startsWith("METRICS_EMF_NAMESPACE is "), error(env));
    }
}
