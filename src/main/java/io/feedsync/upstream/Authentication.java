package io.feedsync.upstream;

/**
 * How a feed proves who it is to its upstream. One implementation per {@code source.auth.type};
 * implementations keep their secrets to themselves: {@link #toString()} never shows them.
 */
public interface Authentication {

    /** Adds credentials to a page request. */
    void authorize(PageRequest request);

    /**
     * Forgets a credential the upstream rejected with 401; true if a fresh one will be obtained
     * for the next request, so that the request is worth one more try.
     */
    default boolean invalidate() {
        return false;
    }

    /** Query parameters that carry secrets and must be masked wherever a URL is shown. */
    default java.util.Set<String> secretQueryParams() {
        return java.util.Set.of();
    }
}
