package io.feedsync.config;

/**
 * What feedsync remembers of a feed from one run to the next — its records' content hashes, the rows
 * its full runs missed, the keys its finished runs saw, the checkpoint a failed run left, its
 * watermark. A deleted feed's name must not hand any of it to a feed defined later under that name:
 * that feed would take records for unchanged, resume a run it never made, or start from a watermark
 * it never reached. Its runs, rows, dead letters, change events and history stay.
 */
public interface FeedMemory {

    /** Forgets it all, in the transaction in progress. */
    void forget(String feed);
}
