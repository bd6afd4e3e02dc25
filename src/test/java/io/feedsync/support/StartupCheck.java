package io.feedsync.support;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import io.feedsync.FeedsyncApplication;

/**
 * Starts the whole application as {@code java -jar feedsync.jar --key=value…} would, on the test
 * database with the test tables, under the {@code startup-check} profile: for tests of what a
 * node does (or refuses) at startup with a given configuration.
 */
public final class StartupCheck {

    private StartupCheck() {
    }

    public static ConfigurableApplicationContext start(Map<String, ?> properties) {
        Map<String, Object> all = new LinkedHashMap<>(properties);
        all.put("spring.datasource.url", TestDatabase.url());
        all.put("spring.datasource.username", TestDatabase.username());
        all.put("spring.datasource.password", TestDatabase.password());
        all.putIfAbsent("spring.flyway.locations", "classpath:db/migration,classpath:db/testtables,classpath:db/demo");
        all.put("server.port", "0");
        String[] args = all.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        return new SpringApplicationBuilder(FeedsyncApplication.class).profiles("startup-check").run(args);
    }

    /**
     * The smallest valid configuration of one feed, {@code partners}, on the test table (its upstream
     * a dead port: nothing runs it), for a test to add to or spoil.
     */
    public static Map<String, Object> oneFeed() {
        Map<String, Object> feed = new LinkedHashMap<>();
        feed.put("feedsync.feeds.partners.source.url", "http://127.0.0.1:1/export");
        feed.put("feedsync.feeds.partners.source.records", "/epa_clients");
        feed.put("feedsync.feeds.partners.transform.mapping.epa_type", "/key");
        feed.put("feedsync.feeds.partners.transform.mapping.ncpdp_version", "/version");
        feed.put("feedsync.feeds.partners.target.table", "test_plans");
        feed.put("feedsync.feeds.partners.target.key", "epa_type");
        return feed;
    }

    /** The same from {@code --key=value} arguments. */
    public static ConfigurableApplicationContext start(String... arguments) {
        Map<String, Object> properties = new LinkedHashMap<>();
        for (String argument : arguments) {
            int equals = argument.indexOf('=');
            properties.put(argument.substring(2, equals), argument.substring(equals + 1));
        }
        return start(properties);
    }
}
