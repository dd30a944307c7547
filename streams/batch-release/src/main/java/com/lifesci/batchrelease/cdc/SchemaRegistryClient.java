package com.lifesci.batchrelease.cdc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;

/**
 * Writer schemas by id from Schema Registry's REST API, cached for the life of the process (a
 * schema id never changes meaning, so the cache never needs invalidating).
 *
 * <p>API: {@code GET /schemas/ids/{id}} answers {@code {"schema": "<schema text>"}} (plus
 * {@code schemaType} for non-Avro schemas); 404 with error_code 40403 when the id is unknown.
 * https://docs.confluent.io/platform/current/schema-registry/develop/api.html#get--schemas-ids-int-%20id
 * Confluent Cloud takes a Schema Registry API key as HTTP basic auth.
 * https://docs.confluent.io/cloud/current/sr/sr-rest-apis.html
 */
public class SchemaRegistryClient {
    /** Schema Registry could not be reached or failed; not the record's fault, so never a dead letter. */
    public static class UnavailableException extends RuntimeException {
        public UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ATTEMPTS = 3;

    private final URI baseUrl;
    private final String authorization;
    private final HttpClient http;
    private final Duration retryBackoff;
    private final Map<Integer, Schema> cache = new ConcurrentHashMap<>();
    private final AtomicInteger fetches = new AtomicInteger();

    public SchemaRegistryClient(String baseUrl, String username, String password) {
        this(baseUrl, username, password, Duration.ofMillis(500));
    }

    SchemaRegistryClient(String baseUrl, String username, String password, Duration retryBackoff) {
        this.baseUrl = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
        this.authorization = username == null || username.isEmpty()
                ? null
                : "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        this.retryBackoff = retryBackoff;
    }

    /** How many times the registry was asked (the cache's effect, for tests and logs). */
    public int fetchCount() {
        return fetches.get();
    }

    public Schema schemaById(int id) {
        Schema cached = cache.get(id);
        if (cached != null) return cached;
        Schema fetched = fetch(id);
        cache.put(id, fetched);
        return fetched;
    }

    private Schema fetch(int id) {
        HttpRequest.Builder request = HttpRequest.newBuilder(baseUrl.resolve("schemas/ids/" + id))
                .timeout(Duration.ofSeconds(15))
                .header("Accept", "application/vnd.schemaregistry.v1+json, application/json");
        if (authorization != null) request.header("Authorization", authorization);
        RuntimeException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            fetches.incrementAndGet();
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                last = new UnavailableException("Schema Registry " + baseUrl + " unreachable fetching schema id " + id + ": " + e, e);
                backoff(attempt);
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UnavailableException("interrupted fetching schema id " + id, e);
            }
            int status = response.statusCode();
            if (status == 200) return parse(id, response.body());
            String detail = "Schema Registry answered HTTP " + status + " for schema id " + id + ": " + errorMessage(response.body());
            if (status == 404) throw new PoisonRecordException(detail);
            if (status == 401 || status == 403) {
                // Every record would fail the same way: stop the app instead of dead-lettering the topic.
                throw new IllegalStateException(detail + " (check SCHEMA_REGISTRY_USERNAME / SCHEMA_REGISTRY_PASSWORD)");
            }
            last = new UnavailableException(detail, null);
            if (status != 429 && status < 500) throw last;
            backoff(attempt);
        }
        throw last;
    }

    private Schema parse(int id, String body) {
        try {
            JsonNode node = JSON.readTree(body);
            String type = node.path("schemaType").asText("AVRO");
            if (!type.equals("AVRO")) throw new PoisonRecordException("schema id " + id + " is " + type + ", not AVRO");
            JsonNode schema = node.get("schema");
            if (schema == null || !schema.isTextual()) throw new UnavailableException("Schema Registry answer for id " + id + " has no schema: " + body, null);
            return new Schema.Parser().parse(schema.asText());
        } catch (IOException e) {
            throw new UnavailableException("Schema Registry answer for id " + id + " is not JSON: " + body, e);
        } catch (org.apache.avro.SchemaParseException e) {
            throw new PoisonRecordException("schema id " + id + " is not a valid Avro schema: " + e.getMessage(), e);
        }
    }

    private static String errorMessage(String body) {
        try {
            JsonNode node = JSON.readTree(body);
            if (node.has("message")) return node.path("error_code").asText("?") + " " + node.get("message").asText();
        } catch (IOException ignored) {
            // not JSON: show it as it came
        }
        return body.length() > 200 ? body.substring(0, 200) : body;
    }

    private void backoff(int attempt) {
        if (attempt == ATTEMPTS) return;
        try {
            Thread.sleep(retryBackoff.toMillis() * attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
