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

    /** Every feed's watermark, in one query. */
    public java.util.Map<String, String> all() {
        java.util.Map<String, String> all = new java.util.HashMap<>();
        jdbc.query("select feed, value from sync_watermark", (java.sql.ResultSet rs) -> {
            all.put(rs.getString(1), rs.getString(2));
        });
        return all;
    }

    public Optional<String> current(String feed) {
        return jdbc.queryForList("select value from sync_watermark where feed = ?", String.class, feed)
                .stream().findFirst();
    }

    /** Sets the feed's watermark within the caller's transaction (the run's final write). */
    public void advance(JdbcTemplate session, String feed, String value, long runId) {
        session.update("""
                insert into sync_watermark (feed, value, run_id) values (?, ?, ?)
                on conflict (feed) do update set value = excluded.value, run_id = excluded.run_id, updated_at = now()""",
                feed, value, runId);
    }
}
