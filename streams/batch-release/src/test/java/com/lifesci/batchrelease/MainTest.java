package com.lifesci.batchrelease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The process as the container runs it: bad configuration is one line naming the variable, exit 2. */
class MainTest {
    static Process run(Map<String, String> env, String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String[] command = new String[4 + args.length];
        command[0] = java;
        command[1] = "-cp";
        command[2] = System.getProperty("java.class.path");
        command[3] = Main.class.getName();
        System.arraycopy(args, 0, command, 4, args.length);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.environment().putAll(env);
        return pb.start();
    }

    @Test
    void badConfigurationExitsNonZeroNamingTheVariable() throws Exception {
        Map<String, String> env = AppConfigTest.minimal();
        env.put("OVERDUE_AFTER", "tomorrow");
        Process p = run(env);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, p.exitValue(), err);
        assertEquals("batch-release: configuration error: OVERDUE_AFTER is \"tomorrow\"; expected an ISO-8601 duration (e.g. PT24H, PT1M)", err.strip());
    }

    @Test
    void describePrintsTheTopologyWithoutABroker() throws Exception {
        Process p = run(AppConfigTest.minimal(), "--describe");
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue());
        assertTrue(out.contains("Processor: batch-release (stores: [batch-state])"), out);
        assertTrue(out.contains("Sink: status-sink (topic: st)"), out);
    }
}
