package io.feedsync.api;

import java.util.List;

/** A feed that child feeds name as their parent ({@code source.for-each.feed}) is not deleted before them. */
public class FeedHasChildrenException extends RuntimeException {

    public FeedHasChildrenException(String feed, List<String> children) {
        super("feed '" + feed + "' is the parent of " + String.join(", ", children)
                + " (source.for-each.feed); delete or redefine " + (children.size() == 1 ? "it" : "them") + " first");
    }
}
