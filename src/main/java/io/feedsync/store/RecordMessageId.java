package io.feedsync.store;

import org.apache.camel.Exchange;
import org.apache.camel.support.ExpressionAdapter;
import org.springframework.stereotype.Component;

import io.feedsync.run.RunState;
import io.feedsync.transform.TransformedRecord;

/**
 * The idempotent consumer's message id of a transformed record: run, key hash and content hash,
 * as {@link RecordHashes} reads it. An expression the route names with {@code ref}, not a bean
 * method: the bean language copies the whole exchange on every call, once per record.
 */
@Component("recordMessageId")
public class RecordMessageId extends ExpressionAdapter {

    @Override
    public Object evaluate(Exchange exchange) {
        TransformedRecord record = exchange.getMessage().getBody(TransformedRecord.class);
        RunState run = exchange.getProperty(RunState.PROPERTY, RunState.class);
        return run.runId() + ":" + record.digest().keyHash() + ":" + record.digest().contentHash();
    }
}
