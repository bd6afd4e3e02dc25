package io.feedsync.upstream;

import java.net.URI;
import java.util.Optional;

import org.springframework.web.util.UriComponentsBuilder;

/**
 * {@code pagination.type: offset} — {@code ?offset=N&limit=S}; a page shorter than {@code size}
 * (or empty) is the last one.
 */
public record OffsetPagination(String offsetParam, String limitParam, int size) implements Pagination {

    @Override
    public URI firstPage(URI source) {
        return at(source, 0);
    }

    @Override
    public Optional<URI> nextPage(PageOutcome page) {
        if (page.records() < size) {
            return Optional.empty();
        }
        String current = UriComponentsBuilder.fromUri(page.uri()).build().getQueryParams().getFirst(offsetParam);
        return Optional.of(at(page.uri(), Long.parseLong(current) + page.records()));
    }

    private URI at(URI uri, long offset) {
        return UriComponentsBuilder.fromUri(uri)
                .replaceQueryParam(offsetParam, offset)
                .replaceQueryParam(limitParam, size)
                .build(true).toUri();
    }
}
