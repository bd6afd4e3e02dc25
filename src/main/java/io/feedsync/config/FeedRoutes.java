package io.feedsync.config;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Instantiates the route templates of {@code routes/} for every configured feed, before Camel
 * starts: {@code feed-<name>-sync}, {@code feed-<name>-page}, {@code feed-<name>-fetch} and
 * {@code feed-<name>-write} for each feed,
 * {@code feed-<name>-timer} for scheduled ones.
 * Each feed also gets its own {@code http} component so that its timeouts are its own.
 */
@Component
public class FeedRoutes implements CamelContextConfiguration {

    /** Chunks that may wait for a feed's writer: enough to keep it busy, few enough to bound the heap. */
    private static final int WRITE_QUEUE = 4;

    private final FeedCatalog catalog;
    private final boolean scheduling;

    public FeedRoutes(FeedCatalog catalog, @Value("${feedsync.scheduling.enabled:true}") boolean scheduling) {
        this.catalog = catalog;
        this.scheduling = scheduling;
    }

    @Override
    public void beforeApplicationStart(CamelContext context) {
        for (FeedDefinition feed : catalog.all()) {
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
                    .parameter("writeQueue", WRITE_QUEUE)
                    .add();
            TemplatedRouteBuilder.builder(context, "feed-write")
                    .routeId("feed-" + feed.name() + "-write")
                    .parameter("feed", feed.name())
                    .parameter("writeQueue", WRITE_QUEUE)
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
    }

    @Override
    public void afterApplicationStart(CamelContext context) {
    }

    private static String httpComponentName(FeedDefinition feed) {
        return "upstream-" + feed.name();
    }

    private static HttpComponent httpComponent(FeedDefinition feed) {
        HttpComponent http = new HttpComponent();
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
