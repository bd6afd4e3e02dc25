package io.feedsync.transform;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.context.ApplicationContext;
import org.springframework.stereotype.Component;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedConfigException;
import io.feedsync.config.FeedDefinition;
import io.feedsync.run.RunState;

/**
 * The transform step of the sync route: maps one record with the feed's mapper and works out
 * the record's key from the row it gives the feed's target table. A processor rather than a bean
 * method, as the other per-record steps: Camel's bean binding cost more than the step itself.
 */
@Component("recordTransformer")
public class RecordTransformer implements Processor {

    private final Map<String, RecordMapper> mappers = new HashMap<>();

    public RecordTransformer(FeedCatalog catalog, ApplicationContext context) {
        for (FeedDefinition feed : catalog.all()) {
            mappers.put(feed.name(), mapperFor(feed, context));
        }
    }

    @Override
    public void process(Exchange exchange) {
        Message message = exchange.getMessage();
        message.setBody(transform(message.getBody(JsonNode.class), exchange.getProperty(RunState.PROPERTY, RunState.class)));
    }

    public TransformedRecord transform(JsonNode record, RunState run) {
        run.recordFetched();
        FeedDefinition feed = run.feed();
        List<TargetRow> rows = mappers.get(feed.name()).map(record);
        TargetRow primary = rows.stream()
                .filter(row -> row.table().equals(feed.target().table()))
                .findFirst()
                .orElseThrow(() -> new RecordRejectedException("mapper gave no row for " + feed.target().table()));
        StringJoiner key = new StringJoiner("|");
        for (String column : feed.target().key()) {
            String value = primary.values().get(column);
            if (value == null || value.isEmpty()) {
                throw new RecordRejectedException("record has no value for key column '" + column + "'");
            }
            key.add(value);
        }
        return new TransformedRecord(key.toString(), rows, record);
    }

    private static RecordMapper mapperFor(FeedDefinition feed, ApplicationContext context) {
        String bean = feed.transform().bean();
        if (bean == null) {
            return new ColumnMapping(feed.target().table(), feed.transform().mapping());
        }
        try {
            return context.getBean(bean, RecordMapper.class);
        } catch (NoSuchBeanDefinitionException e) {
            throw new FeedConfigException("feedsync.feeds." + feed.name() + ".transform.bean",
                    "no bean named '" + bean + "' implementing " + RecordMapper.class.getName());
        }
    }
}
