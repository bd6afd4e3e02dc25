package io.feedsync.store;

import java.util.List;

/** What a full run's soft-delete did: how many rows it soft-deleted (a dry run: would have), and a few of their keys. */
public record SoftDeleted(long count, List<String> sample) {

    public static final SoftDeleted NONE = new SoftDeleted(0, List.of());
}
