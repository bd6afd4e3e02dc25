package io.feedsync.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * A column mapping's rows hold, column by column in the mapping's order, the text at each JSON
 * pointer — the same values, and so the same stored digests, as a plain map filled with
 * {@code JsonNode.at} — whatever the pointers look like.
 */
class ColumnMappingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void rowHoldsTheTextAtEachPointerInTheMappingsOrderWithTheDigestOfAPlainMap() throws Exception {
        Map<String, String> pointers = new LinkedHashMap<>();
        pointers.put("id", "/id");
        pointers.put("nested", "/a/b");
        pointers.put("object", "/obj");
        pointers.put("digits-as-name", "/0");
        pointers.put("escaped", "/x~1y");
        pointers.put("tilde", "/t~0");
        pointers.put("missing", "/nope");
        pointers.put("null", "/nothing");
        pointers.put("number", "/amount");
        pointers.put("array-element", "/list/1");
        pointers.put("whole", "");
        JsonNode record = JSON.readTree("""
                {"id": "K-1", "a": {"b": 7}, "obj": {"tier": "gold", "tags": ["t1", "r\\u00e9"]}, "0": "zero",
                 "x/y": "slash", "t~": "tilde", "nothing": null, "amount": 12.50, "list": [1, true]}""");

        TargetRow row = new ColumnMapping("plans", pointers).map(record).get(0);

        Map<String, String> expected = new LinkedHashMap<>();
        pointers.forEach((column, pointer) -> expected.put(column, ColumnMapping.text(record.at(JsonPointer.compile(pointer)))));
        assertThat(row.values()).isEqualTo(expected);
        assertThat(List.copyOf(row.values().keySet())).containsExactlyElementsOf(expected.keySet());
        assertThat(List.copyOf(row.values().entrySet())).containsExactlyElementsOf(expected.entrySet());
        assertThat(row.values().get("nested")).isEqualTo("7");
        assertThat(row.values().get("digits-as-name")).isEqualTo("zero");
        assertThat(row.values().get("escaped")).isEqualTo("slash");
        assertThat(row.values().get("tilde")).isEqualTo("tilde");
        assertThat(row.values().get("array-element")).isEqualTo("true");
        assertThat(row.values().containsKey("missing")).isTrue();
        assertThat(row.values().get("missing")).isNull();
        assertThat(row.values().containsKey("not-a-column")).isFalse();
        assertThat(RecordDigest.of("K-1", List.of(row)))
                .isEqualTo(RecordDigest.of("K-1", List.of(new TargetRow("plans", expected))));
    }

    @Test
    void nestedValuesAreWrittenExactlyAsJacksonsToStringWritesThem() throws Exception {
        ObjectMapper exact = new ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        List<String> documents = List.of(
                "{\"tier\": \"gold\", \"score\": 12, \"tags\": [\"t1\", \"r2\"]}",
                "{}", "[]", "[[], {}, [null]]", "{\"a\": null, \"b\": {\"c\": [1, 2.50, -0.0, 1e400, 12345678901234567890123]}}",
                "{\"esc\": \"quote \\\" backslash \\\\ slash / tab \\t nl \\n ctl \\u0001 nul \\u0000\"}",
                "{\"unicode\": \"r\u00e9sum\u00e9 \u4e2d\u6587 \\ud83d\\ude80\", \"\u00e9-key\": true, \"f\": false}",
                "[1.0, 0.1, 100, -5, 3.14159265358979323846264338327950288]");
        for (String document : documents) {
            JsonNode node = exact.readTree(document);
            assertThat(ColumnMapping.text(node)).as(document).isEqualTo(node.toString());
        }
        // one after another on the same thread, with nothing left over between them
        JsonNode first = exact.readTree(documents.get(0));
        JsonNode second = exact.readTree(documents.get(1));
        assertThat(ColumnMapping.text(first) + ColumnMapping.text(second)).isEqualTo(first.toString() + second.toString());
    }

    @Test
    void rowsOfOneMappingShareTheirColumnSet() throws Exception {
        ColumnMapping mapping = new ColumnMapping("plans", Map.of("id", "/id"));

        TargetRow one = mapping.map(JSON.readTree("{\"id\": 1}")).get(0);
        TargetRow two = mapping.map(JSON.readTree("{\"id\": 2}")).get(0);

        assertThat(one.values().keySet()).isSameAs(two.values().keySet());
        assertThat(one.values()).isNotEqualTo(two.values());
    }

    @Test
    void aJsonbColumnGetsEveryValueAsJsonTextSoThatAStringStaysAString() throws Exception {
        ColumnMapping mapping = new ColumnMapping("plans", Map.of("id", "/id", "tag", "/tag", "meta", "/meta",
                "none", "/none"), Set.of("tag", "meta", "none"));

        TargetRow row = mapping.map(JSON.readTree("{\"id\": \"a\", \"tag\": \"gold\", \"meta\": {\"n\": 1}, \"none\": null}")).get(0);

        assertThat(row.values().get("id")).as("not declared jsonb: as before").isEqualTo("a");
        assertThat(row.values().get("tag")).isEqualTo("\"gold\"");
        assertThat(row.values().get("meta")).isEqualTo("{\"n\":1}");
        assertThat(row.values().get("none")).isNull();
    }

    @Test
    void recordThatIsNotAnObjectIsRejected() throws Exception {
        ColumnMapping mapping = new ColumnMapping("plans", Map.of("id", "/id"));

        assertThatThrownBy(() -> mapping.map(JSON.readTree("[1, 2]")))
                .isInstanceOf(RecordRejectedException.class).hasMessageContaining("array");
    }
}
