package io.feedsync.upstream;

/**
 * How a feed proves who it is to its upstream. One implementation per {@code source.auth.type};
 * implementations keep their secrets to themselves: {@link #toString()} never shows them.
 */
public interface Authentication {

    /** Adds credentials to a page request. */
    void authorize(PageRequest request);

    /** Query parameters that carry secrets and must be masked wherever a URL is shown. */
    default java.util.Set<String> secretQueryParams() {
        return java.util.Set.of();
    }
}
