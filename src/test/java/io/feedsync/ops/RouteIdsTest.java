package io.feedsync.ops;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;

/** Every route has a name that says what it is, as Hawtio's route tree shows them: none is Camel's route1, route2… */
class RouteIdsTest extends FeedsyncTest {

    @Autowired
    CamelContext camel;

    @Test
    void everyRouteHasAMeaningfulId() {
        List<String> ids = camel.getRoutes().stream().map(Route::getRouteId).toList();

        assertThat(ids).isNotEmpty().noneMatch(id -> id.matches("route\\d+"));
        assertThat(ids).contains("listFeeds", "listRuns", "startRun", "getRun", "getDriftCheck", "listDeadLetters",
                "replayDeadLetters", "startDriftCheck", "getLatestDriftCheck", "api-openapi");
    }

    /** A REST operation is one route (its route from direct:<operationId> inlined), with the operation's id. */
    @Test
    void eachOperationIsOneRouteNamedByItsOperationId() {
        List<String> operations = new ArrayList<>();
        api.get("/api/openapi.json").json().get("paths").forEach(path -> path.forEach(operation ->
                operations.add(operation.get("operationId").asText())));
        List<String> restRoutes = camel.getRoutes().stream()
                .filter(route -> route.getEndpoint().getEndpointUri().startsWith("rest:")).map(Route::getRouteId).toList();

        assertThat(operations).hasSize(23);
        assertThat(restRoutes).containsExactlyInAnyOrderElementsOf(operations);
        assertThat(camel.getRoutes()).noneMatch(route -> route.getEndpoint().getEndpointUri().startsWith("direct:")
                && operations.contains(route.getEndpoint().getEndpointUri().replaceFirst("direct:(//)?", "")));
    }
}
