package io.feedsync.run;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.feedsync.config.FeedCatalog;

/**
 * What a feed's timer does when it fires (on the one node the clustered scheduler gave the fire to):
 * hands the feed's name and the fire's time to the {@code feed-timer} route, which admits the run and
 * returns — the run waits for a slot on another thread. Made by Spring for each fire.
 */
public class FeedTimerJob implements Job {

    /** Headers of a fire on its way to {@code direct:feed-timer}. */
    public static final String FEED = "feedsyncFeed";
    public static final String FIRE_TIME = "feedsyncFireTime";

    private static final String ROUTE = "feed-timer";
    private static final Logger log = LoggerFactory.getLogger(FeedTimerJob.class);

    private final ProducerTemplate camel;
    private final FeedCatalog catalog;
    private final DefinedFeeds defined;

    public FeedTimerJob(ProducerTemplate camel, FeedCatalog catalog, DefinedFeeds defined) {
        this.camel = camel;
        this.catalog = catalog;
        this.defined = defined;
    }

    @Override
    public void execute(JobExecutionContext context) {
        String feed = context.getMergedJobDataMap().getString(FeedTimers.FEED);
        if (camel.getCamelContext().getRouteController().getRouteStatus(ROUTE).isSuspended()) {
            // an operator's doing (JMX, Hawtio): this node's fires do nothing until the route is resumed
            log.info("Feed {}: timer fire of {} skipped: route {} is suspended on this node", feed,
                    context.getScheduledFireTime().toInstant(), ROUTE);
            return;
        }
        if (!catalog.contains(feed)) {
            // defined over the API a moment ago, and its announcement has not reached this node yet
            defined.reconcile(feed);
        }
        Exchange fired = camel.send("direct:" + ROUTE, exchange -> {
            exchange.getMessage().setHeader(FEED, feed);
            exchange.getMessage().setHeader(FIRE_TIME, context.getScheduledFireTime().toInstant());
        });
        if (fired.getException() != null) {
            log.warn("Feed {}: timer fire of {} not run: {}", feed, context.getScheduledFireTime().toInstant(),
                    fired.getException().getMessage());
        }
    }
}
