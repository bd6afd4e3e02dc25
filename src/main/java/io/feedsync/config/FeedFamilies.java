package io.feedsync.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import io.feedsync.upstream.ForEach;

/**
 * Child feeds and their parents ({@code source.for-each.feed}): a parent must exist, and no feed may
 * be its own ancestor (a cycle is refused at startup and by {@code PUT}).
 */
public final class FeedFamilies {

    private FeedFamilies() {
    }

    /**
     * What is wrong with {@code feed}'s parent among the feeds {@code lookup} finds (with {@code feed}
     * as it would be): the parent is unknown, or the chain of parents comes back to {@code feed}.
     */
    public static List<FeedConfigException> problems(FeedDefinition feed,
                                                     Function<String, Optional<FeedDefinition>> lookup) {
        List<FeedConfigException> problems = new ArrayList<>();
        ForEach forEach = feed.source().forEach();
        if (forEach == null) {
            return problems;
        }
        String key = "feedsync.feeds." + feed.name() + ".source.for-each.feed";
        Set<String> chain = new LinkedHashSet<>();
        chain.add(feed.name());
        String parent = forEach.feed();
        while (parent != null) {
            if (!chain.add(parent)) {
                problems.add(new FeedConfigException(key, "the parents form a cycle: " + String.join(" → ", chain)
                        + " → " + parent));
                break;
            }
            Optional<FeedDefinition> found = parent.equals(feed.name()) ? Optional.of(feed) : lookup.apply(parent);
            if (found.isEmpty()) {
                problems.add(new FeedConfigException(key, chain.size() == 2 ? "no feed named '" + parent + "'"
                        : "the parent chain names '" + parent + "', which is no feed"));
                break;
            }
            if (chain.size() == 2) {
                problems.addAll(columns(feed, found.get()));
            }
            parent = found.get().source().forEach() == null ? null : found.get().source().forEach().feed();
        }
        return problems;
    }

    /**
     * A child reads of its parent's rows only what the parent feed writes: its key and, for a parent with a
     * mapping, its mapped columns (never another column of the table, which no feed put there).
     */
    public static List<FeedConfigException> columns(FeedDefinition child, FeedDefinition parent) {
        Set<String> readable = readable(parent);
        List<FeedConfigException> problems = new ArrayList<>();
        List<String> columns = child.source().forEach().columns();
        for (int i = 0; i < columns.size(); i++) {
            if (!readable.contains(columns.get(i))) {
                problems.add(new FeedConfigException("feedsync.feeds." + child.name() + ".source.for-each.columns["
                        + i + "]", "'" + columns.get(i) + "' is not a column feed '" + parent.name() + "' writes (its key"
                        + (parent.transform().bean() == null ? " and mapped columns" : "") + ": " + readable + ")"));
            }
        }
        return problems;
    }

    /** The columns of its table that {@code parent} writes and its children may read. */
    public static Set<String> readable(FeedDefinition parent) {
        Set<String> readable = new LinkedHashSet<>(parent.target().key());
        if (parent.transform().bean() == null) {
            readable.addAll(parent.transform().mapping().keySet());
        }
        return readable;
    }

    /** The feeds of {@code feeds} whose parent is {@code parent}. */
    public static List<String> childrenOf(String parent, Collection<FeedDefinition> feeds) {
        return feeds.stream().filter(feed -> feed.source().forEach() != null
                && feed.source().forEach().feed().equals(parent)).map(FeedDefinition::name).toList();
    }

    /**
     * {@code feeds} ordered parents first (a child after every ancestor among them), otherwise as given:
     * a batch refresh runs them in this order.
     */
    public static List<FeedDefinition> parentsFirst(List<FeedDefinition> feeds) {
        List<FeedDefinition> ordered = new ArrayList<>(feeds.size());
        Set<String> placed = new LinkedHashSet<>();
        Set<String> names = new LinkedHashSet<>(feeds.stream().map(FeedDefinition::name).toList());
        List<FeedDefinition> waiting = new ArrayList<>(feeds);
        while (!waiting.isEmpty()) {
            boolean progress = false;
            for (var it = waiting.iterator(); it.hasNext(); ) {
                FeedDefinition feed = it.next();
                ForEach forEach = feed.source().forEach();
                if (forEach == null || !names.contains(forEach.feed()) || placed.contains(forEach.feed())) {
                    ordered.add(feed);
                    placed.add(feed.name());
                    it.remove();
                    progress = true;
                }
            }
            if (!progress) {
                // a cycle (refused when defined): the rest as given
                ordered.addAll(waiting);
                break;
            }
        }
        return ordered;
    }
}
