package io.feedsync.upstream;

import java.net.URI;
import java.util.Optional;
import java.util.Set;

/**
 * How a feed walks its upstream's pages: one type per {@code source.pagination.type} of
 * {@link io.feedsync.config.FeedSchema} (a closed set), and {@link HasMorePagination}, which any of them
 * may wear. Each is stateless: what it needs to find the next page comes in the {@link PageOutcome}.
 */
public sealed interface Pagination permits NoPagination, PageNumberPagination, OffsetPagination, CursorPagination,
        NextUrlPagination, LinkHeaderPagination, HasMorePagination {

    /** The request for the first page, built from the configured source URL. */
    URI firstPage(URI source);

    /** The next page to fetch, or empty when the page just read was the last. */
    Optional<URI> nextPage(PageOutcome page);

    /** JSON pointers whose values this pagination reads from the page body (next cursor, next URL). */
    default Set<String> bodyPointers() {
        return Set.of();
    }

    /** The pointer of a flag by which a page says it is the last ({@code pagination.has-more}), or null. */
    default String lastPageFlag() {
        return null;
    }
}
