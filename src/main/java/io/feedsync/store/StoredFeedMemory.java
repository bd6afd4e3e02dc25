package io.feedsync.store;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import io.feedsync.config.FeedMemory;

/** A feed's memory in feedsync's own tables (see {@link FeedMemory}). */
@Component
public class StoredFeedMemory implements FeedMemory {

    private final JdbcTemplate jdbc;

    public StoredFeedMemory(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void forget(String feed) {
        jdbc.update("delete from sync_record_hash where feed = ?", feed);
        jdbc.update("delete from sync_missed_key where feed = ?", feed);
        // a run still under way keeps the keys it saw: it is being cancelled, and cleans up when it ends
        jdbc.update("delete from sync_seen_key s using sync_run r where s.run_id = r.id and r.feed = ?"
                + " and r.status not in ('QUEUED', 'RUNNING')", feed);
        jdbc.update("update sync_run set checkpoint = null, checkpoint_at = null where feed = ? and checkpoint is not null", feed);
        jdbc.update("delete from sync_watermark where feed = ?", feed);
    }
}
