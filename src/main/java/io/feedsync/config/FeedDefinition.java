package io.feedsync.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.feedsync.run.RunMode;
import io.feedsync.upstream.Authentication;
import io.feedsync.upstream.Pagination;

/** One feed, validated: everything a run needs to know about its upstream and its target. */
public record FeedDefinition(
        String name,
        String schedule,
        RunMode mode,
        boolean runOnStartup,
        Source source,
        Transform transform,
        Target target,
        int batchSize) {

    /** Where the records come from. */
    public record Source(URI url, Authentication auth, Pagination pagination, int maxPages,
                         String recordsPointer, Duration timeout, Duration connectTimeout) {
    }

    /**
     * How a record becomes rows: a named bean, or columns taken from JSON pointers. The mapping
     * keeps the configured column order.
     */
    public record Transform(String bean, Map<String, String> mapping) {
    }

    /** The table the feed owns rows in, and the columns that identify a row. */
    public record Target(String table, List<String> key) {
    }

    public boolean scheduled() {
        return schedule != null;
    }
}
