package io.feedsync.transform;

import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A bean that turns one upstream record into rows, named by a feed's {@code transform.bean}.
 * Throw {@link RecordRejectedException} for a record that cannot be mapped.
 */
public interface RecordMapper {

    List<TargetRow> map(JsonNode record);

    /**
     * Every table besides the feed's {@code target.table} that this mapper's rows may name, as they
     * name it. They count as tables the feed writes: no other feed may write them unless both say
     * {@code target.shared}, and a row for a table not listed here fails the run.
     */
    default Set<String> tables() {
        return Set.of();
    }
}
