package io.feedsync.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.util.unit.DataSize;

import io.feedsync.config.RunMode;
import io.feedsync.upstream.ApiKeyAuthentication;
import io.feedsync.upstream.PageNumberPagination;
import io.feedsync.upstream.DeleteMarkers;
import io.feedsync.upstream.RateLimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every malformed feed setting is refused with the full key of the setting and what is wrong. */
@ExtendWith(OutputCaptureExtension.class)
class FeedCatalogTest {

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "source.url|                    |feedsync.feeds.partners.source.url: must be set",
            "source.url|ftp://example.org/x |feedsync.feeds.partners.source.url: must be an absolute http(s) URL",
            "source.url|http://u:p@host/x   |feedsync.feeds.partners.source.url: must not carry credentials",
            "source.auth.type|kerberos      |feedsync.feeds.partners.source.auth.type: unknown type 'kerberos' (expected one of api-key, basic, bearer, none, oauth2-client-credentials)",
            "source.auth.type|bearer        |feedsync.feeds.partners.source.auth.token: must be set",
            "source.auth.type|basic         |feedsync.feeds.partners.source.auth.username: must be set",
            "source.pagination.type|pages   |feedsync.feeds.partners.source.pagination.type: unknown type 'pages'",
            "source.pagination.type|cursor  |feedsync.feeds.partners.source.pagination.cursor-pointer: must be set",
            "source.records|epa_clients     |feedsync.feeds.partners.source.records: 'epa_clients' is not a JSON pointer",
            "source.timeout|soon            |feedsync.feeds.partners.source.timeout: 'soon' is not a duration",
            "schedule|every night           |feedsync.feeds.partners.schedule: 'every night' is not a Quartz cron expression",
            "mode|sometimes                 |feedsync.feeds.partners.mode: unknown mode 'sometimes'",
            "target.table|plans; drop table x|feedsync.feeds.partners.target.table: 'plans; drop table x' is not a plain lower-case SQL identifier",
            "target.table|                  |feedsync.feeds.partners.target.table: must be set",
            "transform.mapping.epa_type|key |feedsync.feeds.partners.transform.mapping.epa_type: 'key' is not a JSON pointer",
            "chunk-size|0                   |feedsync.feeds.partners.chunk-size: must be positive",
            "batch-size|0                   |feedsync.feeds.partners.batch-size: must be positive",
            "source.max-page-size|lots      |feedsync.feeds.partners.source.max-page-size: 'lots' is not a data size (e.g. 64MB, 512KB)",
            "source.max-page-size|0MB       |feedsync.feeds.partners.source.max-page-size: must be positive",
            "source.rate-limit.requests-per-second|fast|feedsync.feeds.partners.source.rate-limit.requests-per-second: 'fast' is not a number",
            "source.rate-limit.requests-per-second|0|feedsync.feeds.partners.source.rate-limit.requests-per-second: must be positive",
            "source.rate-limit.prefetch|-1  |feedsync.feeds.partners.source.rate-limit.prefetch: must be 0 or more",
            "statement-timeout|a while      |feedsync.feeds.partners.statement-timeout: 'a while' is not a duration",
            "statement-timeout|0s           |feedsync.feeds.partners.statement-timeout: must be positive",
    })
    void badValueIsNamedByItsFullKey(String key, String value, String message) {
        Map<String, Object> raw = validFeed();
        set(raw, key, value == null ? "" : value);

        assertThatThrownBy(() -> define("partners", raw))
                .isInstanceOf(FeedConfigException.class)
                .hasMessageStartingWith(message);
    }

    @ParameterizedTest(name = "{0}={1} ({2})")
    @CsvSource(delimiter = '|', value = {
            "source.incremental.lookback|soon|timestamp|feedsync.feeds.partners.source.incremental.lookback: 'soon' is not a duration",
            "source.incremental.lookback|-5m|timestamp|feedsync.feeds.partners.source.incremental.lookback: must be positive",
            "source.incremental.lookback|a lot|number|feedsync.feeds.partners.source.incremental.lookback: 'a lot' is not a number",
            "source.incremental.lookback|-10|number|feedsync.feeds.partners.source.incremental.lookback: must not be negative",
            "source.incremental.lookback|5m|text|feedsync.feeds.partners.source.incremental.lookback: text cursors cannot look back",
            "source.error-when.retry|true|timestamp|feedsync.feeds.partners.source.error-when.pointer: must be set",
            "source.error-when.pointer|error|timestamp|feedsync.feeds.partners.source.error-when.pointer: 'error' is not a JSON pointer",
            "source.pagination.has-more|meta.has_more|timestamp|feedsync.feeds.partners.source.pagination.has-more: 'meta.has_more' is not a JSON pointer",
    })
    void badEndingsErrorBodiesAndLookbacksAreNamedByTheirFullKey(String key, String value, String cursorType, String message) {
        Map<String, Object> raw = validFeed();
        set(raw, "source.incremental.cursor", "/updated_at");
        set(raw, "source.incremental.type", cursorType);
        set(raw, key, value);

        assertThatThrownBy(() -> define("partners", raw))
                .isInstanceOf(FeedConfigException.class)
                .hasMessageStartingWith(message);
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "source.delete-marker.pointer|is_deleted|feedsync.feeds.partners.source.delete-marker.pointer: 'is_deleted' is not a JSON pointer",
            "source.delete-marker.pointer|          |feedsync.feeds.partners.source.delete-marker.pointer: must be set",
            "source.delete-marker.value|            |feedsync.feeds.partners.source.delete-marker.value: must be set",
            "source.delete-marker.valeu|true        |feedsync.feeds.partners.source.delete-marker.valeu: unknown key (a delete marker has a pointer and a value)",
            "source.delete-marker.value.deep|true   |feedsync.feeds.partners.source.delete-marker.value: must be one JSON value",
            "target.soft-delete|                    |feedsync.feeds.partners.source.delete-marker: needs target.soft-delete",
    })
    void badDeleteMarkerIsNamedByItsFullKey(String key, String value, String message) {
        Map<String, Object> raw = validFeed();
        set(raw, "target.soft-delete", "deleted_at");
        set(raw, "source.delete-marker.pointer", "/is_deleted");
        set(raw, "source.delete-marker.value", true);
        if (value == null) {
            remove(raw, key);
        } else {
            set(raw, key, value);
        }

        assertThatThrownBy(() -> define("partners", raw))
                .isInstanceOf(FeedConfigException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void badItemOfADeleteMarkerListIsNamedByItsIndex() {
        Map<String, Object> raw = validFeed();
        set(raw, "target.soft-delete", "deleted_at");
        set(raw, "source.delete-marker", List.of(Map.of("pointer", "/is_deleted", "value", true),
                Map.of("pointer", "status", "value", "removed")));

        assertThatThrownBy(() -> define("partners", raw))
                .isInstanceOf(FeedConfigException.class)
                .hasMessageStartingWith("feedsync.feeds.partners.source.delete-marker[1].pointer: 'status' is not a JSON pointer");
    }

    @Test
    void deleteMarkersMatchByJsonEquality() throws Exception {
        Map<String, Object> raw = validFeed();
        set(raw, "target.soft-delete", "deleted_at");
        List<Map<String, Object>> markers = new ArrayList<>();
        markers.add(Map.of("pointer", "/is_deleted", "value", true));
        markers.add(Map.of("pointer", "/status", "value", "removed"));
        markers.add(Map.of("pointer", "/state/code", "value", 9));
        // YAML's null arrives from Spring's loader as an empty value
        markers.add(Map.of("pointer", "/gone_since", "value", ""));
        set(raw, "source.delete-marker", markers);

        DeleteMarkers marks = define("partners", raw).source().deleteMarkers();

        assertThat(marks.markers()).hasSize(4);
        assertThat(marks.marks(json("{\"is_deleted\": true}"))).isTrue();
        assertThat(marks.marks(json("{\"is_deleted\": \"true\"}"))).as("true is not \"true\"").isFalse();
        assertThat(marks.marks(json("{\"is_deleted\": false, \"status\": \"active\"}"))).isFalse();
        assertThat(marks.marks(json("{\"status\": \"removed\"}"))).isTrue();
        assertThat(marks.marks(json("{\"status\": \"Removed\"}"))).isFalse();
        assertThat(marks.marks(json("{\"state\": {\"code\": 9.0}}"))).as("numbers compare by value").isTrue();
        assertThat(marks.marks(json("{\"state\": {\"code\": \"9\"}}"))).isFalse();
        assertThat(marks.marks(json("{\"gone_since\": null}"))).isTrue();
        assertThat(marks.marks(json("{\"key\": \"Payer_1\"}"))).as("an absent field is not null").isFalse();
    }

    @Test
    void oneDeleteMarkerMayBeWrittenWithoutAList() throws Exception {
        Map<String, Object> raw = validFeed();
        set(raw, "target.soft-delete", "deleted_at");
        set(raw, "source.delete-marker.pointer", "/meta/deleted");
        set(raw, "source.delete-marker.value", 1);

        DeleteMarkers marks = define("partners", raw).source().deleteMarkers();

        assertThat(marks.markers()).hasSize(1);
        assertThat(marks.marks(json("{\"meta\": {\"deleted\": 1}}"))).isTrue();
        assertThat(marks.marks(json("{\"meta\": {\"deleted\": true}}"))).isFalse();
        assertThat(define("partners", validFeed()).source().deleteMarkers()).as("none configured").isNull();
    }

    @Test
    void aLookbackIsKeptInTheCursorsOwnTerms() {
        Map<String, Object> raw = validFeed();
        set(raw, "source.incremental.cursor", "/updated_at");
        set(raw, "source.incremental.lookback", "5m");

        FeedDefinition feed = define("partners", raw);

        assertThat(feed.source().incremental().lookBack("2026-05-18T01:10:00Z")).isEqualTo("2026-05-18T01:05:00Z");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "feedsync.feeds.epa-clients.shedule                 |feedsync.feeds.epa-clients.shedule: unknown key; did you mean 'schedule'?",
            "feedsync.feeds.epa-clients.source.paginaton.type   |feedsync.feeds.epa-clients.source.paginaton: unknown key; did you mean 'pagination'?",
            "feedsync.feeds.epa-clients.source.auth.client-secet|feedsync.feeds.epa-clients.source.auth.client-secet: unknown key; did you mean 'client-secret'?",
            "feedsync.feeds.epa-clients.notify.chnages          |feedsync.feeds.epa-clients.notify.chnages: unknown key; did you mean 'changes'?",
            "feedsync.feeds.epa-clients.target.tabel            |feedsync.feeds.epa-clients.target.tabel: unknown key; did you mean 'table'?",
            "feedsync.feeds.epa-clients.target.colour           |feedsync.feeds.epa-clients.target.colour: unknown key",
            "feedsync.feeds.epa-clients.source.url.host         |feedsync.feeds.epa-clients.source.url.host: unknown key",
            "feedsync.feeds.epa-clients.source.delete-markr.value|feedsync.feeds.epa-clients.source.delete-markr: unknown key; did you mean 'delete-marker'?",
            "feedsync.feeds.epa-clients.source.delete-marker.value.x|feedsync.feeds.epa-clients.source.delete-marker.value.x: unknown key",
    })
    void aMisspeltOrUnknownKeyIsNamedWithTheKeyMeant(String property, String message) {
        assertThatThrownBy(() -> WrittenFeeds.checkWrittenName(property))
                .isInstanceOf(FeedConfigException.class)
                .hasMessage(message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "feedsync.feeds.epa-clients.schedule",
            "feedsync.feeds.epa-clients.run-on-startup",
            "feedsync.feeds.epa-clients.runOnStartup",
            "feedsync.feeds.epa-clients.source.pagination.cursor-pointer",
            "feedsync.feeds.epa-clients.source.retry.max-attempts",
            "feedsync.feeds.epa-clients.transform.mapping.any_column",
            "feedsync.feeds.epa-clients.target.key[0]",
            "feedsync.feeds.epa-clients.source.delete-marker.pointer",
            "feedsync.feeds.epa-clients.source.delete-marker[1].value",
    })
    void everyKeyOfAFeedIsKnown(String property) {
        WrittenFeeds.checkWrittenName(property);
    }

    @Test
    void pointerToAFieldWhoseNameLooksLikeSqlIsAPointerLikeAnyOther() {
        Map<String, Object> raw = validFeed();
        set(raw, "transform.mapping.ncpdp_version", "/version'; drop table sync_run; --");

        FeedDefinition feed = define("partners", raw);

        // JSON field names may hold any text; pointers only ever read records, they never reach SQL
        assertThat(feed.transform().mapping()).containsEntry("ncpdp_version", "/version'; drop table sync_run; --");
    }

    @Test
    void feedNameMustBeLowerCaseLettersDigitsAndDashes() {
        assertThatThrownBy(() -> define("Partners_1", validFeed()))
                .hasMessageStartingWith("feedsync.feeds.Partners_1: feed names are lower-case letters");
    }

    @Test
    void transformNeedsABeanOrAMappingButNotBoth() {
        Map<String, Object> none = validFeed();
        none.remove("transform");
        assertThatThrownBy(() -> define("partners", none))
                .hasMessageStartingWith("feedsync.feeds.partners.transform: set transform.bean or transform.mapping");
        Map<String, Object> both = validFeed();
        set(both, "transform.bean", "epaClientMapper");
        assertThatThrownBy(() -> define("partners", both)).hasMessageContaining("not both");
    }

    @Test
    void validFeedGetsItsDefaultsAndItsClosedSetTypes() {
        Map<String, Object> raw = validFeed();
        set(raw, "source.auth.type", "api-key");
        set(raw, "source.auth.key", "k-123456789");
        set(raw, "source.pagination.type", "page");
        set(raw, "schedule", "0 0 1 * * ?");

        FeedDefinition feed = define("partners", raw);

        assertThat(feed.mode()).isEqualTo(RunMode.INCREMENTAL);
        assertThat(feed.chunkSize()).isEqualTo(500);
        assertThat(feed.source().auth()).isInstanceOf(ApiKeyAuthentication.class);
        assertThat(feed.source().auth().toString()).doesNotContain("k-123456789");
        assertThat(feed.source().pagination()).isEqualTo(new PageNumberPagination("page", "size", 100, 1));
        assertThat(feed.source().timeout()).hasSeconds(30);
        assertThat(feed.source().maxPageSize()).isEqualTo(DataSize.ofMegabytes(256));
        assertThat(feed.statementTimeout()).hasMinutes(5);
        assertThat(feed.transform().mapping()).containsExactly(Map.entry("epa_type", "/key"),
                Map.entry("ncpdp_version", "/version"));
        assertThat(feed.scheduled()).isTrue();
        assertThat(feed.source().rateLimit()).isEqualTo(new io.feedsync.upstream.RateLimit(null, 1));
    }

    @Test
    void rateLimitBelowOneRequestASecondIsOneRequestPerLongerPeriod() {
        Map<String, Object> raw = validFeed();
        set(raw, "source.rate-limit.requests-per-second", "0.5");
        set(raw, "source.rate-limit.prefetch", "0");

        FeedDefinition feed = define("partners", raw);

        assertThat(feed.source().rateLimit().requestsPerPeriod()).isEqualTo(1);
        assertThat(feed.source().rateLimit().periodMillis()).isEqualTo(2000);
        assertThat(feed.source().rateLimit().prefetch()).isZero();
    }

    @Test
    void oldNameBatchSizeStillSetsTheChunkSizeWithAWarning(CapturedOutput output) {
        Map<String, Object> raw = validFeed();
        set(raw, "batch-size", "200");

        FeedDefinition feed = define("partners", raw);

        assertThat(feed.chunkSize()).isEqualTo(200);
        assertThat(output.getOut()).containsOnlyOnce("feedsync.feeds.partners.batch-size is deprecated: it is now called"
                + " chunk-size");
    }

    @Test
    void chunkSizeIsTakenAsWritten(CapturedOutput output) {
        Map<String, Object> raw = validFeed();
        set(raw, "chunk-size", "250");

        assertThat(define("partners", raw).chunkSize()).isEqualTo(250);
        assertThat(output.getOut()).doesNotContain("deprecated");
    }

    @Test
    void batchSizeAndChunkSizeTogetherAreRefused() {
        Map<String, Object> raw = validFeed();
        set(raw, "batch-size", "200");
        set(raw, "chunk-size", "300");

        assertThatThrownBy(() -> define("partners", raw))
                .hasMessageStartingWith("feedsync.feeds.partners.batch-size: is the old name of chunk-size");
    }

    @Test
    void aTypedColumnKeepsItsTypeAndAnUnknownTypeListsTheKnownOnes() {
        Map<String, Object> raw = validFeed();
        set(raw, "transform.mapping.ncpdp_version", new LinkedHashMap<>(Map.of("pointer", "/version", "type", "integer")));
        set(raw, "target.create", "true");

        FeedDefinition feed = define("partners", raw);

        assertThat(feed.transform().mapping()).containsExactly(Map.entry("epa_type", "/key"),
                Map.entry("ncpdp_version", "/version"));
        assertThat(feed.transform().type("ncpdp_version")).isEqualTo(ColumnType.INTEGER);
        assertThat(feed.transform().type("epa_type")).as("no type: text").isEqualTo(ColumnType.TEXT);
        assertThat(feed.target().create()).isTrue();
        set(raw, "transform.mapping.ncpdp_version.type", "money");
        assertThatThrownBy(() -> define("partners", raw)).hasMessage("feedsync.feeds.partners.transform.mapping."
                + "ncpdp_version.type: unknown type 'money' (expected one of text, integer, bigint, numeric, double,"
                + " boolean, date, timestamptz, jsonb, uuid)");
    }

    @Test
    void targetCreateNeedsAMappingThatCoversTheKey() {
        Map<String, Object> raw = validFeed();
        set(raw, "target.create", "true");
        set(raw, "target.key", List.of("plan_id"));

        assertThatThrownBy(() -> define("partners", raw)).hasMessage("feedsync.feeds.partners.target.key: key column"
                + " 'plan_id' is not mapped; target.create makes the table from transform.mapping");
    }

    @Test
    void emptyValuesCountAsUnset() {
        Map<String, Object> raw = validFeed();
        set(raw, "mode", "");
        set(raw, "schedule", "  ");

        FeedDefinition feed = define("partners", raw);

        assertThat(feed.mode()).isEqualTo(RunMode.INCREMENTAL);
        assertThat(feed.scheduled()).isFalse();
    }

    private static FeedDefinition define(String name, Map<String, Object> raw) {
        org.springframework.boot.context.properties.bind.Binder binder = new org.springframework.boot.context.properties.bind.Binder(
                new org.springframework.boot.context.properties.source.MapConfigurationPropertySource(flatten("feedsync.feeds." + name, raw)));
        FeedsyncProperties properties = binder.bind("feedsync", FeedsyncProperties.class).get();
        return FeedValidator.define(name, properties.feeds().get(name));
    }

    private static Map<String, Object> validFeed() {
        Map<String, Object> feed = new LinkedHashMap<>();
        set(feed, "source.url", "https://gateway.example.org/partner_sync/epa_clients_export");
        set(feed, "source.records", "/epa_clients");
        set(feed, "transform.mapping.epa_type", "/key");
        set(feed, "transform.mapping.ncpdp_version", "/version");
        set(feed, "target.table", "plans");
        feed.put("target", new LinkedHashMap<>(Map.of("table", "plans", "key", List.of("epa_type"))));
        return feed;
    }

    @SuppressWarnings("unchecked")
    private static void set(Map<String, Object> map, String dottedKey, Object value) {
        String[] parts = dottedKey.split("\\.", 2);
        if (parts.length == 1) {
            map.put(parts[0], value);
            return;
        }
        if (!(map.get(parts[0]) instanceof Map)) {
            map.put(parts[0], new LinkedHashMap<>());
        }
        set((Map<String, Object>) map.get(parts[0]), parts[1], value);
    }

    @SuppressWarnings("unchecked")
    private static void remove(Map<String, Object> map, String dottedKey) {
        String[] parts = dottedKey.split("\\.", 2);
        if (parts.length == 1) {
            map.remove(parts[0]);
        } else if (map.get(parts[0]) instanceof Map<?, ?> child) {
            remove((Map<String, Object>) child, parts[1]);
        }
    }

    private static JsonNode json(String text) throws Exception {
        return new ObjectMapper().readTree(text);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> flatten(String prefix, Map<String, Object> map) {
        Map<String, Object> flat = new LinkedHashMap<>();
        map.forEach((key, value) -> {
            if (value instanceof Map<?, ?> child) {
                flat.putAll(flatten(prefix + "." + key, (Map<String, Object>) child));
            } else if (value instanceof List<?> list) {
                for (int i = 0; i < list.size(); i++) {
                    if (list.get(i) instanceof Map<?, ?> item) {
                        flat.putAll(flatten(prefix + "." + key + "[" + i + "]", (Map<String, Object>) item));
                    } else {
                        flat.put(prefix + "." + key + "[" + i + "]", list.get(i));
                    }
                }
            } else {
                flat.put(prefix + "." + key, value);
            }
        });
        return flat;
    }
}
