package io.feedsync.store;

import java.util.List;

import io.feedsync.transform.Chunk;

/**
 * What the writer did with one chunk: how many of its records it inserted, updated, soft-deleted
 * (delete markers) and found unchanged, and a few keys of each; the records PostgreSQL refused,
 * which it dead-lettered; or the failure that stopped it (any but bad data, which dead-letters the
 * records concerned and lets the chunk go on).
 */
public record ChunkOutcome(UpsertCounts counts, List<String> inserted, List<String> updated, List<String> unchanged,
                           List<String> deleted, List<Chunk.Rejection> deadLettered, RuntimeException failure) {

    public static ChunkOutcome skipped() {
        return new ChunkOutcome(UpsertCounts.NONE, List.of(), List.of(), List.of(), List.of(), List.of(), null);
    }

    /** A chunk that could not be written at all: the run fails, the chunks after it are skipped. */
    public static ChunkOutcome failed(RuntimeException failure) {
        return new ChunkOutcome(UpsertCounts.NONE, List.of(), List.of(), List.of(), List.of(), List.of(), failure);
    }

    /** A record that could not be applied (a replayed letter that failed again). */
    public static ChunkOutcome rejected(Chunk.Rejection rejection) {
        return new ChunkOutcome(UpsertCounts.NONE, List.of(), List.of(), List.of(), List.of(), List.of(rejection), null);
    }
}
