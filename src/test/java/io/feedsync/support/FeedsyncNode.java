package io.feedsync.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;

/**
 * A feedsync node in a JVM of its own (the test classpath, {@code FeedsyncApplication}) on the test
 * JVM's database, with its own HTTP port and the test operator key; its output goes to
 * {@code feedsync-<name>-<port>.log} in {@code java.io.tmpdir}. Only a separate JVM can be killed
 * the way a node dies.
 */
public final class FeedsyncNode implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    private FeedsyncNode(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Launches a node with these extra arguments ({@code --key=value}) without waiting for it. */
    public static FeedsyncNode launch(String name, List<String> arguments) {
        int port = freePort();
        Path log = Path.of(System.getProperty("java.io.tmpdir"), "feedsync-" + name + "-" + port + ".log");
        List<String> command = new ArrayList<>(List.of(
                System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
                // a test node: a small heap, and C1 only, which starts it sooner on a busy machine
                "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "io.feedsync.FeedsyncApplication",
                "--server.port=" + port,
                "--spring.datasource.url=" + TestDatabase.url(),
                "--spring.datasource.username=" + TestDatabase.username(),
                "--spring.datasource.password=" + TestDatabase.password(),
                "--spring.flyway.locations=classpath:db/migration,classpath:db/testtables,classpath:db/demo",
                "--feedsync.security.api-keys.test.key=" + Api.OPERATOR_KEY,
                "--feedsync.security.api-keys.test.role=operator"));
        command.addAll(arguments);
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            return new FeedsyncNode(process, port, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits until the node's API answers: up to 3 minutes, for a machine busy with other JVMs; a node
     * that stopped fails at once.
     */
    public void awaitUp() {
        Api api = api();
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions().until(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError("the feedsync node stopped; see " + log);
                    }
                    return api.get("/api/feeds").status() == 200;
                });
    }

    public Api api() {
        return new Api(port);
    }

    /** How the node signs its runs ({@code sync_run.node}): {@code <pid>@<host>}. */
    public boolean signed(String node) {
        return node != null && node.startsWith(process.pid() + "@");
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no goodbye to the database or the other nodes. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    public List<String> logLines() {
        try {
            return new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    @Override
    public String toString() {
        return "node " + process.pid() + " on port " + port + " (log " + log + ")";
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
