package io.feedsync.run;

import java.time.Instant;
import java.util.List;

/**
 * Where an unfinished run stood after its last committed page, kept in its {@code sync_run} row
 * for the next run of the feed to resume from: the request of the next page (without credentials),
 * how many pages were read, the cursors seen (the highest from before the run began, the lowest
 * that failed), how many records were rejected before their key was known, and when the first
 * run of the chain began (records stamped after that do not move the watermark); and whether a
 * full run had recorded keys it saw by then ({@code sync_seen_key} is unlogged: a database crash
 * empties it, and a resumed run that found them gone could soft-delete rows it did see).
 * A child feed's run keeps no next page ({@code next} null) but the key of the parent after which it
 * resumes ({@code afterParent}: every parent up to it was fetched and written), and {@code parentsXmin},
 * where its chain began in the database's transaction order (see {@link ParentRun#xmin}).
 */
public record RunCheckpoint(String next, int pages, String highest, String lowestFailed, long keyless,
                            Instant origin, boolean keysSeen, List<String> afterParent, String parentsXmin,
                            String parentFeed) {

    public RunCheckpoint(String next, int pages, String highest, String lowestFailed, long keyless, Instant origin,
                         boolean keysSeen) {
        this(next, pages, highest, lowestFailed, keyless, origin, keysSeen, null, null, null);
    }

    /**
     * Whether a run of a feed whose parent is {@code parentFeed} (null: not a child feed) can resume from
     * here: a page checkpoint for a plain feed, a parent checkpoint of the same parent for a child feed (a
     * feed redefined since starts over).
     */
    public boolean fits(String parentFeed) {
        return parentFeed == null ? next != null : afterParent != null && parentFeed.equals(this.parentFeed);
    }
}
