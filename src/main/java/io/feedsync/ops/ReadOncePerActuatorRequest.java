package io.feedsync.ops;

import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.OperationType;
import org.springframework.boot.actuate.endpoint.invoke.OperationInvoker;
import org.springframework.boot.actuate.endpoint.invoke.OperationInvokerAdvisor;
import org.springframework.boot.actuate.endpoint.invoke.OperationParameters;
import org.springframework.stereotype.Component;

/**
 * Makes each actuator operation one request of {@link FeedFact}s: a health check reads each fact once
 * for all its feeds, a scrape once for all its gauges — a constant number of queries whatever the
 * number of feeds. The next request reads them afresh.
 */
@Component
class ReadOncePerActuatorRequest implements OperationInvokerAdvisor {

    @Override
    public OperationInvoker apply(EndpointId endpoint, OperationType type, OperationParameters parameters,
                                  OperationInvoker invoker) {
        return context -> FeedFact.within(() -> invoker.invoke(context));
    }
}
