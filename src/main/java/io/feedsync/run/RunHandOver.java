package io.feedsync.run;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.springframework.stereotype.Component;

/**
 * Prepares the exchange a run is handed over on (run-start's wire tap): it keeps the run's own
 * properties and drops the caller's (the REST or timer routes' metrics timers, request values).
 * Every chunk of the run is a copy of this exchange, properties included (twice: once for the
 * split, once for the writer's queue), so what is not needed here is copied thousands of times.
 */
@Component("runHandOver")
public class RunHandOver implements Processor {

    @Override
    public void process(Exchange exchange) {
        exchange.getProperties().keySet().removeIf(name -> !name.startsWith("feedsync"));
    }
}
