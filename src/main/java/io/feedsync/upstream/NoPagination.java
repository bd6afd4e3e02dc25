package io.feedsync.upstream;

import java.net.URI;
import java.util.Optional;

/** {@code pagination.type: none} — the export is one document. */
public record NoPagination() implements Pagination {

    @Override
    public URI firstPage(URI source) {
        return source;
    }

    @Override
    public Optional<URI> nextPage(PageOutcome page) {
        return Optional.empty();
    }
}
