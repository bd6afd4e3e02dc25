package io.feedsync.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Who may connect to the embedded PostgreSQL: its {@code pg_hba.conf}. Every connection needs a
 * password (scram-sha-256) and replication is refused. The server has no Unix socket and listens on
 * loopback only (the server settings of {@link EmbeddedDatabases}).
 * <p>
 * A data folder made by an earlier feedsync trusts every local connection. Its next start trusts
 * only the superuser, on loopback, until the passwords are set ({@link #migrating}); then the
 * password-only file is written and the server reloads it.
 */
final class EmbeddedDatabaseAccess {

    private static final String FILE = "pg_hba.conf";

    private static final String PASSWORDS_ONLY = """
            # Written by feedsync: every connection needs a password (its passwords are in the credentials
            # file beside this data folder); no replication. feedsync rewrites this file at every start.
            # TYPE  DATABASE        USER            ADDRESS                 METHOD
            local   replication     all                                     reject
            host    replication     all             127.0.0.1/32            reject
            host    replication     all             ::1/128                 reject
            local   all             all                                     scram-sha-256
            host    all             all             127.0.0.1/32            scram-sha-256
            host    all             all             ::1/128                 scram-sha-256
            """;

    private static final String MIGRATING = """
            # Written by feedsync for the start that sets this folder's passwords: the superuser alone,
            # on loopback, until the passwords are set and the password-only file replaces this one.
            host    all             %1$s        127.0.0.1/32            trust
            host    all             %1$s        ::1/128                 trust
            """.formatted(EmbeddedDatabaseCredentials.SUPERUSER);

    private EmbeddedDatabaseAccess() {
    }

    /** Whether the folder's {@code pg_hba.conf} lets anyone in without a password (an earlier feedsync made it). */
    static boolean trusting(Path dataDir) {
        try {
            List<String> lines = Files.readAllLines(dataDir.resolve(FILE), StandardCharsets.UTF_8);
            return lines.stream()
                    .map(line -> line.replaceFirst("#.*", "").trim())
                    .filter(line -> !line.isEmpty())
                    .anyMatch(line -> Arrays.asList(line.split("\\s+")).contains("trust"));
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + dataDir.resolve(FILE).toAbsolutePath(), e);
        }
    }

    static void passwordsOnly(Path dataDir) {
        write(dataDir, PASSWORDS_ONLY);
    }

    static void migrating(Path dataDir) {
        write(dataDir, MIGRATING);
    }

    private static void write(Path dataDir, String content) {
        try {
            Files.writeString(dataDir.resolve(FILE), content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + dataDir.resolve(FILE).toAbsolutePath(), e);
        }
    }
}
