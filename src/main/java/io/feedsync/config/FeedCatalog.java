package io.feedsync.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import io.feedsync.upstream.ConfiguredFeeds;

/**
 * The feeds this node knows, live: those of {@code feedsync.feeds} (validated once at startup, where
 * anything wrong stops it with a {@link FeedConfigException} naming the feed and the key), and those
 * defined over the API, which {@link DefinedFeeds} puts in and takes out as they change in the
 * database. Safe to read from any thread while that happens. Each such change is published as a
 * {@link Defined} or {@link Forgotten} event, so that what follows every feed (health, gauges,
 * delivery routes) follows API feeds too.
 */
@Component
public class FeedCatalog implements ConfiguredFeeds {

    /** Where a feed is defined. */
    public enum Source {
        CONFIG, API;

        public String value() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** An API feed was put in or replaced ({@code previous}: its definition before, null if new here). */
    public record Defined(FeedDefinition feed, FeedDefinition previous) {
    }

    /** An API feed was taken out. */
    public record Forgotten(String feed) {
    }

    private final Map<String, FeedDefinition> configured = new LinkedHashMap<>();
    private final Map<String, FeedDefinition> defined = new ConcurrentSkipListMap<>();
    private final ApplicationEventPublisher events;

    public FeedCatalog(FeedsyncProperties properties, FeedLimits limits, Environment environment,
                       ApplicationEventPublisher events) {
        this.events = events;
        WrittenFeeds.checkWrittenNames(environment);
        properties.feeds().forEach((name, feed) -> configured.put(name, FeedValidator.define(name, feed, limits, false)));
        // a configured child feed's parent is a configured feed too: it must be there when the node starts
        List<FeedConfigException> problems = new ArrayList<>();
        configured.values().forEach(feed -> problems.addAll(FeedFamilies.problems(feed,
                name -> Optional.ofNullable(configured.get(name)))));
        if (!problems.isEmpty()) {
            throw FeedConfigException.of(problems);
        }
    }

    /** The configured feeds in their configured order, then the API's by name. */
    public Collection<FeedDefinition> all() {
        List<FeedDefinition> all = new ArrayList<>(configured.values());
        all.addAll(defined.values());
        return all;
    }

    /** The feeds of {@code feedsync.feeds}, as this node was started with them. */
    public Collection<FeedDefinition> configured() {
        return configured.values();
    }

    public FeedDefinition get(String name) {
        return find(name).orElseThrow(() -> new UnknownFeedException(name));
    }

    public Optional<FeedDefinition> find(String name) {
        FeedDefinition feed = configured.get(name);
        return Optional.ofNullable(feed != null ? feed : defined.get(name));
    }

    public boolean contains(String name) {
        return find(name).isPresent();
    }

    public Source source(String name) {
        get(name);
        return configured.containsKey(name) ? Source.CONFIG : Source.API;
    }

    @Override
    public boolean isConfigured(String name) {
        return configured.containsKey(name);
    }

    /** Puts an API-defined feed in, or replaces it: runs admitted from now on use this definition. */
    public void define(FeedDefinition feed) {
        if (configured.containsKey(feed.name())) {
            throw new IllegalStateException("feed " + feed.name() + " is defined in the configuration");
        }
        FeedDefinition previous = defined.put(feed.name(), feed);
        events.publishEvent(new Defined(feed, previous));
    }

    /** Takes an API-defined feed out. */
    public void forget(String name) {
        if (defined.remove(name) != null) {
            events.publishEvent(new Forgotten(name));
        }
    }
}
