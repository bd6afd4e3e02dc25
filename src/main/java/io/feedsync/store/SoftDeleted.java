package io.feedsync.store;

import java.util.List;

/**
 * What a full run's soft-delete did: how many rows it soft-deleted (a dry run: would have), a few of
 * their keys, and how many rows it missed but left in place until more full runs miss them
 * ({@code target.soft-delete-after}).
 */
public record SoftDeleted(long count, List<String> sample, long pending) {

    public static final SoftDeleted NONE = new SoftDeleted(0, List.of(), 0);

    /** This and {@code more}: a full run's soft-deletes and a child feed's cascaded ones. */
    public SoftDeleted plus(SoftDeleted more) {
        if (more.count == 0 && more.pending == 0) {
            return this;
        }
        if (count == 0 && pending == 0) {
            return more;
        }
        List<String> both = new java.util.ArrayList<>(sample);
        both.addAll(more.sample);
        return new SoftDeleted(count + more.count, both, pending + more.pending);
    }
}
