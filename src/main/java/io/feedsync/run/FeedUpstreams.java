package io.feedsync.run;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.camel.CamelContext;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.quartz.SchedulerException;
import org.springframework.stereotype.Component;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedDefinition;
import io.feedsync.upstream.OutboundAddresses;
import io.feedsync.upstream.PageProgress;
import io.feedsync.upstream.UpstreamRateLimits;

/**
 * What a feed has of its own on this node besides its definition: an {@code http} component,
 * {@code upstream-<name>}, that the shared {@code feed-fetch} route sends its requests through, so
 * that its timeouts are its own and, for a feed defined over the API, every connection is checked
 * for where it goes ({@link OutboundAddresses}). Routes are the same for every feed (the run travels
 * with the exchange): defining a feed adds a component, not routes. For configured feeds it is added
 * before Camel starts, and their timers are stored once it has ({@link FeedTimers}); for feeds
 * defined over the API while it runs ({@link DefinedFeeds}).
 * <p>
 * The fetch route sends to {@link #endpoint the feed's endpoint}, {@code upstream-<name>:<generation>}
 * (the request's URL is a header, so the endpoint's path says nothing else). A feed's component is
 * replaced when its definition changes; the new one gets a new generation, hence a new endpoint URI:
 * Camel caches producers by endpoint URI, and the old one's producer has its connections closed.
 */
@Component("feedUpstreams")
public class FeedUpstreams implements CamelContextConfiguration {

    private final FeedCatalog catalog;
    private final OutboundAddresses outbound;
    private final FeedTimers timers;
    private final UpstreamRateLimits rateLimits;
    /** The generation of each feed's component on this node. */
    private final Map<String, Long> generations = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();

    public FeedUpstreams(FeedCatalog catalog, OutboundAddresses outbound, FeedTimers timers,
                         UpstreamRateLimits rateLimits) {
        this.catalog = catalog;
        this.outbound = outbound;
        this.timers = timers;
        this.rateLimits = rateLimits;
    }

    @Override
    public void beforeApplicationStart(CamelContext context) {
        for (FeedDefinition feed : catalog.configured()) {
            add(context, feed);
        }
    }

    /** The routes that run a fire are up: the configured feeds' timers are stored, and this node takes fires. */
    @Override
    public void afterApplicationStart(CamelContext context) {
        try {
            for (FeedDefinition feed : catalog.configured()) {
                timers.follow(feed);
            }
            timers.start();
        } catch (SchedulerException e) {
            throw new IllegalStateException("could not store the feeds' timers: " + e.getMessage(), e);
        }
    }

    /** Gives the feed its http component, replacing the one it had (new timeouts take effect). */
    public void add(CamelContext context, FeedDefinition feed) {
        if (installed(context, feed.name())) {
            removeComponent(context, feed.name());
        }
        context.addComponent(httpComponentName(feed.name()), httpComponent(feed));
        generations.put(feed.name(), generation.incrementAndGet());
    }

    /** The endpoint the run's requests go to: on the feed's own component, of its current generation. */
    public String endpoint(@ExchangeProperty(PageProgress.PROPERTY) PageProgress run) {
        Long current = generations.get(run.feedName());
        if (current == null) {
            throw new IllegalStateException("feed " + run.feedName() + " has no http component on this node");
        }
        return httpComponentName(run.feedName()) + ":" + current;
    }

    /** Whether the feed's http component is in the context. */
    public boolean installed(CamelContext context, String feed) {
        return context.hasComponent(httpComponentName(feed)) != null;
    }

    /** The feed is gone from this node: its http component (endpoints, connections) and its rate limit. */
    public void remove(CamelContext context, String feed) {
        generations.remove(feed);
        removeComponent(context, feed);
        rateLimits.forget(feed);
    }

    private static void removeComponent(CamelContext context, String feed) {
        // endpoints are cached by URI: the next request must get a new one, on the feed's new component
        try {
            context.removeEndpoints(httpComponentName(feed) + ":*");
        } catch (Exception e) {
            throw new IllegalStateException("could not stop the endpoints of feed " + feed + ": " + e.getMessage(), e);
        }
        context.removeComponent(httpComponentName(feed));
    }

    /** The name of the feed's own http component (its connections are its own). */
    public static String httpComponentName(String feed) {
        return "upstream-" + feed;
    }

    private HttpComponent httpComponent(FeedDefinition feed) {
        HttpComponent http = outbound.httpComponent(feed.name());
        int connect = (int) feed.source().connectTimeout().toMillis();
        int read = (int) feed.source().timeout().toMillis();
        http.setConnectTimeout(connect);
        http.setConnectionRequestTimeout(connect);
        http.setResponseTimeout(read);
        http.setSoTimeout(read);
        // retries belong to the route's error policy; the client's own would retry 429/503 behind its back
        http.setHttpClientConfigurer(HttpClientBuilder::disableAutomaticRetries);
        return http;
    }
}
