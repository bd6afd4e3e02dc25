package io.feedsync.upstream;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code source.for-each}: the feed is a child feed, its URL fetched once per live row of the
 * {@code feed}'s target table (the parents), each {@code {column}} of the URL the parent's value of a
 * {@code columns} entry. {@code changedOnly}: an incremental run reads only the parents changed since the
 * feed's last successful run; {@code concurrency}: parents in flight at once; {@code batch} (null: none):
 * that many parents per request, their values joined by commas; {@code skipNotFound}: a 404 skips the
 * parent (else fails the run); {@code cascadeDeletes}: a soft-deleted parent's children are
 * soft-deleted with it; {@code afterParent}: the feed also runs after each successful run of its parent.
 */
public record ForEach(String feed, List<String> columns, boolean changedOnly, int concurrency, Integer batch,
                      boolean skipNotFound, boolean cascadeDeletes, boolean afterParent) {

    /** The most parent requests one run may have in flight. */
    public static final int MAX_CONCURRENCY = 16;

    /** {@code {column}} in a URL template as written. */
    public static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z_][a-z0-9_]{0,62})}");

    /**
     * How a placeholder stands in {@code source.url} once validated: percent-encoded braces keep the URL a
     * valid URI, and no parent value can produce them (a value's own braces are encoded again).
     */
    public static String marker(String column) {
        return "%7B" + column + "%7D";
    }

    /** The URL template with each {@code {column}} as its {@link #marker}. */
    public static String markersFor(String template) {
        Matcher placeholders = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (placeholders.find()) {
            placeholders.appendReplacement(out, Matcher.quoteReplacement(marker(placeholders.group(1))));
        }
        placeholders.appendTail(out);
        return out.toString();
    }
}
