package io.feedsync.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The feeds defined over the API, as stored in {@code sync_feed_definition}: every change a new
 * version with who made it and when. Each change is announced on {@link #CHANNEL} when it commits,
 * so that every node picks it up at once.
 */
@Component
public class StoredFeeds {

    /** The PostgreSQL NOTIFY channel of definition changes; the payload is the feed's name. */
    public static final String CHANNEL = "feedsync_feed_definitions";

    /** One version of a feed: its definition as sent (null for a deletion). */
    public record Version(String feed, int version, JsonNode definition, String changedBy, Instant changedAt,
                          boolean deleted) {
    }

    /** What a save did. */
    public enum Outcome { CREATED, CHANGED, UNCHANGED }

    public record Saved(Version version, Outcome outcome) {
    }

    private static final String NEWEST = """
            select distinct on (feed) * from sync_feed_definition %s order by feed, version desc""";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final ObjectMapper mapper;
    private final RowMapper<Version> row;
    private final int maxFeeds;
    private final FeedMemory memory;

    public StoredFeeds(JdbcTemplate jdbc, TransactionTemplate transactions, ObjectMapper mapper, FeedLimits limits,
                       FeedMemory memory) {
        this.memory = memory;
        this.maxFeeds = limits.maxFeeds();
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.mapper = mapper;
        this.row = (rs, n) -> new Version(rs.getString("feed"), rs.getInt("version"), json(rs.getString("definition")),
                rs.getString("changed_by"), rs.getTimestamp("changed_at").toInstant(), rs.getBoolean("deleted"));
    }

    /** Every feed's current definition (deleted feeds left out), by name. */
    public Map<String, Version> current() {
        Map<String, Version> current = new LinkedHashMap<>();
        for (Version version : jdbc.query(NEWEST.formatted(""), row)) {
            if (!version.deleted()) {
                current.put(version.feed(), version);
            }
        }
        return current;
    }

    public Optional<Version> current(String feed) {
        return newest(feed).filter(version -> !version.deleted());
    }

    /** Every version of the feed, newest first: its audit log. */
    public List<Version> history(String feed) {
        return jdbc.query("select * from sync_feed_definition where feed = ? order by version desc", row, feed);
    }

    /**
     * Stores the definition as the feed's new version, unless it is the current one already (then
     * nothing is stored: {@link Outcome#UNCHANGED}). A new feed is refused ({@link TooManyFeedsException})
     * once {@code feedsync.limits.max-feeds} are defined: counted under a lock every node's new feed
     * takes, so that two nodes creating feeds at once cannot both take the last place.
     */
    public Saved save(String feed, JsonNode definition, String by) {
        return transactions.execute(status -> {
            lock(feed);
            Optional<Version> current = current(feed);
            if (current.isPresent() && current.get().definition().equals(definition)) {
                return new Saved(current.get(), Outcome.UNCHANGED);
            }
            if (current.isEmpty()) {
                // what a run of a deleted feed of this name wrote after its deletion
                memory.forget(feed);
                jdbc.queryForObject("select pg_advisory_xact_lock(1717859193, hashtext('definitions:count'))::text",
                        String.class);
                int defined = jdbc.queryForObject("select count(*) from (" + NEWEST.formatted("") + ") newest"
                        + " where not deleted", Integer.class);
                if (defined >= maxFeeds) {
                    throw new TooManyFeedsException(feed, defined, maxFeeds);
                }
            }
            Version saved = insert(feed, definition, by, false);
            return new Saved(saved, current.isPresent() ? Outcome.CHANGED : Outcome.CREATED);
        });
    }

    /** Stores a deletion as the feed's new version; empty if the feed has no current definition. */
    public Optional<Version> delete(String feed, String by) {
        return transactions.execute(status -> {
            lock(feed);
            if (current(feed).isEmpty()) {
                return Optional.<Version>empty();
            }
            memory.forget(feed);
            return Optional.of(insert(feed, null, by, true));
        });
    }

    private Optional<Version> newest(String feed) {
        return jdbc.query(NEWEST.formatted("where feed = ?"), row, feed).stream().findFirst();
    }

    /** Changes of one feed one after the other, on every node. */
    private void lock(String feed) {
        jdbc.queryForObject("select pg_advisory_xact_lock(1717859193, hashtext('definition:' || ?))::text", String.class, feed);
    }

    private Version insert(String feed, JsonNode definition, String by, boolean deleted) {
        Version version = jdbc.queryForObject("""
                insert into sync_feed_definition (feed, version, definition, changed_by, deleted)
                values (?, (select coalesce(max(version), 0) + 1 from sync_feed_definition where feed = ?), ?::jsonb, ?, ?)
                returning *""", row, feed, feed, definition == null ? null : text(definition), by, deleted);
        jdbc.queryForObject("select pg_notify(?, ?)::text", String.class, CHANNEL, feed);
        return version;
    }

    private String text(JsonNode json) {
        try {
            return mapper.writeValueAsString(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode json(String text) {
        if (text == null) {
            return null;
        }
        try {
            return mapper.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
