package io.feedsync.run;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedDefinition;
import io.feedsync.upstream.OutboundAddresses;

/**
 * Instantiates the route templates of {@code routes/} for every configured feed, before Camel
 * starts, and for feeds defined over the API while it runs ({@link DefinedFeeds}): {@code feed-<name>-sync}, {@code feed-<name>-page}, {@code feed-<name>-fetch} and
 * {@code feed-<name>-write} for each feed,
 * {@code feed-<name>-timer} for scheduled ones.
 * Each feed also gets its own {@code http} component so that its timeouts are its own; a feed defined
 * over the API gets one that checks where it connects ({@link OutboundAddresses}).
 */
@Component
public class FeedRoutes implements CamelContextConfiguration {

    /** A feed's routes, the first ones a run comes through first (removed in this order). */
    private static final java.util.List<String> ROUTES = java.util.List.of("timer", "sync", "page", "fetch", "write");

    private final FeedCatalog catalog;
    private final OutboundAddresses outbound;
    private final boolean scheduling;

    public FeedRoutes(FeedCatalog catalog, OutboundAddresses outbound,
                      @Value("${feedsync.scheduling.enabled:true}") boolean scheduling) {
        this.catalog = catalog;
        this.outbound = outbound;
        this.scheduling = scheduling;
    }

    @Override
    public void beforeApplicationStart(CamelContext context) {
        for (FeedDefinition feed : catalog.configured()) {
            add(context, feed);
        }
    }

    /**
     * Adds the feed's routes and http component; on a running context they start at once (the
     * timer's storing or updating its Quartz trigger).
     */
    public void add(CamelContext context, FeedDefinition feed) {
        context.addComponent(httpComponentName(feed), httpComponent(feed));
        TemplatedRouteBuilder.builder(context, "feed-fetch")
                .routeId("feed-" + feed.name() + "-fetch")
                .parameter("feed", feed.name())
                .parameter("http", httpComponentName(feed))
                .parameter("unlimited", !feed.source().rateLimit().limited())
                .parameter("requestsPerPeriod", feed.source().rateLimit().requestsPerPeriod())
                .parameter("ratePeriod", feed.source().rateLimit().periodMillis())
                .add();
        TemplatedRouteBuilder.builder(context, "feed-page")
                .routeId("feed-" + feed.name() + "-page")
                .parameter("feed", feed.name())
                .add();
        TemplatedRouteBuilder.builder(context, "feed-write")
                .routeId("feed-" + feed.name() + "-write")
                .parameter("feed", feed.name())
                .add();
        TemplatedRouteBuilder.builder(context, "feed-sync")
                .routeId("feed-" + feed.name() + "-sync")
                .parameter("feed", feed.name())
                .add();
        if (feed.scheduled() && scheduling) {
            TemplatedRouteBuilder.builder(context, "feed-timer")
                    .routeId("feed-" + feed.name() + "-timer")
                    .parameter("feed", feed.name())
                    .parameter("cron", feed.schedule())
                    .add();
        }
    }

    /** Whether any of the feed's routes, or its http component, is in the context. */
    public boolean installed(CamelContext context, String feed) {
        return context.hasComponent("upstream-" + feed) != null
                || ROUTES.stream().anyMatch(route -> context.getRoute("feed-" + feed + "-" + route) != null);
    }

    /**
     * Stops and removes the feed's routes and its http component. The timer's stored Quartz trigger
     * stays (the job store is clustered): whoever retires the timer unschedules it.
     */
    public void remove(CamelContext context, String feed) throws Exception {
        for (String route : ROUTES) {
            String id = "feed-" + feed + "-" + route;
            if (context.getRoute(id) != null) {
                context.getRouteController().stopRoute(id);
                context.removeRoute(id);
            }
        }
        // endpoints are cached by URI: the next routes must get new ones, on the feed's new http component
        context.removeEndpoints("upstream-" + feed + ":*");
        context.removeEndpoints("scheduler:feed-" + feed + "*");
        context.removeComponent("upstream-" + feed);
    }

    @Override
    public void afterApplicationStart(CamelContext context) {
    }

    private static String httpComponentName(FeedDefinition feed) {
        return httpComponentName(feed.name());
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
