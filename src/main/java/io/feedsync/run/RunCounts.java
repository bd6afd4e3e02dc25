package io.feedsync.run;

/** The record counts of a run. */
public record RunCounts(long fetched, long inserted, long updated, long unchanged, long deleted, long deadLettered) {
}
