package io.feedsync.upstream;

import java.net.URI;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * {@code source.pagination.has-more: /meta/has_more}: any pagination, stopped by a boolean flag
 * of the page itself — the page that says {@code false} is the last, whatever else it offers.
 */
public final class HasMorePagination implements Pagination {

    private final Pagination pagination;
    private final String hasMorePointer;

    public HasMorePagination(Pagination pagination, String hasMorePointer) {
        this.pagination = pagination;
        this.hasMorePointer = hasMorePointer;
    }

    @Override
    public URI firstPage(URI source) {
        return pagination.firstPage(source);
    }

    @Override
    public Optional<URI> nextPage(PageOutcome page) {
        if ("false".equals(page.bodyValues().get(hasMorePointer))) {
            return Optional.empty();
        }
        return pagination.nextPage(page);
    }

    @Override
    public String lastPageFlag() {
        return hasMorePointer;
    }

    @Override
    public Set<String> bodyPointers() {
        Set<String> pointers = new HashSet<>(pagination.bodyPointers());
        pointers.add(hasMorePointer);
        return Set.copyOf(pointers);
    }
}
