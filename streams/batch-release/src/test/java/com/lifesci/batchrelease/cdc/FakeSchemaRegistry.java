package com.lifesci.batchrelease.cdc;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;

/**
 * An in-process HTTP server speaking Schema Registry's {@code GET /schemas/ids/{id}}: 200
 * {@code {"schema": "..."}}, 404 {@code {"error_code":40403,...}}, and injectable faults
 * (HTTP 500 for the next n requests, 401 when credentials are required and wrong).
 * https://docs.confluent.io/platform/current/schema-registry/develop/api.html#get--schemas-ids-int-%20id
 */
public final class FakeSchemaRegistry implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final Map<Integer, String> schemas = new ConcurrentHashMap<>();
    public final List<String> requests = new CopyOnWriteArrayList<>();
    public final List<String> authorizations = new CopyOnWriteArrayList<>();
    public final AtomicInteger failNext = new AtomicInteger();
    public volatile String requiredAuthorization;

    public FakeSchemaRegistry() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                requests.add(exchange.getRequestMethod() + " " + path);
                String auth = exchange.getRequestHeaders().getFirst("Authorization");
                authorizations.add(auth == null ? "" : auth);
                if (requiredAuthorization != null && !requiredAuthorization.equals(auth)) {
                    send(exchange, 401, Map.of("error_code", 40101, "message", "Unauthorized"));
                    return;
                }
                if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    send(exchange, 500, Map.of("error_code", 50001, "message", "Error in the backend data store"));
                    return;
                }
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("/schemas/ids/(\\d+)").matcher(path);
                if (!exchange.getRequestMethod().equals("GET") || !m.matches()) {
                    send(exchange, 404, Map.of("error_code", 404, "message", "HTTP 404 Not Found"));
                    return;
                }
                String schema = schemas.get(Integer.parseInt(m.group(1)));
                if (schema == null) send(exchange, 404, Map.of("error_code", 40403, "message", "Schema " + m.group(1) + " not found"));
                else send(exchange, 200, Map.of("schema", schema));
            }
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public void register(int id, Schema schema) {
        schemas.put(id, schema.toString());
    }

    private static void send(com.sun.net.httpserver.HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
