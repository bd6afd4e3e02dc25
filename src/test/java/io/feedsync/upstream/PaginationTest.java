package io.feedsync.upstream;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;

/** Every pagination style walks the upstream to its last page and lands every record once. */
class PaginationTest extends FeedsyncTest {

    @ParameterizedTest(name = "{0} reads {1} records in {2} requests")
    @CsvSource({
            // feed,          records, requests
            "plans,                 10, 3",   // link-header, 4 per page: 4 + 4 + 2
            "plans,                  8, 2",   // link-header: an exactly full last page has no next link
            "plans-paged,           10, 3",   // page, size 4: the short third page ends it
            "plans-paged,            8, 3",   // page: an exactly full last page is followed by an empty one
            "plans-offset,          12, 3",   // offset, size 5: 5 + 5 + 2
            "plans-cursor,           7, 3",   // cursor in the body, 3 per page: 3 + 3 + 1
            "plans-next,             9, 3",   // Django-style relative next URL, 4 per page
            "plans-single,           5, 1",   // no pagination
            "plans-paged,            0, 1",   // an empty export is a successful run
    })
    void readsAllRecordsAcrossPages(String feed, int records, int requests) {
        upstream.dataset("plans", FakeUpstream.plans(records, "v1"));

        JsonNode run = api.run(feed);

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.get("counts").get("fetched").asLong()).isEqualTo(records);
        assertThat(run.get("counts").get("inserted").asLong()).isEqualTo(records);
        assertThat(run.get("pages").asInt()).isEqualTo(requests);
        assertThat(upstream.requests()).hasSize(requests);
        assertThat(count("select count(*) from test_plans")).isEqualTo(records);
        assertThat(count("select count(distinct gateway_id) from test_plans")).isEqualTo(records);
    }

    @Test
    void pageRequestsCarryPageAndSizeParameters() {
        upstream.dataset("plans", FakeUpstream.plans(5, "v1"));

        api.run("plans-paged");

        assertThat(upstream.requests()).extracting(r -> r.query().get("page") + "/" + r.query().get("size"))
                .containsExactly("1/4", "2/4");
    }

    @Test
    void linkHeaderIsFollowedToTheNextLinkNotTheLastOne() {
        upstream.dataset("plans", FakeUpstream.plans(9, "v1"));

        api.run("plans");

        assertThat(upstream.requests()).extracting(FakeUpstream.Request::page).containsExactly(1, 2, 3);
    }

    @Test
    void upstreamThatNeverStopsIsCutOffAtMaxPages() {
        upstream.dataset("plans", FakeUpstream.plans(20, "v1"));

        JsonNode run = api.run("plans-capped");

        assertThat(run.get("status").asText()).isEqualTo("FAILED");
        assertThat(run.get("error").get("class").asText()).isEqualTo("PERMANENT");
        assertThat(run.get("error").get("message").asText()).contains("max-pages");
        assertThat(upstream.requests()).hasSize(3);
    }

    @Test
    void cursorIsSentBackAsTheCursorParameter() {
        upstream.dataset("plans", FakeUpstream.plans(7, "v1"));

        api.run("plans-cursor");

        assertThat(upstream.requests()).extracting(r -> String.valueOf(r.query().get("cursor")))
                .isEqualTo(List.of("null", "3", "6"));
    }
}
