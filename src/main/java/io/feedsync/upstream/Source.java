package io.feedsync.upstream;

import java.net.URI;
import java.time.Duration;

import org.springframework.util.unit.DataSize;


/**
 * Where the records come from. {@code incremental} is null when the feed has no cursor; a page
 * larger than {@code maxPageSize} fails the run; {@code rateLimit} is how hard it may be pulled;
 * {@code errorBodies} (null: none) tells an error answered with 200 from a page;
 * {@code deleteMarkers} (null: none) tell a record that says its row is deleted; {@code forEach} (null:
 * none) makes the feed a child feed, {@code url} then holding its placeholders as {@link ForEach#marker}s.
 */
public record Source(URI url, Authentication auth, Pagination pagination, int maxPages,
                     String recordsPointer, Incremental incremental, Duration timeout,
                     Duration connectTimeout, RetryPolicy retry, DataSize maxPageSize, RateLimit rateLimit,
                     ErrorBodies errorBodies, DeleteMarkers deleteMarkers, boolean endOnMissingRecords,
                     ForEach forEach) {
}
