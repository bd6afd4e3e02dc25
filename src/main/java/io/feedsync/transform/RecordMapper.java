package io.feedsync.transform;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A bean that turns one upstream record into rows, named by a feed's {@code transform.bean}.
 * Throw {@link RecordRejectedException} for a record that cannot be mapped.
 */
public interface RecordMapper {

    List<TargetRow> map(JsonNode record);
}
