package io.feedsync.store;

/** What a write did to the rows it was given: upserted, or soft-deleted by a delete marker. */
public record UpsertCounts(long inserted, long updated, long unchanged, long deleted) {

    public static final UpsertCounts NONE = new UpsertCounts(0, 0, 0, 0);

    /** Counts of an upsert, which deletes nothing. */
    public UpsertCounts(long inserted, long updated, long unchanged) {
        this(inserted, updated, unchanged, 0);
    }

    public UpsertCounts plus(UpsertCounts other) {
        return new UpsertCounts(inserted + other.inserted, updated + other.updated, unchanged + other.unchanged,
                deleted + other.deleted);
    }
}
