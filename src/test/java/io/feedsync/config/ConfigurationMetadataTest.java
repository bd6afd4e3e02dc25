package io.feedsync.config;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Name;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration metadata an IDE reads to complete and check {@code application.yaml}
 * ({@code META-INF/spring-configuration-metadata.json}, generated at compile time and merged with
 * {@code additional-spring-configuration-metadata.json}) knows every {@code feedsync.*} key the code
 * reads, each with a description, and leads — as an IDE follows a map's value type — to every key
 * a feed may have.
 */
class ConfigurationMetadataTest {

    private static final Pattern READ_KEY = Pattern.compile("\"\\$\\{(feedsync\\.[a-z0-9.-]+)[:}]");
    private static final Set<String> MAPS = Set.of("feedsync.feeds", "feedsync.security.api-keys",
            "feedsync.security.console-users");

    @Test
    void everyNodeKeyTheCodeReadsIsDescribed() throws IOException {
        Map<String, JsonNode> metadata = metadata();
        Set<String> read = new TreeSet<>();
        try (Stream<Path> sources = Files.walk(sources())) {
            for (Path source : sources.filter(path -> path.toString().endsWith(".java")).toList()) {
                Matcher key = READ_KEY.matcher(Files.readString(source));
                while (key.find()) {
                    read.add(key.group(1));
                }
            }
        }
        read.add("feedsync.security.allowed-hosts");
        read.addAll(List.of("feedsync.security.api-endpoint-schemes", "feedsync.security.api-transform-beans",
                "feedsync.security.secret-names"));

        assertThat(read).as("keys read with @Value").hasSizeGreaterThan(15);
        List<String> missing = read.stream().filter(key -> !metadata.containsKey(key)).toList();
        assertThat(missing).as("feedsync keys the IDE would call unknown").isEmpty();
        List<String> undescribed = metadata.entrySet().stream()
                .filter(entry -> entry.getKey().startsWith("feedsync.") && entry.getValue().path("description").asText().isBlank())
                .map(Map.Entry::getKey).toList();
        assertThat(undescribed).as("feedsync keys without a description").isEmpty();
    }

    @Test
    void everyFeedKeyIsReachedThroughTheFeedsMapsValueType() throws Exception {
        JsonNode feeds = metadata().get("feedsync.feeds");
        assertThat(feeds).as("feedsync.feeds in the metadata").isNotNull();
        String type = feeds.get("type").asText();
        assertThat(type).startsWith("java.util.Map<java.lang.String,");
        Class<?> feed = Class.forName(type.substring(type.indexOf(',') + 1, type.length() - 1));

        List<String> unreached = new ArrayList<>();
        for (String key : FeedSchema.keys().stream().map(SchemaKey.Named::path).toList()) {
            if (!reaches(feed, key.split("\\."), 0)) {
                unreached.add(key);
            }
        }
        assertThat(FeedSchema.keys().stream().map(SchemaKey.Named::path).toList()).hasSizeGreaterThan(40);
        assertThat(unreached).as("feed keys an IDE could not complete").isEmpty();
    }

    /** The records Spring binds a feed into hold no key the schema lacks (which would be bound, then never checked). */
    @Test
    void everyKeyTheBindingRecordsHoldIsAKeyOfTheSchema() throws NoSuchMethodException {
        List<String> bound = new ArrayList<>();
        collect(FeedsyncProperties.Feed.class, "", bound);
        assertThat(bound).hasSizeGreaterThan(40);
        List<String> unknown = bound.stream().filter(key -> !FeedValidator.isKnownKey(key)).toList();
        assertThat(unknown).as("bound keys FeedSchema does not know").isEmpty();
    }

    private static void collect(Class<?> record, String prefix, List<String> into) throws NoSuchMethodException {
        RecordComponent[] components = record.getRecordComponents();
        Class<?>[] types = Stream.of(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
        var parameters = record.getDeclaredConstructor(types).getParameters();
        for (int i = 0; i < components.length; i++) {
            Name named = parameters[i].getAnnotation(Name.class);
            String key = prefix + kebab(named == null ? components[i].getName() : named.value());
            if (components[i].getType().isRecord()) {
                collect(components[i].getType(), key + ".", into);
            } else {
                into.add(key);
            }
        }
    }

    @Test
    void theMapsOfNamedThingsAreThere() throws IOException {
        assertThat(metadata().keySet()).containsAll(MAPS);
    }

    /** Follows {@code segments} from {@code type} by its record components' bound names, as an IDE follows a type. */
    private static boolean reaches(Type type, String[] segments, int at) throws NoSuchMethodException {
        if (at == segments.length) {
            return true;
        }
        Class<?> raw = type instanceof ParameterizedType parameterized ? (Class<?>) parameterized.getRawType() : (Class<?>) type;
        if (!raw.isRecord()) {
            return false;
        }
        RecordComponent[] components = raw.getRecordComponents();
        Class<?>[] types = Stream.of(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
        var parameters = raw.getDeclaredConstructor(types).getParameters();
        for (int i = 0; i < components.length; i++) {
            Name bound = parameters[i].getAnnotation(Name.class);
            String name = kebab(bound == null ? components[i].getName() : bound.value());
            if (name.equals(segments[at])) {
                Type next = components[i].getGenericType();
                boolean map = next instanceof ParameterizedType p && Map.class.isAssignableFrom((Class<?>) p.getRawType());
                return map ? at == segments.length - 1 : reaches(next, segments, at + 1);
            }
        }
        return false;
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    private static Map<String, JsonNode> metadata() throws IOException {
        try (InputStream in = ConfigurationMetadataTest.class.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("the generated configuration metadata").isNotNull();
            Map<String, JsonNode> byName = new LinkedHashMap<>();
            new ObjectMapper().readTree(in).get("properties").forEach(property -> byName.put(property.get("name").asText(), property));
            return byName;
        }
    }

    /** Tests run in target/ (see the pom). */
    private static Path sources() {
        Path fromTarget = Path.of("..", "src", "main", "java");
        return Files.isDirectory(fromTarget) ? fromTarget : Path.of("src", "main", "java");
    }
}
