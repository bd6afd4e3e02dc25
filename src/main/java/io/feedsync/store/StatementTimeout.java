package io.feedsync.store;

import java.time.Duration;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A feed's {@code statement-timeout} on the write transaction in progress ({@code SET LOCAL
 * statement_timeout}): a write stuck behind a lock on the target table is cancelled by
 * PostgreSQL (SQLSTATE 57014) and fails the run as transient, instead of holding it and the
 * feed's lock for ever. It ends with the transaction, so pooled connections keep their defaults.
 */
final class StatementTimeout {

    private StatementTimeout() {
    }

    /** Call first inside the transaction. */
    static void apply(JdbcTemplate jdbc, Duration timeout) {
        jdbc.queryForObject("select set_config('statement_timeout', ?, true)", String.class,
                String.valueOf(timeout.toMillis()));
    }
}
