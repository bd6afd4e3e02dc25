package io.feedsync.transform;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.context.ApplicationContext;
import org.springframework.stereotype.Component;

import io.feedsync.config.ColumnType;
import io.feedsync.upstream.DeleteMarkers;
import io.feedsync.upstream.Parent;
import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedConfigException;
import io.feedsync.config.FeedDefinition;

/**
 * The transform step of the sync route: turns a chunk of upstream records into a {@link Chunk},
 * mapping each record with the feed's mapper and working out its key from the row it gives the
 * feed's target table. A record the mapper rejects leaves the chunk for the dead letters; the
 * chunk goes on. A record carrying one of the feed's delete markers becomes its key alone.
 */
@Component("recordTransformer")
public class RecordTransformer implements Processor {

    /** Each feed's mapper, with the definition it was made for (a feed defined over the API may change). */
    private final Map<String, Map.Entry<FeedDefinition, RecordMapper>> mappers = new java.util.concurrent.ConcurrentHashMap<>();
    private final ApplicationContext context;

    public RecordTransformer(FeedCatalog catalog, ApplicationContext context) {
        this.context = context;
        for (FeedDefinition feed : catalog.all()) {
            mapperFor(feed);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public void process(Exchange exchange) {
        Message message = exchange.getMessage();
        Parent parent = exchange.getProperty(Parent.PROPERTY, Parent.class);
        message.setBody(transform((List<JsonNode>) message.getBody(List.class),
                exchange.getProperty(FeedDefinition.PROPERTY, FeedDefinition.class),
                parent == null ? Map.of() : parent.columns()));
    }

    public Chunk transform(List<JsonNode> upstream, FeedDefinition feed) {
        return transform(upstream, feed, Map.of());
    }

    /** {@code parent}: a child feed's parent row ({@code for-each} columns), empty for any other feed. */
    public Chunk transform(List<JsonNode> upstream, FeedDefinition feed, Map<String, String> parent) {
        RecordMapper mapper = mapperFor(feed);
        Chunk chunk = new Chunk(upstream.size(), new ArrayList<>(upstream.size()), parent);
        for (JsonNode record : upstream) {
            try {
                chunk.records().add(transform(record, feed, mapper, parent));
            } catch (RecordRejectedException e) {
                chunk.reject(record, null, e);
            }
        }
        return chunk;
    }

    /** One record, for a replay: a rejection is thrown. */
    public TransformedRecord transform(JsonNode record, FeedDefinition feed, Map<String, String> parent) {
        return transform(record, feed, mapperFor(feed), parent);
    }

    private static TransformedRecord transform(JsonNode record, FeedDefinition feed, RecordMapper mapper,
                                               Map<String, String> parent) {
        DeleteMarkers markers = feed.source().deleteMarkers();
        if (markers != null && markers.marks(record)) {
            return marked(record, feed, mapper, parent);
        }
        List<TargetRow> rows = map(mapper, record, parent);
        return new TransformedRecord(key(primary(rows, feed), feed), rows, record);
    }

    private static List<TargetRow> map(RecordMapper mapper, JsonNode record, Map<String, String> parent) {
        return parent.isEmpty() || !(mapper instanceof ColumnMapping columns) ? mapper.map(record)
                : columns.map(record, parent);
    }

    /**
     * A record carrying a delete marker needs its key only: a tombstone often lacks the fields a
     * mapping requires, so a mapper that rejects it but names its key ({@link RecordRejectedException#forKey})
     * has said enough. Without a key it is rejected: there is no row to delete.
     */
    private static TransformedRecord marked(JsonNode record, FeedDefinition feed, RecordMapper mapper,
                                            Map<String, String> parent) {
        Map<String, String> keyValues = new LinkedHashMap<>();
        try {
            TargetRow primary = primary(map(mapper, record, parent), feed);
            feed.target().key().forEach(column -> keyValues.put(column, primary.values().get(column)));
        } catch (RecordRejectedException rejected) {
            if (rejected.keyValues() == null) {
                throw rejected;
            }
            for (int i = 0; i < feed.target().key().size(); i++) {
                keyValues.put(feed.target().key().get(i), rejected.keyValues().get(i));
            }
        }
        TargetRow keyRow = new TargetRow(feed.target().table(), keyValues);
        return TransformedRecord.deleteMarker(key(keyRow, feed), keyRow, record);
    }

    private static TargetRow primary(List<TargetRow> rows, FeedDefinition feed) {
        return rows.stream()
                .filter(row -> row.table().equals(feed.target().table()))
                .findFirst()
                .orElseThrow(() -> new RecordRejectedException("mapper gave no row for " + feed.target().table()));
    }

    private static String key(TargetRow primary, FeedDefinition feed) {
        StringJoiner key = new StringJoiner("|");
        for (String column : feed.target().key()) {
            String value = primary.values().get(column);
            if (value == null || value.isEmpty()) {
                throw new RecordRejectedException("record has no value for key column '" + column + "'");
            }
            key.add(value);
        }
        return key.toString();
    }

    /**
     * The tables the feed writes, as written: its {@code target.table}, then those its mapper bean
     * declares ({@link RecordMapper#tables()}).
     */
    public Set<String> tables(FeedDefinition feed) {
        Set<String> tables = new LinkedHashSet<>();
        tables.add(feed.target().table());
        if (feed.transform().bean() != null) {
            tables.addAll(newMapper(feed, context).tables());
        }
        return tables;
    }

    /** Checks that the feed's transform can be made (its bean exists), as startup does. */
    public void check(FeedDefinition feed) {
        newMapper(feed, context);
    }

    private RecordMapper mapperFor(FeedDefinition feed) {
        Map.Entry<FeedDefinition, RecordMapper> made = mappers.get(feed.name());
        if (made == null || !made.getKey().equals(feed)) {
            made = Map.entry(feed, newMapper(feed, context));
            mappers.put(feed.name(), made);
        }
        return made.getValue();
    }

    private static RecordMapper newMapper(FeedDefinition feed, ApplicationContext context) {
        String bean = feed.transform().bean();
        if (bean == null) {
            return new ColumnMapping(feed.target().table(), feed.transform().mapping(),
                    feed.transform().mapping().keySet().stream()
                            .filter(column -> feed.transform().type(column) == ColumnType.JSONB)
                            .collect(Collectors.toSet()), feed.transform().parents());
        }
        try {
            return context.getBean(bean, RecordMapper.class);
        } catch (NoSuchBeanDefinitionException e) {
            throw new FeedConfigException("feedsync.feeds." + feed.name() + ".transform.bean",
                    "no bean named '" + bean + "' implementing " + RecordMapper.class.getName());
        }
    }
}
