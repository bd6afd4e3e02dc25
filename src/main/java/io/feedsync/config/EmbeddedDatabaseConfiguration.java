package io.feedsync.config;

import java.io.IOException;
import java.nio.file.Path;

import com.zaxxer.hikari.HikariDataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

import io.feedsync.config.EmbeddedDatabases.EmbeddedDatabase;

/**
 * With no {@code spring.datasource.url}, feedsync starts a real PostgreSQL of its own (binaries
 * from Maven Central) whose data stays in {@code feedsync.embedded-database.data-dir}, so that a
 * fresh machine runs it with one command. In production, set the URL and this stays off.
 * <p>
 * Only feedsync can open it: it takes passwords only, kept owner-only beside the data, and feedsync
 * connects as a role of its own that is no superuser ({@link EmbeddedDatabases}).
 * <p>
 * A second feedsync process on the same data folder (the command line beside a running server)
 * uses the PostgreSQL that the first one started rather than failing on its lock. The process that
 * started it stops it, after Camel and Quartz have stopped (the bean is destroyed after every bean
 * that uses the database), so that no run loses its database mid-write.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(EmbeddedDatabaseConfiguration.NoDatasourceUrl.class)
public class EmbeddedDatabaseConfiguration {

    @Bean(destroyMethod = "close")
    EmbeddedDatabase embeddedDatabase(
            @Value("${feedsync.embedded-database.data-dir:.feedsync/pgdata}") Path dataDir,
            @Value("${feedsync.embedded-database.port:0}") int port,
            @Value("${feedsync.schema:feedsync}") String schema) throws IOException {
        return EmbeddedDatabases.open(dataDir, port, schema);
    }

    @Bean
    @ConfigurationProperties("spring.datasource.hikari")
    HikariDataSource dataSource(EmbeddedDatabase database) {
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(database.jdbcUrl());
        dataSource.setUsername(database.username());
        dataSource.setPassword(database.password());
        // made up in code, not read from spring.datasource.password: the log masks it all the same
        io.feedsync.ops.logging.LogSecrets.add(database.password());
        return dataSource;
    }

    /** Matches when {@code spring.datasource.url} is absent or empty (an empty env value counts as unset). */
    static class NoDatasourceUrl implements Condition {

        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return !StringUtils.hasText(context.getEnvironment().getProperty("spring.datasource.url"));
        }
    }

}
