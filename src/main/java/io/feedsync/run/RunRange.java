package io.feedsync.run;

import io.feedsync.config.FeedDefinition;
import io.feedsync.upstream.Incremental;

/**
 * The cursor range of a selective run: it asks the upstream from {@code since} (as an incremental
 * run asks from its watermark) and applies the records whose cursor is at or after {@code since}
 * and, when {@code until} is given, at or before it. Both are in the feed's cursor format.
 */
public record RunRange(String since, String until) {

    /**
     * The range {@code since}..{@code until} ({@code until} may be null) of an incremental feed,
     * checked against the feed's cursor type; {@link IllegalArgumentException} naming what is wrong.
     */
    public static RunRange of(FeedDefinition feed, String since, String until) {
        Incremental incremental = feed.source().incremental();
        if (since == null) {
            throw new IllegalArgumentException("'until' needs 'since': a selective run covers since..until");
        }
        if (incremental == null) {
            throw new IllegalArgumentException("feed '" + feed.name() + "' has no source.incremental: without a "
                    + "cursor in its records a run cannot start from 'since'; run it in full mode instead");
        }
        checked(incremental, "since", since);
        if (until != null) {
            checked(incremental, "until", until);
            if (incremental.order().compare(until, since) < 0) {
                throw new IllegalArgumentException("'until' (" + until + ") is before 'since' (" + since + ")");
            }
        }
        return new RunRange(since, until);
    }

    private static void checked(Incremental incremental, String name, String value) {
        try {
            incremental.check(value);
            if (incremental.param() != null) {
                incremental.format(value);
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + name + "': '" + value + "' is not a cursor of this feed ("
                    + incremental.cursorPointer() + "), which is " + incremental.expected());
        }
    }

    /** Whether {@code cursor} is after {@code until}: a record this run does not apply. */
    boolean endsBefore(Incremental incremental, String cursor) {
        return until != null && incremental.order().compare(cursor, until) > 0;
    }

    /**
     * Whether a watermark may move past what this run applied: only when the range starts at or
     * before the stored watermark. A range starting after it (or a feed with no watermark yet) leaves
     * the records between the two unfetched; a watermark beyond them would skip them for good.
     */
    boolean joins(Incremental incremental, String watermark) {
        return watermark != null && incremental.order().compare(since, watermark) <= 0;
    }
}
