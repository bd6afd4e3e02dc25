package io.feedsync.store;

/** What an upsert did to the rows it was given. */
public record UpsertCounts(long inserted, long updated, long unchanged) {

    public static final UpsertCounts NONE = new UpsertCounts(0, 0, 0);

    public UpsertCounts plus(UpsertCounts other) {
        return new UpsertCounts(inserted + other.inserted, updated + other.updated, unchanged + other.unchanged);
    }
}
