package io.feedsync.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code target.soft-delete-after}: 2 by default where pages shift (page, offset), 1 elsewhere; a
 * clear message for what is not a whole number of runs from 1, and for a feed without soft-delete.
 */
class SoftDeleteAfterConfigTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final MockEnvironment environment = new MockEnvironment();

    private FeedDefinition define(String pagination, String target) throws Exception {
        JsonNode feed = JSON.readTree("""
                {"mode": "full", "source": {"url": "https://example.org/x", "records": "/items",
                            "pagination": %s},
                 "transform": {"mapping": {"id": "/id"}},
                 "target": %s}""".formatted(pagination, target));
        return FeedValidator.define("partners", feed, environment);
    }

    private static final String SOFT = "{\"table\": \"partners\", \"key\": [\"id\"], \"soft-delete\": \"deleted_at\"";

    @Test
    void pageAndOffsetPaginationWaitForTwoFullRunsTheOthersForOne() throws Exception {
        assertThat(define("{\"type\": \"page\"}", SOFT + "}").target().softDeleteAfter()).isEqualTo(2);
        assertThat(define("{\"type\": \"offset\"}", SOFT + "}").target().softDeleteAfter()).isEqualTo(2);
        assertThat(define("{\"type\": \"page\", \"has-more\": \"/more\"}", SOFT + "}").target().softDeleteAfter())
                .isEqualTo(2);
        assertThat(define("{\"type\": \"cursor\", \"cursor-pointer\": \"/next\"}", SOFT + "}").target()
                .softDeleteAfter()).isEqualTo(1);
        assertThat(define("{\"type\": \"link-header\"}", SOFT + "}").target().softDeleteAfter()).isEqualTo(1);
        assertThat(define("{\"type\": \"none\"}", SOFT + "}").target().softDeleteAfter()).isEqualTo(1);
    }

    @Test
    void anExplicitValueWinsOverTheDefault() throws Exception {
        assertThat(define("{\"type\": \"page\"}", SOFT + ", \"soft-delete-after\": 1}").target().softDeleteAfter())
                .isEqualTo(1);
        assertThat(define("{\"type\": \"cursor\", \"cursor-pointer\": \"/next\"}",
                SOFT + ", \"soft-delete-after\": \"3\"}").target().softDeleteAfter()).isEqualTo(3);
    }

    @Test
    void zeroNegativeAndNonIntegerValuesAreRefusedByName() {
        assertThatThrownBy(() -> define("{\"type\": \"page\"}", SOFT + ", \"soft-delete-after\": 0}"))
                .isInstanceOf(FeedConfigException.class)
                .hasMessage("feedsync.feeds.partners.target.soft-delete-after: must be 1 or more (0 given): the number"
                        + " of consecutive complete full runs that must miss a row before it is soft-deleted");
        assertThatThrownBy(() -> define("{\"type\": \"page\"}", SOFT + ", \"soft-delete-after\": -2}"))
                .hasMessageContaining("target.soft-delete-after: must be 1 or more (-2 given)");
        assertThatThrownBy(() -> define("{\"type\": \"page\"}", SOFT + ", \"soft-delete-after\": 1.5}"))
                .hasMessage("feedsync.feeds.partners.target.soft-delete-after: '1.5' is not a whole number of full"
                        + " runs (1 or more)");
        assertThatThrownBy(() -> define("{\"type\": \"page\"}", SOFT + ", \"soft-delete-after\": \"twice\"}"))
                .hasMessageContaining("'twice' is not a whole number of full runs");
    }

    @Test
    void withoutSoftDeleteItIsAnError() {
        assertThatThrownBy(() -> define("{\"type\": \"page\"}",
                "{\"table\": \"partners\", \"key\": [\"id\"], \"soft-delete-after\": 2}"))
                .isInstanceOf(FeedConfigException.class)
                .hasMessage("feedsync.feeds.partners.target.soft-delete-after: needs target.soft-delete: it counts"
                        + " the full runs that miss a row before that column is set");
    }

    @Test
    void aMisspeltKeyIsNamedWithTheKeyMeant() {
        assertThatThrownBy(() -> define("{\"type\": \"page\"}", SOFT + ", \"soft-delete-afer\": 2}"))
                .hasMessageContaining("target.soft-delete-afer: unknown key; did you mean 'soft-delete-after'?");
    }
}
