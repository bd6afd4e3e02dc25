package io.feedsync.api;

import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.feedsync.api.ApiJson.Problem;
import io.feedsync.api.ApiJson.Refusal;

import static org.assertj.core.api.Assertions.assertThat;

/** How the REST binding binds a request body ({@link ApiJson}), without the application. */
class ApiJsonTest {

    private static final DefaultCamelContext CAMEL = new DefaultCamelContext();
    private final ApiJson json = new ApiJson(new ObjectMapper());

    @AfterAll
    static void stop() throws Exception {
        CAMEL.close();
    }

    @Test
    void aBodyOfTheTypesFieldsIsBound() throws Exception {
        Exchange exchange = new DefaultExchange(CAMEL);

        Object bound = bind(RunOptions.class, "{\"mode\": \"full\", \"dryRun\": true, \"restart\": null, \"since\": 5}", exchange);

        assertThat(bound).isEqualTo(new RunOptions("full", true, null, null, "5", null));
        assertThat(exchange.getProperty(ApiJson.TEXT)).as("kept as sent, for the audit")
                .isEqualTo("{\"mode\": \"full\", \"dryRun\": true, \"restart\": null, \"since\": 5}");
        assertThat(bind(BatchOptions.class, "{\"feeds\": [\"a\", \"b\"]}", new DefaultExchange(CAMEL)))
                .isEqualTo(new BatchOptions(List.of("a", "b"), null, null, null, null));
        assertThat(bind(NoOptions.class, "{}", new DefaultExchange(CAMEL))).isEqualTo(new NoOptions());
    }

    @Test
    void aFieldOfAnotherJsonTypeIsRefusedNotConverted() throws Exception {
        assertRefused(RunOptions.class, "{\"dryRun\": \"true\"}", new Refusal(Problem.WRONG_TYPE, "dryRun", text("\"true\""), false));
        assertRefused(RunOptions.class, "{\"confirm\": 1}", new Refusal(Problem.WRONG_TYPE, "confirm", text("1"), false));
        assertRefused(RunOptions.class, "{\"restart\": \"\"}", new Refusal(Problem.WRONG_TYPE, "restart", text("\"\""), false));
        assertRefused(RunOptions.class, "{\"mode\": 3}", new Refusal(Problem.WRONG_TYPE, "mode", text("3"), false));
        assertRefused(RunOptions.class, "{\"mode\": false}", new Refusal(Problem.WRONG_TYPE, "mode", text("false"), false));
        assertRefused(RunOptions.class, "{\"since\": true}", new Refusal(Problem.WRONG_TYPE, "since", text("true"), false));
        assertRefused(RunOptions.class, "{\"until\": [1]}", new Refusal(Problem.WRONG_TYPE, "until", text("[1]"), false));
        assertRefused(PauseOptions.class, "{\"reason\": 5}", new Refusal(Problem.WRONG_TYPE, "reason", text("5"), false));
        assertRefused(BatchOptions.class, "{\"feeds\": \"a\"}", new Refusal(Problem.WRONG_TYPE, "feeds", text("\"a\""), false));
        assertRefused(BatchOptions.class, "{\"feeds\": [\"a\", 1]}", new Refusal(Problem.WRONG_TYPE, "feeds", text("1"), true));
        assertRefused(BatchOptions.class, "{\"feeds\": [null]}", new Refusal(Problem.WRONG_TYPE, "feeds", text("null"), true));
        assertRefused(BatchOptions.class, "{\"feeds\": null}", new Refusal(Problem.WRONG_TYPE, "feeds", text("null"), false));
        assertRefused(BatchOptions.class, "{\"tag\": null}", new Refusal(Problem.WRONG_TYPE, "tag", text("null"), false));
    }

    @Test
    void aBodyThatIsNoObjectOfTheTypesFieldsIsRefused() throws Exception {
        assertRefused(RunOptions.class, "{not json", new Refusal(Problem.NOT_JSON, null, null, false));
        assertRefused(RunOptions.class, "{} {}", new Refusal(Problem.NOT_JSON, null, null, false));
        assertRefused(RunOptions.class, "[".repeat(5000) + "]".repeat(5000), new Refusal(Problem.NOT_JSON, null, null, false));
        for (String notAnObject : List.of("null", "[]", "\"full\"", "42")) {
            assertRefused(RunOptions.class, notAnObject, new Refusal(Problem.NOT_OBJECT, null, null, false));
        }
        assertRefused(RunOptions.class, "{\"dryRun\": \"yes\", \"modus\": 1}", new Refusal(Problem.UNKNOWN_FIELD, "modus", null, false));
        assertRefused(NoOptions.class, "{\"x\": 1}", new Refusal(Problem.UNKNOWN_FIELD, "x", null, false));
    }

    @Test
    void aFeedDefinitionIsAnyJsonItsValidationJudges() throws Exception {
        Object bound = bind(FeedDefinitionBody.class, "[1]", new DefaultExchange(CAMEL));

        assertThat(bound).isEqualTo(new FeedDefinitionBody(text("[1]")));
        assertRefused(FeedDefinitionBody.class, "{\"a\": 1} 2", new Refusal(Problem.NOT_JSON, null, null, false));
    }

    @Test
    void anOperationWithoutABodyTypeLeavesTheBodyAsItIs() throws Exception {
        assertThat(bind(null, "{not json", new DefaultExchange(CAMEL))).isEqualTo("{not json");
    }

    private Object bind(Class<?> type, String body, Exchange exchange) throws Exception {
        ApiJson.Binding binding = (ApiJson.Binding) json.newInstance();
        binding.setUnmarshalType(type);
        return binding.unmarshal(exchange, body);
    }

    private void assertRefused(Class<?> type, String body, Refusal refusal) throws Exception {
        Exchange exchange = new DefaultExchange(CAMEL);

        assertThat(bind(type, body, exchange)).as(body).isNull();
        assertThat(exchange.getProperty(ApiJson.REFUSAL)).as(body).isEqualTo(refusal);
    }

    private static com.fasterxml.jackson.databind.JsonNode text(String json) throws Exception {
        return new ObjectMapper().readTree(json);
    }
}
