package io.feedsync.store;

import java.util.List;

/**
 * What the writer did with one chunk: how many of its records it inserted, updated, soft-deleted
 * (delete markers) and found unchanged, and a few keys of each; or the failure that stopped it
 * (any but bad data, which dead-letters the records concerned and lets the chunk go on).
 */
public record ChunkOutcome(UpsertCounts counts, List<String> inserted, List<String> updated, List<String> unchanged,
                           List<String> deleted, RuntimeException failure) {

    public static ChunkOutcome skipped() {
        return new ChunkOutcome(UpsertCounts.NONE, List.of(), List.of(), List.of(), List.of(), null);
    }

    public static ChunkOutcome failed(UpsertCounts counts, RuntimeException failure) {
        return new ChunkOutcome(counts, List.of(), List.of(), List.of(), List.of(), failure);
    }
}
