package io.feedsync.config;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.processor.aggregate.DefaultAggregateController;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.apache.camel.util.concurrent.SynchronousExecutorService;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Instantiates the route templates of {@code routes/} for every configured feed, before Camel
 * starts: {@code feed-<name>-sync}, {@code feed-<name>-page} and {@code feed-<name>-fetch} for each feed,
 * {@code feed-<name>-timer} for scheduled ones.
 * Each feed also gets its own {@code http} component so that its timeouts are its own.
 */
@Component
public class FeedRoutes implements CamelContextConfiguration {

    /** Runs aggregated batches on the splitting thread, so fetching waits for writing (back-pressure). */
    public static final String SYNCHRONOUS_EXECUTOR = "feedsyncSynchronousExecutor";

    private final FeedCatalog catalog;
    private final boolean scheduling;

    public FeedRoutes(FeedCatalog catalog, @Value("${feedsync.scheduling.enabled:true}") boolean scheduling) {
        this.catalog = catalog;
        this.scheduling = scheduling;
    }

    @Override
    public void beforeApplicationStart(CamelContext context) {
        context.getRegistry().bind(SYNCHRONOUS_EXECUTOR, new SynchronousExecutorService());
        for (FeedDefinition feed : catalog.all()) {
            context.addComponent(httpComponentName(feed), httpComponent(feed));
            context.getRegistry().bind(batchesName(feed.name()), new DefaultAggregateController());
            TemplatedRouteBuilder.builder(context, "feed-fetch")
                    .routeId("feed-" + feed.name() + "-fetch")
                    .parameter("feed", feed.name())
                    .parameter("http", httpComponentName(feed))
                    .add();
            TemplatedRouteBuilder.builder(context, "feed-page")
                    .routeId("feed-" + feed.name() + "-page")
                    .parameter("feed", feed.name())
                    .parameter("batchSize", feed.batchSize())
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

    /** The controller of a feed's batch aggregator, used to discard a failed run's unwritten batch. */
    public static String batchesName(String feed) {
        return "feed-" + feed + "-batches";
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
