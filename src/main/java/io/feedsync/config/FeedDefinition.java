package io.feedsync.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.camel.util.URISupport;

import io.feedsync.ops.logging.EndpointSecrets;
import io.feedsync.ops.logging.LogSecrets;
import io.feedsync.upstream.Source;

/**
 * One feed, validated: everything a run needs to know about its upstream and its target, and its
 * {@code tags} (never null), which group feeds for batch refresh and scoped API keys.
 */
public record FeedDefinition(
        String name,
        String schedule,
        RunMode mode,
        boolean runOnStartup,
        Source source,
        Transform transform,
        Target target,
        int chunkSize,
        OnRecordFailure onRecordFailure,
        double deletionGuard,
        Duration statementTimeout,
        Duration resumeWithin,
        Notify notifications,
        List<String> tags) {

    /** The exchange property that carries the feed of the run a sync route exchange belongs to. */
    public static final String PROPERTY = "feedsyncFeed";

    /** What happens to the watermark when some records of a run were dead-lettered. */
    public enum OnRecordFailure {
        /** Advance only up to the first failed record's cursor, so the next run fetches it again. */
        PIN_WATERMARK,
        /** Advance past everything seen; failed records wait in the dead letters for a replay. */
        ADVANCE_WATERMARK
    }

    /**
     * How a record becomes rows: a named bean, or columns taken from JSON pointers. The mapping
     * keeps the configured column order; {@code types} holds the type of each mapped column that
     * declares one; {@code parents}, the columns of a child feed that take a value of the parent row
     * (column → {@code for-each} column), whose pointer in {@code mapping} is null unless the record
     * names its parent itself ({@code for-each.batch}).
     */
    public record Transform(String bean, Map<String, String> mapping, Map<String, ColumnType> types,
                            Map<String, String> parents) {

        public Transform(String bean, Map<String, String> mapping) {
            this(bean, mapping, Map.of(), Map.of());
        }

        public Transform(String bean, Map<String, String> mapping, Map<String, ColumnType> types) {
            this(bean, mapping, types, Map.of());
        }

        /** The column's declared type; {@code text} when it declares none. */
        public ColumnType type(String column) {
            return types.getOrDefault(column, ColumnType.TEXT);
        }
    }

    /**
     * The table the feed owns rows in, the columns that identify a row, and the timestamp column
     * that full runs set on rows the upstream no longer has, and delete markers on the rows they mark
     * (null: nothing is ever deleted), how many consecutive complete full runs must miss a row
     * before it is soft-deleted ({@code soft-delete-after}), and, with {@code create}, whether feedsync
     * creates the table from the typed mapping if it is missing and adds the mapped columns it lacks
     * (only to a table it created for this feed). With {@code shared}, other feeds that say so too may
     * write the same table, and the feed's full runs and delete markers soft-delete only rows it wrote.
     */
    public record Target(String table, List<String> key, String softDeleteColumn, int softDeleteAfter,
                         boolean create, boolean shared) {
    }

    /**
     * The feed's {@code notify} section ({@code notifications}; null: none, and no change events are written): the Camel
     * endpoint URIs that receive each change event and each finished run (only failed ones with
     * {@code runsOnFailureOnly}), the secret webhook bodies are signed with (null: unsigned), and
     * how long delivered events are kept.
     */
    public record Notify(List<String> changes, List<String> runs, boolean runsOnFailureOnly, String secret,
                         Duration retention) {

        public Notify {
            // never in a log: the signing secret and the credentials of the endpoints
            LogSecrets.add(secret);
            changes.forEach(EndpointSecrets::register);
            runs.forEach(EndpointSecrets::register);
        }

        @Override
        public String toString() {
            return "Notify[changes=" + masked(changes) + ", runs=" + masked(runs) + ", runsOnFailureOnly=" + runsOnFailureOnly
                    + ", secret=" + (secret == null ? "none" : "****") + ", retention=" + retention + "]";
        }

        private static List<String> masked(List<String> uris) {
            return uris.stream().map(URISupport::sanitizeUri).toList();
        }
    }

    /** Whether the feed carries {@code tag} ({@code tags: [...]}: batch refresh, scoped API keys). */
    public boolean tagged(String tag) {
        return tags.contains(tag);
    }

    public boolean scheduled() {
        return schedule != null;
    }
}
