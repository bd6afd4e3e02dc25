package io.feedsync.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * A feed as it was written, before Spring binds it: its name, its keys (against {@link FeedSchema}),
 * and, for one sent over the API, its JSON as the properties of {@code feedsync.feeds.<name>}.
 */
final class WrittenFeeds {

    static final String FEEDS = "feedsync.feeds.";
    /** A feed's name: it names its routes, its Quartz trigger and its rows in feedsync's tables. */
    private static final Pattern FEED_NAME = Pattern.compile("(?=.{1,100}$)[a-z0-9]+(-[a-z0-9]+)*");
    private static final String FEED_NAMES = "feed names are lower-case letters, digits and '-', at most 100 characters";

    private WrittenFeeds() {
    }

    static void checkName(String name) {
        if (!FEED_NAME.matcher(name).matches()) {
            throw badName(name);
        }
    }

    /**
     * Spring drops every character but letters, digits, '-' and '_' from a map key written without
     * brackets: {@code feedsync.feeds.x; drop table sync_run.source.url} would quietly configure a
     * feed "xdroptablesync_run". So feed names and mapped columns are checked as they were written
     * (environment variables excepted: they cannot hold such characters), and the error names them so.
     */
    static void checkWrittenNames(Environment environment) {
        if (!(environment instanceof ConfigurableEnvironment configurable)) {
            return;
        }
        for (PropertySource<?> source : configurable.getPropertySources()) {
            if (source instanceof EnumerablePropertySource<?> enumerable
                    && !(source instanceof SystemEnvironmentPropertySource)) {
                for (String property : enumerable.getPropertyNames()) {
                    checkWrittenName(property);
                }
            }
        }
    }

    static void checkWrittenName(String property) {
        if (!property.startsWith(FEEDS)) {
            return;
        }
        String feed = segment(property.substring(FEEDS.length()));
        checkName(feed);
        String rest = property.substring(FEEDS.length() + feed.length());
        if (rest.startsWith(".")) {
            KnownKeys.check(FEEDS + feed, rest.substring(1));
        }
        String mapping = FEEDS + feed + ".transform.mapping.";
        if (property.startsWith(mapping)) {
            String column = segment(property.substring(mapping.length()));
            new FeedKeys(FEEDS + feed, null).identifier("transform.mapping." + column, column);
        }
    }

    /** The map key a property name starts with: up to the next '.' or '['. */
    private static String segment(String rest) {
        int end = 0;
        while (end < rest.length() && rest.charAt(end) != '.' && rest.charAt(end) != '[') {
            end++;
        }
        return rest.substring(0, end);
    }

    /** The name as the key of the error; a long one cut short, so that the answer does not repeat it whole. */
    private static FeedConfigException badName(String name) {
        String shown = name.length() > 100 ? name.substring(0, 40) + "… (" + name.length() + " characters)" : name;
        return new FeedConfigException(FEEDS + shown, FEED_NAMES);
    }

    /** {@code {"source": {"url": "…"}, "target": {"key": ["id"]}}} as {@code <prefix>.source.url}, {@code <prefix>.target.key[0]}. */
    static Map<String, String> flatten(String prefix, JsonNode definition) {
        Map<String, String> written = new LinkedHashMap<>();
        flatten(prefix, definition, written);
        return written;
    }

    /** The feed {@code name} bound from {@code properties} as the configuration's are; null, with the problem noted, if they cannot be. */
    static FeedsyncProperties.Feed bind(String name, Map<String, String> properties, List<FeedConfigException> problems) {
        try {
            return new Binder(new MapConfigurationPropertySource(properties)).bind("feedsync", FeedsyncProperties.class)
                    .map(bound -> bound.feeds().get(name)).orElse(null);
        } catch (BindException e) {
            problems.add(notBound(FEEDS + name, e));
            return null;
        }
    }

    private static void flatten(String path, JsonNode node, Map<String, String> into) {
        if (node.isObject()) {
            node.fields().forEachRemaining(field -> flatten(path + "." + field.getKey(), field.getValue(), into));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                flatten(path + "[" + i + "]", node.get(i), into);
            }
        } else if (!node.isNull()) {
            into.put(path, node.asText());
        }
    }

    private static FeedConfigException notBound(String prefix, BindException e) {
        if (e.getProperty() == null) {
            return new FeedConfigException(prefix, "cannot be read: " + e.getMessage());
        }
        String type = e.getTarget().getType().resolve(Object.class).getSimpleName();
        String expected = switch (type) {
            case "Integer" -> "a whole number";
            case "Boolean" -> "true or false";
            default -> "a " + type.toLowerCase(Locale.ROOT);
        };
        return new FeedConfigException(e.getProperty().getName().toString(),
                "'" + e.getProperty().getValue() + "' is not " + expected);
    }
}
