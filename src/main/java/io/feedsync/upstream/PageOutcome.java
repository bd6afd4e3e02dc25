package io.feedsync.upstream;

import java.net.URI;
import java.util.Map;

/**
 * What one page turned out to be, as far as pagination cares.
 *
 * @param uri        the page's URL as requested
 * @param records    how many records the page held
 * @param linkHeader the response's {@code Link} header, if any
 * @param bodyValues the values found at the pagination's {@link Pagination#bodyPointers()}
 * @param ended      the page had no record array ({@code null} or absent): the export ended there,
 *                   whatever the page says of a next one
 */
public record PageOutcome(URI uri, int records, String linkHeader, Map<String, String> bodyValues, boolean ended) {

    public PageOutcome(URI uri, int records, String linkHeader, Map<String, String> bodyValues) {
        this(uri, records, linkHeader, bodyValues, false);
    }
}
