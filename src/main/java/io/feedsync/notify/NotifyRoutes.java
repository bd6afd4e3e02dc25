package io.feedsync.notify;

import java.time.Duration;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedDefinition;

/**
 * Instantiates the delivery route of {@code routes/feed-notify.yaml} for each endpoint of each
 * feed's {@code notify.changes}, as {@code feed-<name>-notify-<n>} (n counting from 1 in the
 * configured order), before Camel starts; and gives webhooks (the {@code http} and {@code https}
 * components, which feedsync uses for nothing else) timeouts, which an endpoint URI may override
 * ({@code ?connectTimeout=…&responseTimeout=…}).
 */
@Component
public class NotifyRoutes implements CamelContextConfiguration {

    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final int RESPONSE_TIMEOUT_MILLIS = 10_000;

    private final FeedCatalog catalog;
    private final Duration pollInterval;

    public NotifyRoutes(FeedCatalog catalog, @Value("${feedsync.delivery.poll-interval:1s}") Duration pollInterval) {
        this.catalog = catalog;
        this.pollInterval = pollInterval;
    }

    @Override
    public void beforeApplicationStart(CamelContext context) {
        for (String scheme : List.of("http", "https")) {
            HttpComponent http = context.getComponent(scheme, HttpComponent.class);
            http.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
            http.setConnectionRequestTimeout(CONNECT_TIMEOUT_MILLIS);
            http.setResponseTimeout(RESPONSE_TIMEOUT_MILLIS);
            http.setSoTimeout(RESPONSE_TIMEOUT_MILLIS);
            // a failed delivery is retried by the delivery route, after its backoff
            http.setHttpClientConfigurer(HttpClientBuilder::disableAutomaticRetries);
        }
        for (FeedDefinition feed : catalog.all()) {
            if (feed.notifications() == null) {
                continue;
            }
            List<String> endpoints = feed.notifications().changes();
            for (int i = 0; i < endpoints.size(); i++) {
                TemplatedRouteBuilder.builder(context, "feed-notify")
                        .routeId("feed-" + feed.name() + "-notify-" + (i + 1))
                        .parameter("feed", feed.name())
                        .parameter("n", i + 1)
                        .parameter("endpoint", endpoints.get(i))
                        .parameter("endpointName", ChangeDeliveries.name(endpoints.get(i)))
                        .parameter("delay", pollInterval.toMillis())
                        .add();
            }
        }
    }

    @Override
    public void afterApplicationStart(CamelContext context) {
    }
}
