package io.feedsync.upstream;

import java.net.URI;
import java.util.Optional;

import org.springframework.web.util.UriComponentsBuilder;

/**
 * {@code pagination.type: page} — {@code ?page=N&size=S}; a page shorter than {@code size} (or
 * empty) is the last one.
 */
public record PageNumberPagination(String pageParam, String sizeParam, int size, int firstPage)
        implements Pagination {

    @Override
    public URI firstPage(URI source) {
        return page(source, firstPage);
    }

    @Override
    public Optional<URI> nextPage(PageOutcome page) {
        if (page.records() < size) {
            return Optional.empty();
        }
        String current = UriComponentsBuilder.fromUri(page.uri()).build().getQueryParams().getFirst(pageParam);
        return Optional.of(page(page.uri(), Integer.parseInt(current) + 1));
    }

    private URI page(URI uri, int number) {
        return UriComponentsBuilder.fromUri(uri)
                .replaceQueryParam(pageParam, number)
                .replaceQueryParam(sizeParam, size)
                .build(true).toUri();
    }
}
