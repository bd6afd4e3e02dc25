package io.feedsync.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where feedsync's time goes, from its flight recording: execution samples (threads running Java)
 * and native-method samples (threads in socket reads and the like) inside each run's window, each
 * charged to a category by the first frame from the top of its stack that is not JDK plumbing
 * (SHA-256 frames of the JDK count as hashing).
 */
final class Profile {

    private Profile() {
    }

    static Map<String, Object> summarise(Path jfr, List<Map<String, Object>> windows) throws IOException {
        Map<String, Object> byRun = new LinkedHashMap<>();
        List<RecordedEvent> events = new ArrayList<>();
        for (RecordedEvent event : RecordingFile.readAllEvents(jfr)) {
            String type = event.getEventType().getName();
            if (type.equals("jdk.ExecutionSample") || type.equals("jdk.NativeMethodSample")) {
                events.add(event);
            }
        }
        for (Map<String, Object> window : windows) {
            Instant from = Instant.parse((String) window.get("startedAt"));
            Instant to = Instant.parse((String) window.get("finishedAt"));
            Map<String, Integer> cpu = new HashMap<>();
            Map<String, Integer> waiting = new HashMap<>();
            Map<String, Integer> leaves = new HashMap<>();
            int cpuTotal = 0;
            int waitTotal = 0;
            for (RecordedEvent event : events) {
                if (event.getStartTime().isBefore(from) || event.getStartTime().isAfter(to)) {
                    continue;
                }
                RecordedStackTrace stack = event.getStackTrace();
                if (stack == null || stack.getFrames().isEmpty() || !onRunThread(stack)) {
                    continue;
                }
                String category = category(stack);
                if (event.getEventType().getName().equals("jdk.ExecutionSample")) {
                    cpu.merge(category, 1, Integer::sum);
                    cpuTotal++;
                    RecordedFrame leaf = stack.getFrames().get(0);
                    leaves.merge(leaf.getMethod().getType().getName() + "." + leaf.getMethod().getName(), 1, Integer::sum);
                } else {
                    waiting.merge(category, 1, Integer::sum);
                    waitTotal++;
                }
            }
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("executionSamples", cpuTotal);
            summary.put("cpuPercentByCategory", percent(cpu, cpuTotal));
            summary.put("nativeSamples", waitTotal);
            summary.put("nativePercentByCategory", percent(waiting, waitTotal));
            summary.put("topLeafMethods", percent(top(leaves, 12), cpuTotal));
            byRun.put(window.get("mode") + "@" + from, summary);
        }
        return byRun;
    }

    /** Only the threads doing the sync (the run's thread), not the web server's or the JVM's own. */
    private static boolean onRunThread(RecordedStackTrace stack) {
        for (RecordedFrame frame : stack.getFrames()) {
            if (frame.getMethod().getType().getName().startsWith("org.apache.camel")
                    || frame.getMethod().getType().getName().startsWith("io.feedsync")) {
                return true;
            }
        }
        return false;
    }

    static String category(RecordedStackTrace stack) {
        for (RecordedFrame frame : stack.getFrames()) {
            String type = frame.getMethod().getType().getName();
            if (type.startsWith("sun.security.provider") || type.equals("java.security.MessageDigest")
                    || type.equals("io.feedsync.transform.RecordDigest")) {
                return "SHA-256 hashing (RecordDigest)";
            }
            if (type.startsWith("java.") || type.startsWith("jdk.") || type.startsWith("sun.")
                    || type.startsWith("javax.")) {
                continue;
            }
            if (type.startsWith("org.postgresql") || type.startsWith("com.zaxxer") || type.startsWith("org.springframework.jdbc")
                    || type.startsWith("org.springframework.transaction")) {
                return "JDBC / PostgreSQL";
            }
            if (type.startsWith("org.apache.hc") || type.startsWith("org.apache.camel.component.http")) {
                return "HTTP client";
            }
            if (type.startsWith("com.fasterxml.jackson")) {
                return "JSON (Jackson)";
            }
            if (type.startsWith("io.feedsync.transform")) {
                return "transform";
            }
            if (type.startsWith("io.feedsync.store")) {
                return "feedsync store (batch writer, hashes, seen keys)";
            }
            if (type.startsWith("io.feedsync")) {
                return "feedsync other";
            }
            if (type.startsWith("org.apache.camel")) {
                return "Camel routing";
            }
            return "other (" + type.replaceAll("^((?:[^.]+\\.){2}).*", "$1") + "*)";
        }
        return "JDK only";
    }

    private static Map<String, Integer> top(Map<String, Integer> counts, int n) {
        Map<String, Integer> top = new LinkedHashMap<>();
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(n)
                .forEach(e -> top.put(e.getKey(), e.getValue()));
        return top;
    }

    private static Map<String, Double> percent(Map<String, Integer> counts, int total) {
        Map<String, Double> out = new LinkedHashMap<>();
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(e -> out.put(e.getKey(), total == 0 ? 0 : Math.round(1000.0 * e.getValue() / total) / 10.0));
        return out;
    }
}
