package io.feedsync.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import io.feedsync.support.Api;
import io.feedsync.support.FakeUpstream;
import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every metric that docker/prometheus/alerts.yml and the Grafana dashboard query is one that
 * /actuator/prometheus really exposes: a renamed or misspelt metric would leave an alert that never
 * fires and an empty panel.
 */
class ObservabilityFilesTest extends FeedsyncTest {

    /** Series that Prometheus makes itself for each scrape, not feedsync. */
    private static final Set<String> MADE_BY_PROMETHEUS = Set.of("up", "scrape_duration_seconds", "scrape_samples_scraped");

    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.$:])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\\w(])(?!\\s*\\()");
    private static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "offset", "bool", "and", "or", "unless", "inf", "nan");

    @Test
    void everyMetricTheAlertsAndTheDashboardQueryIsExposed() throws IOException {
        List<String> queries = new ArrayList<>(alertExpressions());
        queries.addAll(dashboardQueries());
        assertThat(queries).as("queries found in docker/").hasSizeGreaterThan(10);
        Set<String> queried = new TreeSet<>();
        queries.forEach(query -> queried.addAll(metricNames(query)));
        assertThat(queried).as("metric names read from the queries")
                .contains("feedsync_feed_stale", "feedsync_runs_total", "feedsync_dead_letters", "feedsync_drift_records",
                        "feedsync_run_duration_seconds_bucket", "up");

        Set<String> exposed = exposedAfterARun();

        assertThat(missing(queried, exposed)).as("queried by docker/ but not exposed by /actuator/prometheus").isEmpty();
    }

    @Test
    void aMisspeltMetricInAQueryIsReportedMissing() {
        Set<String> exposed = exposedAfterARun();
        Set<String> queried = metricNames(
                "sum by (feed) (increase(feedsync_runs_totl{status=\"FAILED\"}[15m])) > 0 or feedsync_feed_stale offset 1h");

        assertThat(queried).containsExactlyInAnyOrder("feedsync_runs_totl", "feedsync_feed_stale");
        assertThat(missing(queried, exposed)).containsExactly("feedsync_runs_totl");
    }

    @Test
    void metricNamesAreReadFromQueriesLeavingOutFunctionsLabelsAndKeywords() {
        assertThat(metricNames("histogram_quantile(0.95, sum by (feed, le) (rate(feedsync_run_duration_seconds_bucket"
                + "{feed=~\"$feed\"}[$__rate_interval])))"))
                .containsExactly("feedsync_run_duration_seconds_bucket");
        assertThat(metricNames("time() - feedsync_last_success_timestamp_seconds{feed=~\"$feed\"}"))
                .containsExactly("feedsync_last_success_timestamp_seconds");
        assertThat(metricNames("label_values(feedsync_last_success_timestamp_seconds, feed)"))
                .containsExactly("feedsync_last_success_timestamp_seconds");
        assertThat(metricNames("feedsync_dead_letters - feedsync_dead_letters offset 1h > 0"))
                .containsExactly("feedsync_dead_letters");
    }

    private Set<String> exposedAfterARun() {
        upstream.dataset("plans", FakeUpstream.plans(3, "v1"));
        api.run("plans");
        Api.Answer scrape = api.as(Api.bearer(Api.VIEWER_KEY)).get("/actuator/prometheus");
        assertThat(scrape.status()).isEqualTo(200);
        Set<String> names = new TreeSet<>();
        Matcher sample = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]").matcher(scrape.raw().body());
        while (sample.find()) {
            names.add(sample.group(1));
        }
        return names;
    }

    private static Set<String> missing(Set<String> queried, Set<String> exposed) {
        Set<String> missing = new TreeSet<>(queried);
        missing.removeAll(exposed);
        missing.removeAll(MADE_BY_PROMETHEUS);
        return missing;
    }

    /** The metric names a PromQL query (or Grafana's label_values) reads. */
    static Set<String> metricNames(String query) {
        String bare = query
                .replaceAll("label_values\\(\\s*([^,)]+?)\\s*(,[^)]*)?\\)", "$1")
                .replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("\\boffset\\s+\\w+", " ");
        Set<String> names = new TreeSet<>();
        Matcher identifier = IDENTIFIER.matcher(bare);
        while (identifier.find()) {
            if (!PROMQL_WORDS.contains(identifier.group(1).toLowerCase())) {
                names.add(identifier.group(1));
            }
        }
        return names;
    }

    @SuppressWarnings("unchecked")
    private static List<String> alertExpressions() throws IOException {
        Map<String, Object> rules = new Yaml().load(Files.readString(projectFile("docker/prometheus/alerts.yml")));
        List<String> expressions = new ArrayList<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) rules.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                expressions.add(rule.get("expr").toString());
            }
        }
        return expressions;
    }

    private static List<String> dashboardQueries() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(projectFile("docker/grafana/dashboards/feedsync.json").toFile());
        List<String> queries = new ArrayList<>();
        dashboard.findValues("expr").forEach(expr -> queries.add(expr.asText()));
        dashboard.path("templating").path("list").forEach(variable -> queries.add(variable.path("query").path("query").asText()));
        return queries;
    }

    /** Surefire runs the tests in target/ and says where the project is in {@code basedir}. */
    static Path projectFile(String path) {
        return Path.of(System.getProperty("basedir", "..")).resolve(path);
    }
}
