package io.feedsync.store;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.springframework.stereotype.Component;

import io.feedsync.transform.TransformedRecord;

/**
 * After the idempotent consumer: a record it found already applied with this content is marked
 * unchanged, so that the writer counts it (and a full run sees its key) without writing it.
 */
@Component("duplicateMarker")
public class DuplicateMarker implements Processor {

    @Override
    public void process(Exchange exchange) {
        if (exchange.getProperty(Exchange.DUPLICATE_MESSAGE, false, Boolean.class)) {
            Message message = exchange.getMessage();
            message.setBody(message.getBody(TransformedRecord.class).asUnchanged());
        }
    }
}
