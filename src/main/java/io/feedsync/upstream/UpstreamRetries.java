package io.feedsync.upstream;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;


/**
 * The redelivery decisions of the sync route's error policy for failed page requests: whether a
 * failure is worth another attempt under the feed's {@code source.retry}, and how long Camel
 * waits first (the upstream's Retry-After when it gave one, else backoff with jitter).
 */
@Component("upstreamRetries")
public class UpstreamRetries implements Processor {

    private static final Logger log = LoggerFactory.getLogger(UpstreamRetries.class);

    /** Camel's redelivery waits this many milliseconds when the header is set on the failed message. */
    private static final String REDELIVERY_DELAY_HEADER = "CamelRedeliveryDelay";
    private static final String RETRY_DECISION = "feedsyncRetryPage";

    public boolean isTransient(Exchange exchange) {
        Exception failure = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        return failure instanceof PageFetchException fetch && fetch.isTransient();
    }

    /** The decision {@link #process} took for this failure (the run's retryWait then waits the delay it set). */
    public boolean retry(Exchange exchange) {
        return exchange.getProperty(RETRY_DECISION, false, Boolean.class);
    }

    /**
     * Camel's onExceptionOccurred, called at each failure before redelivery is decided and
     * scheduled: decides whether to retry and sets how long Camel waits first.
     */
    @Override
    public void process(Exchange exchange) {
        exchange.setProperty(RETRY_DECISION, decide(exchange));
    }

    private boolean decide(Exchange exchange) {
        PageProgress run = exchange.getProperty(PageProgress.PROPERTY, PageProgress.class);
        PageFetchException failure = exchange.getException() instanceof PageFetchException fetch ? fetch
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, PageFetchException.class);
        // Camel has already counted this failure: after the first attempt fails the counter is 1
        int attempt = exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 1, Integer.class);
        RetryPolicy policy = run.source().retry();
        if (failure == null || attempt >= policy.maxAttempts()) {
            return false;
        }
        Duration retryAfter = failure.retryAfter();
        if (retryAfter != null && retryAfter.compareTo(RetryPolicy.MAX_RETRY_AFTER) > 0) {
            return false;
        }
        long delay = retryAfter != null ? retryAfter.toMillis()
                : failure.httpStatus() != null && failure.httpStatus() == 401 ? 0
                : policy.backoffMillis(attempt, ThreadLocalRandom.current().nextDouble());
        exchange.getMessage().setHeader(REDELIVERY_DELAY_HEADER, delay);
        log.warn("Feed {} run {}: attempt {} of {} failed ({}); retrying in {} ms", run.feedName(), run.runId(),
                attempt, policy.maxAttempts(), failure.getMessage(), delay);
        return true;
    }
}
