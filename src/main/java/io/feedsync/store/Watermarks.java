package io.feedsync.store;

import java.util.Optional;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** The {@code sync_watermark} table: per feed, the highest cursor value whose records are committed. */
@Component
public class Watermarks {

    private final JdbcTemplate jdbc;

    public Watermarks(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<String> current(String feed) {
        return jdbc.queryForList("select value from sync_watermark where feed = ?", String.class, feed)
                .stream().findFirst();
    }
}
