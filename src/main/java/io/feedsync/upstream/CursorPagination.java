package io.feedsync.upstream;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;

import org.springframework.web.util.UriComponentsBuilder;
import org.springframework.web.util.UriUtils;

/**
 * {@code pagination.type: cursor} — the page body carries an opaque cursor (at
 * {@code cursor-pointer}) that is sent back as {@code cursor-param}; no cursor means the end.
 */
public record CursorPagination(String cursorParam, String cursorPointer) implements Pagination {

    @Override
    public URI firstPage(URI source) {
        return source;
    }

    @Override
    public Optional<URI> nextPage(PageOutcome page) {
        String cursor = page.bodyValues().get(cursorPointer);
        if (cursor == null || cursor.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(UriComponentsBuilder.fromUri(page.uri())
                .replaceQueryParam(cursorParam, UriUtils.encodeQueryParam(cursor, StandardCharsets.UTF_8))
                .build(true).toUri());
    }

    @Override
    public Set<String> bodyPointers() {
        return Set.of(cursorPointer);
    }
}
