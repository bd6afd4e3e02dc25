package io.feedsync.upstream;

import java.net.URI;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code pagination.type: link-header} — RFC 8288 {@code Link: <…>; rel="next"}; no next link means the end. */
public record LinkHeaderPagination() implements Pagination {

    private static final Pattern LINK = Pattern.compile("<([^>]*)>((?:\\s*;\\s*[^;,]+)*)");
    private static final Pattern REL_NEXT =
            Pattern.compile(";\\s*rel\\s*=\\s*(?:\"[^\"]*\\bnext\\b[^\"]*\"|next\\b)", Pattern.CASE_INSENSITIVE);

    @Override
    public URI firstPage(URI source) {
        return source;
    }

    @Override
    public Optional<URI> nextPage(PageOutcome page) {
        if (page.linkHeader() == null) {
            return Optional.empty();
        }
        Matcher link = LINK.matcher(page.linkHeader());
        while (link.find()) {
            if (REL_NEXT.matcher(link.group(2)).find()) {
                return Optional.of(page.uri().resolve(link.group(1).trim()));
            }
        }
        return Optional.empty();
    }
}
