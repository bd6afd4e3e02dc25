package io.feedsync.store;

import java.util.List;

/**
 * What a full run's soft-delete did: how many rows it soft-deleted (a dry run: would have), a few of
 * their keys, and how many rows it missed but left in place until more full runs miss them
 * ({@code target.soft-delete-after}).
 */
public record SoftDeleted(long count, List<String> sample, long pending) {

    public static final SoftDeleted NONE = new SoftDeleted(0, List.of(), 0);
}
