package io.feedsync.upstream;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.processor.TotalRequestsThrottler;
import org.apache.camel.support.builder.ExpressionBuilder;
import org.apache.camel.support.service.ServiceHelper;
import org.springframework.stereotype.Component;

/**
 * {@code source.rate-limit.requests-per-second} on the one fetch route every feed shares: each
 * rate-limited feed gets its own Camel throttler (a rolling window of {@link RateLimit#requestsPerPeriod()}
 * requests per {@link RateLimit#periodMillis()}), made at its first request and made again when its
 * limit changes; a request of a feed without a limit passes straight through. Camel's throttle step
 * cannot serve here: its period is fixed when the route is built, and periods differ from feed to feed.
 */
@Component("upstreamRateLimits")
public class UpstreamRateLimits implements Processor {

    private final CamelContext camel;
    private final Map<String, Limited> throttlers = new ConcurrentHashMap<>();
    private ScheduledExecutorService cleaner;

    public UpstreamRateLimits(CamelContext camel) {
        this.camel = camel;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        PageProgress run = exchange.getProperty(PageProgress.PROPERTY, PageProgress.class);
        RateLimit limit = run.source().rateLimit();
        if (!limit.limited()) {
            return;
        }
        throttlers.compute(run.feedName(), (feed, current) -> current != null && current.limit().equals(limit)
                ? current : replace(current, limit)).throttler().process(exchange);
    }

    /** The feed is gone: its throttler too. */
    public void forget(String feed) {
        Limited gone = throttlers.remove(feed);
        if (gone != null) {
            ServiceHelper.stopAndShutdownService(gone.throttler());
        }
    }

    private Limited replace(Limited current, RateLimit limit) {
        if (current != null) {
            ServiceHelper.stopAndShutdownService(current.throttler());
        }
        TotalRequestsThrottler throttler = new TotalRequestsThrottler(camel,
                ExpressionBuilder.constantExpression(limit.requestsPerPeriod()), limit.periodMillis(), cleaner(),
                false, false, null);
        ServiceHelper.startService(throttler);
        return new Limited(limit, throttler);
    }

    /** The thread the throttlers forget idle windows on (one for every feed). */
    private synchronized ScheduledExecutorService cleaner() {
        if (cleaner == null) {
            cleaner = camel.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "rate-limits");
        }
        return cleaner;
    }

    private record Limited(RateLimit limit, TotalRequestsThrottler throttler) {
    }
}
