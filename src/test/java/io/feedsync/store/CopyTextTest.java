package io.feedsync.store;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A row of COPY text, without a database: the columns' order, NULL for a missing value, escapes. */
class CopyTextTest {

    @Test
    void aRowHoldsTheColumnsInTheirOrderEscapedWithNullForWhatIsMissing() {
        Map<String, String> values = new HashMap<>();
        values.put("name", "a\tb\\N");
        values.put("id", "7");
        values.put("note", null);

        CopyText lines = new CopyText(0).row(values, List.of("id", "name", "note", "absent"));
        lines.row(Map.of("id", "8"), List.of("id"));

        assertThat(lines).hasToString("7\ta\\tb\\\\N\t\\N\t\\N\n8\n");
    }
}
