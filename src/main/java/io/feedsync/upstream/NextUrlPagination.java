package io.feedsync.upstream;

import java.net.URI;
import java.util.Optional;
import java.util.Set;

/**
 * {@code pagination.type: next-url} — the page body holds the next page's URL (absolute or
 * relative to the current page), as Django REST framework's {@code next}; null means the end.
 */
public record NextUrlPagination(String nextPointer) implements Pagination {

    @Override
    public URI firstPage(URI source) {
        return source;
    }

    @Override
    public Optional<URI> nextPage(PageOutcome page) {
        String next = page.bodyValues().get(nextPointer);
        if (next == null || next.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(page.uri().resolve(next));
    }

    @Override
    public Set<String> bodyPointers() {
        return Set.of(nextPointer);
    }
}
