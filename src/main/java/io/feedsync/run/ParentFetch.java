package io.feedsync.run;

import java.util.List;

import io.feedsync.upstream.Parent;

/**
 * The requests of one parent of a child feed's run — or, with {@code for-each.batch}, of several
 * parents in one request chain: the body of the split's exchange for it (routes/feed-sync.yaml).
 * {@code ordinal}: its place in the run's key order; {@code skipped}: handed out after the run was told
 * to stop, so nothing is fetched for it.
 */
public record ParentFetch(long ordinal, List<Parent> parents, boolean skipped) {

    /** The property that carries it on the exchange of its requests. */
    public static final String PROPERTY = "feedsyncParentFetch";

    /** The single parent whose row the mapping's {@code { parent: column }} reads; null for a batch. */
    public Parent single() {
        return parents.size() == 1 ? parents.get(0) : null;
    }

    /** The key of its last parent: a checkpoint past it resumes after it. */
    List<String> lastKey() {
        return parents.get(parents.size() - 1).key();
    }

    @Override
    public String toString() {
        return parents.size() == 1 ? "parent " + parents.get(0).keyText()
                : "parents " + parents.get(0).keyText() + ".." + parents.get(parents.size() - 1).keyText();
    }
}
