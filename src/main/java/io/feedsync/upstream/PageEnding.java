package io.feedsync.upstream;

/**
 * When a page may end an export without a record array. Only a page after the first, and only when
 * it says so: its array is {@code null}, it is otherwise empty ({@code {}}), or its
 * {@code pagination.has-more} flag is {@code false} — or the feed takes any page without an array
 * for the end ({@code source.pagination.end-on-missing-records}). Any other such page is an error
 * page ({@code {"error": "daily quota exceeded"}} with a 200) and fails the run: taken for the end,
 * it would make a full run soft-delete every row of the pages not read.
 *
 * @param page            the page's number in the export, from 1
 * @param endOnMissing    {@code source.pagination.end-on-missing-records}
 * @param hasMorePointer  {@code source.pagination.has-more}, or null
 */
public record PageEnding(int page, boolean endOnMissing, String hasMorePointer) {

    /** The first page: it must have its array (or be empty: a 204, an empty body). */
    public static final PageEnding FIRST = new PageEnding(1, false, null);

    boolean laterPage() {
        return page > 1;
    }
}
