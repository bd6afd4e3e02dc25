package io.feedsync.ops;

import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedDefinition;

/**
 * One fact about each feed — its pause, its last success, its dead letters — read by one query for
 * any number of feeds. Within an actuator request ({@link ReadOncePerActuatorRequest}: a health
 * check, a scrape) it is read once, for every feed of the catalog, and shared by all that the
 * request reads, so that its cost does not grow with the number of feeds; outside one, each use
 * reads it for its own feed.
 */
public final class FeedFact<T> {

    private static final ThreadLocal<Request> REQUEST = new ThreadLocal<>();

    private final Supplier<Collection<String>> feeds;
    private final Function<Collection<String>, Map<String, T>> read;

    /** {@code read}: the fact of each of the feeds named (a feed with none left out). */
    public FeedFact(FeedCatalog catalog, Function<Collection<String>, Map<String, T>> read) {
        this.feeds = () -> catalog.all().stream().map(FeedDefinition::name).toList();
        this.read = read;
    }

    /** The feed's fact; null if it has none. */
    public T of(String feed) {
        Request request = REQUEST.get();
        return request == null ? read.apply(List.of(feed)).get(feed) : request.of(this, feed);
    }

    /** Runs {@code work} as one request: each fact it uses is read once (a request within one is part of it). */
    static <R> R within(Supplier<R> work) {
        if (REQUEST.get() != null) {
            return work.get();
        }
        REQUEST.set(new Request());
        try {
            return work.get();
        } finally {
            REQUEST.remove();
        }
    }

    /**
     * The facts one request has read. A failure to read one (the database gone) is remembered: the
     * request's other reads fail with it at once, instead of each waiting for a connection in turn.
     */
    private static final class Request {

        private final Map<FeedFact<?>, Map<String, Object>> read = new IdentityHashMap<>();
        private RuntimeException failure;

        @SuppressWarnings("unchecked")
        <T> T of(FeedFact<T> fact, String feed) {
            if (failure != null) {
                throw failure;
            }
            Map<String, Object> known = read.computeIfAbsent(fact, any -> new HashMap<>());
            if (!known.containsKey(feed)) {
                // first use: every feed at once; then only a feed that was not in the catalog then
                Set<String> feeds = new LinkedHashSet<>(known.isEmpty() ? fact.feeds.get() : List.of());
                feeds.add(feed);
                try {
                    Map<String, T> values = fact.read.apply(feeds);
                    feeds.forEach(name -> known.put(name, values.get(name)));
                } catch (RuntimeException e) {
                    failure = e;
                    throw e;
                }
            }
            return (T) known.get(feed);
        }
    }
}
