package io.feedsync.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU seconds used by feedsync's JVM, by the bench database's PostgreSQL (every postgres process
 * until {@link #onlyPostgresOf} names it) and by the bench's own JVM (which
 * serves the upstream), read from /proc (Linux; elsewhere it reports nothing). The difference of
 * two snapshots says, on a machine of 2 cores, which process a run kept busy.
 */
final class CpuClock {

    private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux
    /** The bench database's postmaster; -1: count every postgres process of the machine. */
    private static volatile long postmaster = -1;

    private CpuClock() {
    }

    static Map<String, Double> snapshot(long feedsyncPid) {
        Map<String, Double> seconds = new LinkedHashMap<>();
        if (!Files.isDirectory(Path.of("/proc/self"))) {
            return seconds;
        }
        seconds.put("feedsyncJvm", ticks(feedsyncPid) / TICKS_PER_SECOND);
        seconds.put("postgres", postgres() / TICKS_PER_SECOND);
        seconds.put("benchJvmAndUpstream", ticks(ProcessHandle.current().pid()) / TICKS_PER_SECOND);
        return seconds;
    }

    static Map<String, Double> since(Map<String, Double> before, long feedsyncPid) {
        Map<String, Double> after = snapshot(feedsyncPid);
        Map<String, Double> used = new LinkedHashMap<>();
        before.forEach((k, v) -> used.put(k, Math.round((after.getOrDefault(k, v) - v) * 100) / 100.0));
        return used;
    }

    /**
     * Counts only the bench database's PostgreSQL from now on: its postmaster (the parent of
     * {@code backendPid}, a connection's server process) and that postmaster's children. On a
     * machine shared with other PostgreSQL servers, counting every postgres process would charge
     * their work to the bench.
     */
    static void onlyPostgresOf(long backendPid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(backendPid), "stat"));
            postmaster = Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
        } catch (IOException | RuntimeException unreadable) {
            postmaster = -1;
        }
    }

    private static long postgres() {
        long total = 0;
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) processes::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    if (Files.readString(p.resolve("comm")).trim().equals("postgres") && ofTheBench(p)) {
                        // with cutime + cstime: the postmaster keeps the CPU of the backends it has reaped
                        total += ticks(Long.parseLong(name), true);
                    }
                } catch (IOException | RuntimeException gone) {
                    // the process ended meanwhile
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return total;
    }

    private static boolean ofTheBench(Path process) throws IOException {
        if (postmaster < 0) {
            return true;
        }
        long pid = Long.parseLong(process.getFileName().toString());
        String stat = Files.readString(process.resolve("stat"));
        long parent = Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
        return pid == postmaster || parent == postmaster;
    }

    /** utime + stime of a process (its threads included), in clock ticks; 0 if it is gone. */
    private static long ticks(long pid) {
        return ticks(pid, false);
    }

    private static long ticks(long pid, boolean withReapedChildren) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long own = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            return withReapedChildren ? own + Long.parseLong(fields[13]) + Long.parseLong(fields[14]) : own;
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }
}
