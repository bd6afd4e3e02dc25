package io.feedsync.notify;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedDefinition;

/**
 * Instantiates the delivery route of {@code routes/feed-notify.yaml} for each endpoint of each
 * feed's {@code notify.changes}, as {@code feed-<name>-notify-<n>} (n counting from 1 in the
 * configured order): for configured feeds before Camel starts, for feeds defined over the API when
 * this node takes them in — replaced when their endpoints change, removed when they are deleted, on
 * every node; and gives webhooks (the {@code http} and {@code https} components, which feedsync uses
 * for nothing else, and {@value WebhookEndpoints#COMPONENT}, which sends those of feeds defined over the API)
 * timeouts, which an endpoint URI may override ({@code ?connectTimeout=…&responseTimeout=…}).
 * A delivery route is not one of a run's: replacing it waits only for its batch under way.
 */
@Component
public class NotifyRoutes implements CamelContextConfiguration {

    private static final Logger log = LoggerFactory.getLogger(NotifyRoutes.class);
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final int RESPONSE_TIMEOUT_MILLIS = 10_000;

    private final FeedCatalog catalog;
    private final CamelContext camel;
    private final NotifyEndpoints uris;
    private final ChangeDeliveries deliveries;
    private final Duration pollInterval;
    /** The endpoints each feed's delivery routes on this node were made for. */
    private final Map<String, List<String>> installed = new ConcurrentHashMap<>();

    public NotifyRoutes(FeedCatalog catalog, CamelContext camel, NotifyEndpoints uris, ChangeDeliveries deliveries,
                        @Value("${feedsync.delivery.poll-interval:1s}") Duration pollInterval) {
        this.catalog = catalog;
        this.camel = camel;
        this.uris = uris;
        this.deliveries = deliveries;
        this.pollInterval = pollInterval;
    }

    @Override
    public void beforeApplicationStart(CamelContext context) {
        for (String scheme : List.of("http", "https", WebhookEndpoints.COMPONENT)) {
            HttpComponent http = context.getComponent(scheme, HttpComponent.class);
            http.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
            http.setConnectionRequestTimeout(CONNECT_TIMEOUT_MILLIS);
            http.setResponseTimeout(RESPONSE_TIMEOUT_MILLIS);
            http.setSoTimeout(RESPONSE_TIMEOUT_MILLIS);
            // a failed delivery is retried by the delivery route, after its backoff
            http.setHttpClientConfigurer(HttpClientBuilder::disableAutomaticRetries);
        }
        for (FeedDefinition feed : catalog.all()) {
            add(context, feed.name(), endpoints(feed));
        }
    }

    @Override
    public void afterApplicationStart(CamelContext context) {
    }

    /** A feed defined over the API, new here or changed: its delivery routes follow its notify.changes. */
    @EventListener
    public synchronized void defined(FeedCatalog.Defined defined) throws Exception {
        String feed = defined.feed().name();
        List<String> endpoints = endpoints(defined.feed());
        if (endpoints.equals(installed.getOrDefault(feed, List.of()))) {
            return;
        }
        remove(feed);
        add(camel, feed, endpoints);
        log.info("Feed {}: {} delivery route(s) on this node", feed, endpoints.size());
    }

    @EventListener
    public synchronized void forgotten(FeedCatalog.Forgotten forgotten) throws Exception {
        if (installed.containsKey(forgotten.feed())) {
            remove(forgotten.feed());
            log.info("Feed {}: deleted; its delivery routes are gone from this node", forgotten.feed());
        }
    }

    private void add(CamelContext context, String feed, List<String> endpoints) {
        for (int i = 0; i < endpoints.size(); i++) {
            String name = ChangeDeliveries.name(endpoints.get(i));
            String former = uris.formerName(feed, endpoints.get(i));
            if (former != null) {
                deliveries.rename(feed, former, name);
            }
            TemplatedRouteBuilder.builder(context, "feed-notify")
                    .routeId(routeId(feed, i + 1))
                    .parameter("feed", feed)
                    .parameter("n", i + 1)
                    .parameter("endpoint", uris.routeUri(context, feed, i + 1, endpoints.get(i)))
                    .parameter("endpointName", name)
                    .parameter("delay", pollInterval.toMillis())
                    .add();
        }
        if (!endpoints.isEmpty()) {
            installed.put(feed, endpoints);
        }
    }

    private void remove(String feed) throws Exception {
        List<String> endpoints = installed.remove(feed);
        for (int n = 1; endpoints != null && n <= endpoints.size(); n++) {
            String id = routeId(feed, n);
            if (camel.getRoute(id) != null) {
                camel.getRouteController().stopRoute(id);
                camel.removeRoute(id);
            }
            // the next route of that number is another endpoint: its scheduler endpoint must be new
            camel.removeEndpoints("scheduler:" + id + "*");
        }
        uris.unbind(camel, feed);
    }

    private static List<String> endpoints(FeedDefinition feed) {
        return feed.notifications() == null ? List.of() : List.copyOf(feed.notifications().changes());
    }

    private static String routeId(String feed, int n) {
        return "feed-" + feed + "-notify-" + n;
    }
}
