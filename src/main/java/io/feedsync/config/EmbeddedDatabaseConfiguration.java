package io.feedsync.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * With no {@code spring.datasource.url}, feedsync starts a real PostgreSQL of its own (binaries
 * from Maven Central) whose data stays in {@code feedsync.embedded-database.data-dir}, so that a
 * fresh machine runs it with one command. In production, set the URL and this stays off.
 * <p>
 * A second feedsync process on the same data folder (the command line beside a running server)
 * uses the PostgreSQL that the first one started rather than failing on its lock. The process that
 * started it stops it, after Camel and Quartz have stopped (the bean is destroyed after every bean
 * that uses the database), so that no run loses its database mid-write.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(EmbeddedDatabaseConfiguration.NoDatasourceUrl.class)
public class EmbeddedDatabaseConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabaseConfiguration.class);

    /** The embedded database this process uses: started by it (and stopped with it), or another process's. */
    public record EmbeddedDatabase(String jdbcUrl, EmbeddedPostgres owned) implements AutoCloseable {

        @Override
        public void close() throws IOException {
            if (owned != null) {
                owned.close();
            }
        }
    }

    @Bean(destroyMethod = "close")
    EmbeddedDatabase embeddedDatabase(
            @Value("${feedsync.embedded-database.data-dir:.feedsync/pgdata}") Path dataDir,
            @Value("${feedsync.embedded-database.port:0}") int port) throws IOException {
        Optional<Integer> running = runningPort(dataDir);
        if (running.isPresent()) {
            log.info("No spring.datasource.url set: using the embedded PostgreSQL that another feedsync process "
                    + "runs on port {} with data in {}", running.get(), dataDir.toAbsolutePath());
            return new EmbeddedDatabase("jdbc:postgresql://localhost:" + running.get() + "/postgres?user=postgres", null);
        }
        Files.createDirectories(dataDir);
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                // stopped by Spring with this bean, after everything that uses it, not by a JVM hook of its own
                .setRegisterShutdownHook(false)
                // its output is relayed to feedsync's log: no statement errors, which repeat row values
                // (feedsync reports each failed write itself); startup, shutdown and FATAL lines stay
                .setServerConfig("log_min_messages", "log");
        if (port > 0) {
            builder.setPort(port);
        }
        EmbeddedPostgres postgres = builder.start();
        log.info("No spring.datasource.url set: started embedded PostgreSQL on port {} with data in {}",
                postgres.getPort(), dataDir.toAbsolutePath());
        return new EmbeddedDatabase(postgres.getJdbcUrl("postgres", "postgres"), postgres);
    }

    @Bean
    @ConfigurationProperties("spring.datasource.hikari")
    HikariDataSource dataSource(EmbeddedDatabase database) {
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(database.jdbcUrl());
        dataSource.setUsername("postgres");
        return dataSource;
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

    /** Matches when {@code spring.datasource.url} is absent or empty (an empty env value counts as unset). */
    static class NoDatasourceUrl implements Condition {

        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return !StringUtils.hasText(context.getEnvironment().getProperty("spring.datasource.url"));
        }
    }

}
