package io.feedsync.api.security;

import java.util.Set;

import org.springframework.security.core.Authentication;

/**
 * The feeds a caller may see and operate: every feed, or, for an API key scoped with
 * {@code feedsync.security.api-keys.<name>.feeds}, only those. Any other feed is, to that key, a
 * feed that does not exist.
 */
public record FeedScope(Set<String> feeds) {

    public static final FeedScope ALL = new FeedScope(null);

    public FeedScope {
        feeds = feeds == null ? null : Set.copyOf(feeds);
    }

    /** The scope of an authenticated caller: its key's, or every feed for console users. */
    public static FeedScope of(Authentication caller) {
        return caller instanceof ApiKeyAuthentication key ? key.scope() : ALL;
    }

    public boolean sees(String feed) {
        return feeds == null || feeds.contains(feed);
    }

    /** Whether this scope leaves out feeds: the caller then gets no console, Jolokia or metrics. */
    public boolean limited() {
        return feeds != null;
    }
}
