package io.feedsync.transform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The digests are stored in {@code sync_record_hash}: a change of their bytes would make every record
 * of every feed look changed to the next run. These pin them to the first release's definition.
 */
class RecordDigestTest {

    @Test
    void digestsAreTheFirstReleasesLengthPrefixedSha256() throws Exception {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("id", "K-1");
        values.put("name", "Zoë — ünïcode");
        values.put("note", null);
        values.put("empty", "");
        List<TargetRow> rows = List.of(new TargetRow("plans", values), new TargetRow("certs", Map.of("id", "c")));

        RecordDigest digest = RecordDigest.of("K-1", rows);

        MessageDigest content = MessageDigest.getInstance("SHA-256");
        for (TargetRow row : rows) {
            update(content, row.table());
            for (Map.Entry<String, String> column : row.values().entrySet()) {
                update(content, column.getKey());
                update(content, column.getValue());
            }
        }
        MessageDigest key = MessageDigest.getInstance("SHA-256");
        update(key, "K-1");
        assertThat(digest.contentHash()).isEqualTo(ByteBuffer.wrap(content.digest()).getLong());
        assertThat(digest.keyHash()).isEqualTo(ByteBuffer.wrap(key.digest()).getLong());
    }

    @Test
    void lengthPrefixesKeepNeighbouringValuesApart() {
        RecordDigest ab = RecordDigest.of("k", List.of(new TargetRow("t", Map.of("ab", "c"))));
        RecordDigest a = RecordDigest.of("k", List.of(new TargetRow("t", Map.of("a", "bc"))));
        Map<String, String> withNull = new LinkedHashMap<>();
        withNull.put("a", null);
        Map<String, String> withEmpty = new LinkedHashMap<>();
        withEmpty.put("a", "");
        assertThat(ab.contentHash()).isNotEqualTo(a.contentHash());
        assertThat(RecordDigest.of("k", List.of(new TargetRow("t", withNull))).contentHash())
                .isNotEqualTo(RecordDigest.of("k", List.of(new TargetRow("t", withEmpty))).contentHash());
    }

    private static void update(MessageDigest digest, String text) {
        if (text == null) {
            digest.update(ByteBuffer.allocate(4).putInt(-1).array());
            return;
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        digest.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
        digest.update(bytes);
    }
}
