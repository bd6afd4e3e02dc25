package io.feedsync.run;

import java.time.Duration;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.springframework.stereotype.Component;

import io.feedsync.upstream.UpstreamRetries;

/**
 * The sync route's retryWhile (routes/run-errors.yaml): whether a failed page is tried again, as
 * {@link UpstreamRetries} decided, after the wait it set — waited here rather than by Camel, so that a
 * run that is cancelled, or whose node stops, while it waits (a backoff or a Retry-After of minutes)
 * stops at once instead of after the wait ({@link RunStops#sleep}).
 */
@Component("retryWait")
public class RetryWait {

    private final UpstreamRetries retries;
    private final RunStops stops;

    public RetryWait(UpstreamRetries retries, RunStops stops) {
        this.retries = retries;
        this.stops = stops;
    }

    public boolean retry(Exchange exchange) {
        if (!retries.retry(exchange)) {
            return false;
        }
        RunState run = exchange.getProperty(RunState.PROPERTY, RunState.class);
        if (run == null) {
            // not a run's page: Camel waits as usual
            return true;
        }
        Message message = exchange.getMessage();
        long delay = message.getHeader(Exchange.REDELIVERY_DELAY, 0L, Long.class);
        // Camel's own wait is none: the wait is this one
        message.setHeader(Exchange.REDELIVERY_DELAY, 0L);
        return stops.sleep(run, Duration.ofMillis(delay));
    }
}
