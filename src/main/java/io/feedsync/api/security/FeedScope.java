package io.feedsync.api.security;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import org.springframework.security.core.Authentication;

/**
 * The feeds a caller may see and operate: every feed, or, for an API key scoped with
 * {@code feedsync.security.api-keys.<name>.feeds} and/or {@code .tags}, the feeds it names and those
 * that carry one of its tags. Tags are read from the feed's current definition at each check, so a
 * feed defined over the API that gains or loses a tag is in or out of scope at once. Any other feed
 * is, to that key, a feed that does not exist.
 */
public final class FeedScope {

    public static final FeedScope ALL = new FeedScope(null, null, feed -> List.of());

    private final Set<String> feeds;
    private final Set<String> tags;
    private final Function<String, Collection<String>> tagsOf;

    /** {@code feeds}, {@code tags}: null for none named; both null is every feed. {@code tagsOf}: a feed's current tags. */
    public FeedScope(Set<String> feeds, Set<String> tags, Function<String, Collection<String>> tagsOf) {
        this.feeds = feeds == null ? null : Set.copyOf(feeds);
        this.tags = tags == null ? null : Set.copyOf(tags);
        this.tagsOf = tagsOf;
    }

    /** The scope of an authenticated caller: its key's, or every feed for console users. */
    public static FeedScope of(Authentication caller) {
        return caller instanceof ApiKeyAuthentication key ? key.scope() : ALL;
    }

    public boolean sees(String feed) {
        if (!limited() || feeds != null && feeds.contains(feed)) {
            return true;
        }
        return tags != null && tagsOf.apply(feed).stream().anyMatch(tags::contains);
    }

    /** Whether this scope leaves out feeds: the caller then gets no console, Jolokia or metrics. */
    public boolean limited() {
        return feeds != null || tags != null;
    }

    @Override
    public String toString() {
        return limited() ? "FeedScope[feeds=" + feeds + ", tags=" + tags + "]" : "FeedScope[all]";
    }
}
