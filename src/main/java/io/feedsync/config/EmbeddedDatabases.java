package io.feedsync.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the embedded PostgreSQL of a data folder: starts it — setting up a new folder, or securing one
 * that an earlier feedsync left open — or joins the one another feedsync process on the same folder
 * runs (the command line beside a server), with the credentials saved beside the folder.
 * <p>
 * A new folder gets its superuser's password from {@code initdb} itself, so it never trusts anyone.
 * The server listens on loopback only and has no Unix socket; {@link EmbeddedDatabaseAccess} says who
 * may connect, {@link EmbeddedDatabaseRole} what feedsync's role may do.
 */
public final class EmbeddedDatabases {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabases.class);
    private static final Duration RELOAD_TIMEOUT = Duration.ofSeconds(10);

    /** The embedded database a process uses: started by it (and stopped with it), or another process's. */
    public record EmbeddedDatabase(String jdbcUrl, String username, String password, EmbeddedPostgres owned)
            implements AutoCloseable {

        @Override
        public void close() throws IOException {
            if (owned != null) {
                owned.close();
            }
        }

        /** Never the password. */
        @Override
        public String toString() {
            return "EmbeddedDatabase[" + jdbcUrl + ", user " + username + (owned == null ? "" : ", started here") + "]";
        }
    }

    private EmbeddedDatabases() {
    }

    /**
     * The database of {@code dataDir}, feedsync's role owning {@code schema}: the PostgreSQL already
     * serving the folder, or one started now on {@code port} (0: a free one).
     */
    public static EmbeddedDatabase open(Path dataDir, int port, String schema) throws IOException {
        Path credentialsFile = EmbeddedDatabaseCredentials.fileOf(dataDir);
        Optional<Integer> running = runningPort(dataDir);
        if (running.isPresent()) {
            return join(dataDir, running.get(), credentialsFile);
        }
        Files.createDirectories(dataDir);
        boolean fresh = !Files.exists(dataDir.resolve("postgresql.conf"));
        boolean open = !fresh && EmbeddedDatabaseAccess.trusting(dataDir);
        if (!fresh && !open && !Files.exists(credentialsFile)) {
            throw new IllegalStateException("the embedded PostgreSQL in " + dataDir.toAbsolutePath() + " takes passwords only, "
                    + "but the file that holds them, " + credentialsFile + ", is missing: restore it, or move the data folder "
                    + "away to start afresh");
        }
        EmbeddedDatabaseCredentials credentials = EmbeddedDatabaseCredentials.readOrCreate(credentialsFile);
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                // stopped by Spring with the bean that holds it, after everything that uses it, not by a JVM hook of its own
                .setRegisterShutdownHook(false)
                .setServerConfig("listen_addresses", "localhost")
                // no Unix socket: with the default one in /tmp every local user could knock on it
                .setServerConfig("unix_socket_directories", "")
                .setServerConfig("password_encryption", "scram-sha-256")
                // its output is relayed to feedsync's log: no statement errors, which repeat row values
                // (feedsync reports each failed write itself); startup, shutdown and FATAL lines stay
                .setServerConfig("log_min_messages", "log")
                // its readiness check logs in as the superuser
                .setConnectConfig("password", credentials.superuserPassword())
                .setDataDirectoryCustomizer(dir -> {
                    if (open) {
                        EmbeddedDatabaseAccess.migrating(dir.toPath());
                    } else {
                        EmbeddedDatabaseAccess.passwordsOnly(dir.toPath());
                    }
                });
        if (port > 0) {
            builder.setPort(port);
        }
        Path passwordFile = null;
        if (fresh) {
            passwordFile = credentials.superuserPasswordFile(credentialsFile.getParent());
            builder.setLocaleConfig("pwfile", passwordFile.toString())
                    .setLocaleConfig("auth-local", "scram-sha-256")
                    .setLocaleConfig("auth-host", "scram-sha-256");
        }
        EmbeddedPostgres postgres;
        try {
            postgres = builder.start();
        } catch (IOException | RuntimeException e) {
            stopOrphan(dataDir);
            throw new IllegalStateException("could not start the embedded PostgreSQL in " + dataDir.toAbsolutePath()
                    + " (its passwords are in " + credentialsFile + "): " + e.getMessage(), e);
        } finally {
            if (passwordFile != null) {
                Files.deleteIfExists(passwordFile);
            }
        }
        String url = "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
        try {
            setUp(postgres, url, dataDir, schema, credentials, open);
        } catch (SQLException | RuntimeException e) {
            postgres.close();
            throw new IllegalStateException("could not set up the embedded PostgreSQL in " + dataDir.toAbsolutePath()
                    + " with the passwords in " + credentialsFile + ": " + e.getMessage(), e);
        }
        log.info("No spring.datasource.url set: started embedded PostgreSQL on port {} with data in {}; feedsync "
                        + "connects as role {}, password in {}", postgres.getPort(), dataDir.toAbsolutePath(),
                EmbeddedDatabaseCredentials.ROLE, credentialsFile);
        return new EmbeddedDatabase(url, EmbeddedDatabaseCredentials.ROLE, credentials.rolePassword(), postgres);
    }

    private static EmbeddedDatabase join(Path dataDir, int port, Path credentialsFile) {
        String url = "jdbc:postgresql://localhost:" + port + "/postgres";
        Optional<EmbeddedDatabaseCredentials> credentials = EmbeddedDatabaseCredentials.read(credentialsFile);
        if (credentials.isEmpty()) {
            log.warn("The embedded PostgreSQL on port {} with data in {} lets every local user in without a password: "
                    + "an earlier feedsync started it. Restart that feedsync with this version to secure it",
                    port, dataDir.toAbsolutePath());
            return new EmbeddedDatabase(url, EmbeddedDatabaseCredentials.SUPERUSER, null, null);
        }
        log.info("No spring.datasource.url set: using the embedded PostgreSQL that another feedsync process "
                + "runs on port {} with data in {}", port, dataDir.toAbsolutePath());
        return new EmbeddedDatabase(url, EmbeddedDatabaseCredentials.ROLE, credentials.get().rolePassword(), null);
    }

    private static void setUp(EmbeddedPostgres postgres, String url, Path dataDir, String schema,
                              EmbeddedDatabaseCredentials credentials, boolean open) throws SQLException {
        try (Connection superuser = DriverManager.getConnection(url, EmbeddedDatabaseCredentials.SUPERUSER,
                credentials.superuserPassword())) {
            if (open) {
                EmbeddedDatabaseRole.setSuperuserPassword(superuser, credentials.superuserPassword());
            }
            EmbeddedDatabaseRole.provision(superuser, schema, credentials.rolePassword());
            if (open) {
                EmbeddedDatabaseAccess.passwordsOnly(dataDir);
                try (Statement sql = superuser.createStatement()) {
                    sql.execute("select pg_reload_conf()");
                }
                awaitPasswordsRequired(url);
                log.info("Secured the embedded PostgreSQL in {}, which an earlier feedsync left open to every local user: "
                        + "it now takes passwords only, and feedsync connects as role {} instead of the superuser",
                        dataDir.toAbsolutePath(), EmbeddedDatabaseCredentials.ROLE);
            }
        }
    }

    /** Until the server has reloaded {@code pg_hba.conf}: a connection without password is refused. */
    private static void awaitPasswordsRequired(String url) throws SQLException {
        long deadline = System.nanoTime() + RELOAD_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            try (Connection unchecked = DriverManager.getConnection(url, EmbeddedDatabaseCredentials.SUPERUSER, null)) {
                Thread.sleep(50);
            } catch (SQLException refused) {
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new SQLException("the server still lets the superuser in without a password after reloading pg_hba.conf");
    }

    /** A server that started but never answered (a wrong password in the file): stopped, not left holding the folder. */
    private static void stopOrphan(Path dataDir) {
        Path pidFile = dataDir.resolve("postmaster.pid");
        try {
            List<String> lines = Files.isRegularFile(pidFile) ? Files.readAllLines(pidFile) : List.of();
            if (!lines.isEmpty()) {
                ProcessHandle.of(Long.parseLong(lines.get(0).trim())).ifPresent(postmaster -> {
                    postmaster.destroy();
                    postmaster.onExit().completeOnTimeout(postmaster, 10, java.util.concurrent.TimeUnit.SECONDS).join();
                });
            }
        } catch (IOException | NumberFormatException unreadable) {
            log.debug("No embedded PostgreSQL to stop in {}", dataDir, unreadable);
        }
    }

    /**
     * The port of a PostgreSQL already serving {@code dataDir}: its {@code postmaster.pid} names a
     * live process (first line) and the port (fourth line).
     */
    static Optional<Integer> runningPort(Path dataDir) {
        Path pidFile = dataDir.resolve("postmaster.pid");
        try {
            List<String> lines = Files.isRegularFile(pidFile) ? Files.readAllLines(pidFile) : List.of();
            if (lines.size() < 4 || ProcessHandle.of(Long.parseLong(lines.get(0).trim())).filter(ProcessHandle::isAlive).isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(Integer.parseInt(lines.get(3).trim()));
        } catch (IOException | NumberFormatException unreadable) {
            return Optional.empty();
        }
    }
}
