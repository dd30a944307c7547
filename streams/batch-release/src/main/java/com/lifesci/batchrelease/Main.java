package com.lifesci.batchrelease;

import com.lifesci.batchrelease.cdc.AvroCdcDecoder;
import com.lifesci.batchrelease.cdc.JsonCdcDecoder;
import com.lifesci.batchrelease.cdc.SchemaRegistryClient;
import com.lifesci.batchrelease.cdc.ValueDecoder;
import com.lifesci.batchrelease.metrics.BatchStatusMetrics;
import com.lifesci.batchrelease.metrics.EmbeddedMetricFormat;
import com.lifesci.batchrelease.metrics.MetricNames;
import com.lifesci.batchrelease.metrics.PrometheusText;
import com.lifesci.batchrelease.topology.BatchReleaseTopology;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the batch release app from its environment; exits non-zero on bad config or when Streams fails. */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);
    /** Within ECS's default stopTimeout (30 s) after SIGTERM. */
    private static final java.time.Duration CLOSE_TIMEOUT = java.time.Duration.ofSeconds(25);

    private Main() {}

    public static void main(String[] args) throws Exception {
        AppConfig config;
        try {
            config = AppConfig.fromEnv(System.getenv());
        } catch (AppConfig.ConfigException e) {
            System.err.println("batch-release: configuration error: " + e.getMessage());
            System.exit(2);
            return;
        }
        BatchStatusMetrics metrics = new BatchStatusMetrics();
        Topology topology = BatchReleaseTopology.build(config.topics(), decoder(config), config.topologySettings(metrics));
        if (args.length > 0 && args[0].equals("--describe")) {
            System.out.println(topology.describe());
            return;
        }
        LOG.info("batch-release starting: {}", config.describe());
        LOG.info("topology:\n{}", topology.describe());

        KafkaStreams streams = new KafkaStreams(topology, config.streamsProperties());
        CountDownLatch stopped = new CountDownLatch(1);
        int[] exitCode = {0};
        streams.setStateListener((now, before) -> {
            LOG.info("Kafka Streams state {} -> {}", before, now);
            if (now == KafkaStreams.State.ERROR) {
                exitCode[0] = 1;
                stopped.countDown();
            }
        });
        streams.setUncaughtExceptionHandler(e -> {
            // Not a poison record (those go to the dead-letter topic): the broker or Schema Registry failed.
            // Stop so the orchestrator restarts the task from the last committed transaction.
            LOG.error("Kafka Streams thread failed; shutting the client down (ERROR)", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        HealthServer health = new HealthServer(config.healthPort(), streams::state, () -> PrometheusText.render(metrics, MetricNames.DEFAULT));
        LOG.info("health endpoint on port {}: GET /health, GET /metrics", health.port());
        ScheduledExecutorService emf = null;
        if (config.emfNamespace() != null) {
            // CloudWatch embedded metric format on stdout (the awslogs driver ships it): once a minute,
            // CloudWatch's standard resolution. Logs go to stderr, so stdout carries only these lines.
            emf = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "emf-metrics");
                t.setDaemon(true);
                return t;
            });
            String namespace = config.emfNamespace();
            emf.scheduleAtFixedRate(() -> {
                try {
                    for (String line : EmbeddedMetricFormat.events(metrics, MetricNames.DEFAULT, namespace, System.currentTimeMillis())) System.out.println(line);
                    System.out.flush();
                } catch (RuntimeException e) {
                    LOG.warn("EMF metrics not written", e);
                }
            }, 60, 60, TimeUnit.SECONDS);
            LOG.info("metrics also as CloudWatch EMF on stdout, namespace {}", namespace);
        }
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("shutdown requested");
            stopped.countDown();
            // The JVM halts when the hooks return: wait for main to close Streams cleanly (commit the
            // open transaction, write the state checkpoints) so a restart neither aborts nor restores.
            try {
                closed.await(CLOSE_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "shutdown"));
        streams.start();
        stopped.await();
        boolean clean = streams.close(CLOSE_TIMEOUT);
        if (emf != null) emf.shutdownNow();
        health.close();
        LOG.info("batch-release stopped (exit {}{})", exitCode[0], clean ? "" : ", Streams did not close within " + CLOSE_TIMEOUT);
        closed.countDown();
        if (exitCode[0] != 0) System.exit(exitCode[0]);
    }

    static ValueDecoder decoder(AppConfig config) {
        if (config.valueFormat().equals("json")) return new JsonCdcDecoder();
        return new AvroCdcDecoder(new SchemaRegistryClient(config.schemaRegistryUrl(), config.schemaRegistryUsername(), config.schemaRegistryPassword()));
    }
}
