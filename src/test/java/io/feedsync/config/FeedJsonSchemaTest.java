package io.feedsync.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The JSON Schema of a feed definition ({@link FeedJsonSchema}, served at {@code GET /api/schema/feed})
 * takes every feed example the docs show — and so does feedsync's own check — and refuses what
 * feedsync refuses for the same reason: an unknown key, a key of another auth type, a value not
 * allowed. No application: the schema and the checks are plain code.
 */
class FeedJsonSchemaTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final JsonSchema SCHEMA = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
            .getSchema(FeedJsonSchema.document());
    private static final Pattern YAML_BLOCK = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern PUT_BODY = Pattern.compile("-X PUT [^\\n]*api/feeds/[^\\n]*(?:\\n[^\\n]*)*?-d '(\\{.*?})'",
            Pattern.DOTALL);
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z0-9_]+)}");
    /** What a partial example is completed with: a feed needs a source, a transform and a target. */
    private static final String BASE = """
            {"source": {"url": "https://example.org/export"}, "transform": {"mapping": {"id": "/id"}},
             "target": {"table": "t", "key": ["id"]}}""";

    record Example(String where, JsonNode feed) {
    }

    @Test
    void everyFeedExampleOfTheDocsIsValidByTheSchemaAndByFeedsync() throws IOException {
        List<Example> examples = examples();

        assertThat(examples).as("feed examples in docs/").hasSizeGreaterThan(25);
        for (Example example : examples) {
            assertThat(SCHEMA.validate(example.feed())).as(example.where() + ": " + example.feed()).isEmpty();
            assertThat(define(example.feed())).as(example.where() + ": " + example.feed()).isNotNull();
        }
    }

    @Test
    void whatFeedsyncRefusesTheSchemaRefusesToo() throws IOException {
        Map<String, String> refused = Map.of(
                "{\"schedul\": \"0 0 * * * ?\"}", "schedul",
                "{\"mode\": \"sometimes\"}", "mode",
                "{\"chunk-size\": 0}", "chunk-size",
                "{\"source\": {\"auth\": {\"type\": \"basic\", \"username\": \"u\", \"password\": \"p\", \"token\": \"t\"}}}", "token",
                "{\"source\": {\"pagination\": {\"size\": 50}}}", "size",
                "{\"source\": {\"pagination\": {\"type\": \"pages\"}}}", "type",
                "{\"source\": {\"retry\": {\"max-attempts\": \"many\"}}}", "max-attempts",
                "{\"target\": {\"key\": []}}", "key",
                "{\"transform\": {\"mapping\": {\"amount\": {\"pointer\": \"/a\", \"type\": \"money\"}}}}", "type",
                "{\"notify\": {\"runs-on\": \"sometimes\"}}", "runs-on");
        for (Map.Entry<String, String> bad : refused.entrySet()) {
            JsonNode feed = merge(JSON.readTree(BASE), JSON.readTree(bad.getKey()));
            Set<ValidationMessage> problems = SCHEMA.validate(feed);
            assertThat(problems).as("the schema on " + bad.getKey()).isNotEmpty();
            assertThatThrownBy(() -> define(feed)).as("feedsync on " + bad.getKey())
                    .isInstanceOf(FeedConfigException.class).hasMessageContaining(bad.getValue());
        }
    }

    @Test
    void aKeyOfAnotherTypeIsNamedWithTheKeysOfTheTypeChosen() throws IOException {
        JsonNode feed = merge(JSON.readTree(BASE), JSON.readTree(
                "{\"source\": {\"auth\": {\"type\": \"bearer\", \"token\": \"t\", \"password\": \"p\"}}}"));

        assertThatThrownBy(() -> define(feed)).hasMessage("feedsync.feeds.example.source.auth.password: is not a key"
                + " of auth type bearer (its keys: token)");
    }

    @Test
    void everyKeyIsDescribedAndEveryDefaultIsOfItsKind() {
        for (SchemaKey.Named named : FeedSchema.keys()) {
            assertThat(named.key().description()).as(named.path()).isNotBlank();
        }
        JsonNode timeout = FeedJsonSchema.definition().at("/properties/source/properties/timeout");
        assertThat(timeout.get("default").asText()).isEqualTo("30s");
        JsonNode size = FeedJsonSchema.definition().at("/properties/source/properties/pagination/anyOf/1/properties/size");
        assertThat(size.get("default").asInt()).isEqualTo(100);
        assertThat(size.get("minimum").asInt()).isEqualTo(1);
        assertThat(FeedJsonSchema.definition().get("required")).extracting(JsonNode::asText)
                .containsExactly("source", "transform", "target");
        JsonNode token = FeedJsonSchema.definition().at("/properties/source/properties/auth/anyOf/2/properties/token");
        assertThat(token.get("writeOnly").asBoolean()).as("a secret").isTrue();
    }

    /** Accepted by feedsync's checks as a configured feed (bound from properties as application.yaml is). */
    private static FeedDefinition define(JsonNode feed) {
        String prefix = "feedsync.feeds.example";
        Map<String, String> properties = WrittenFeeds.flatten(prefix, feed);
        properties.keySet().forEach(WrittenFeeds::checkWrittenName);
        List<FeedConfigException> problems = new ArrayList<>();
        FeedsyncProperties.Feed bound = WrittenFeeds.bind("example", properties, problems);
        if (!problems.isEmpty()) {
            throw FeedConfigException.of(problems);
        }
        return FeedValidator.define("example", bound);
    }

    private static List<Example> examples() throws IOException {
        List<Example> examples = new ArrayList<>();
        try (Stream<Path> docs = Files.list(docs())) {
            for (Path doc : docs.filter(path -> path.toString().endsWith(".md")).sorted().toList()) {
                String text = Files.readString(doc);
                Matcher yaml = YAML_BLOCK.matcher(text);
                while (yaml.find()) {
                    for (String fragment : fragments(yaml.group(1))) {
                        feedOf(YAML.readTree(fragment)).ifPresent(feed ->
                                examples.add(new Example(doc.getFileName() + ": " + fragment.lines().findFirst().orElse(""), feed)));
                    }
                }
                Matcher put = PUT_BODY.matcher(text);
                while (put.find()) {
                    examples.add(new Example(doc.getFileName() + ": PUT", resolved(JSON.readTree(put.group(1)))));
                }
            }
        }
        return examples;
    }

    /**
     * The examples of a YAML block: its paragraphs, and a paragraph that writes one top key several
     * times ({@code auth: …} per line, one per way of authenticating) as that many examples.
     */
    private static List<String> fragments(String block) {
        List<String> fragments = new ArrayList<>();
        for (String paragraph : block.split("\\n\\s*\\n")) {
            List<String> lines = paragraph.lines().filter(line -> !line.isBlank()).toList();
            int indent = lines.stream().filter(line -> !line.trim().startsWith("#"))
                    .mapToInt(line -> line.length() - line.stripLeading().length()).min().orElse(0);
            List<StringBuilder> chunks = new ArrayList<>();
            Set<String> tops = new HashSet<>();
            boolean repeated = false;
            for (String line : lines) {
                String dedented = line.length() >= indent ? line.substring(indent) : line.stripLeading();
                if (!dedented.startsWith(" ") && !dedented.startsWith("#")) {
                    repeated |= !tops.add(dedented.split(":")[0]);
                    chunks.add(new StringBuilder());
                }
                if (!chunks.isEmpty()) {
                    chunks.get(chunks.size() - 1).append(dedented).append('\n');
                }
            }
            if (repeated) {
                chunks.forEach(chunk -> fragments.add(chunk.toString()));
            } else if (!chunks.isEmpty()) {
                fragments.add(String.join("", chunks));
            }
        }
        return fragments;
    }

    /**
     * Where a fragment belongs: a whole configuration ({@code feedsync.feeds.<name>}), keys of a feed,
     * keys of its source, or a feed under its name; completed with {@link #BASE}. Empty: not a feed.
     */
    private static java.util.Optional<JsonNode> feedOf(JsonNode fragment) throws IOException {
        if (fragment == null || !fragment.isObject() || fragment.size() == 0) {
            return java.util.Optional.empty();
        }
        String top = fragment.fieldNames().next();
        JsonNode feed;
        if (top.equals("feedsync")) {
            JsonNode feeds = fragment.path("feedsync").path("feeds");
            if (!feeds.isObject() || feeds.size() != 1) {
                return java.util.Optional.empty();
            }
            feed = feeds.elements().next();
        } else if (FeedSchema.FEED.child(top) != null) {
            feed = fragment;
        } else if (FeedSchema.at("source").child(top) != null) {
            feed = JSON.createObjectNode().set("source", fragment);
        } else if (fragment.size() == 1 && fragment.get(top).isObject()) {
            feed = fragment.get(top);
        } else {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(resolved(merge(JSON.readTree(BASE), feed)));
    }

    /** {@code over} laid on {@code base}; a transform is replaced whole (a bean and a mapping exclude each other). */
    private static JsonNode merge(JsonNode base, JsonNode over) {
        ObjectNode merged = base.deepCopy();
        over.fields().forEachRemaining(field -> {
            JsonNode under = merged.get(field.getKey());
            boolean deeper = under != null && under.isObject() && field.getValue().isObject()
                    && !field.getKey().equals("transform");
            merged.set(field.getKey(), deeper ? merge(under, field.getValue()) : field.getValue());
        });
        return merged;
    }

    /** A {@code ${NAME}} URL as a node would resolve it; other placeholders (secrets) stay text. */
    private static JsonNode resolved(JsonNode node) {
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            List<Map.Entry<String, JsonNode>> all = new ArrayList<>();
            fields.forEachRemaining(all::add);
            for (Map.Entry<String, JsonNode> field : all) {
                JsonNode value = field.getValue();
                if (value.isTextual() && PLACEHOLDER.matcher(value.asText()).matches() && field.getKey().endsWith("url")) {
                    object.set(field.getKey(), TextNode.valueOf("https://example.org/" + value.asText().replaceAll("\\W", "")));
                } else {
                    resolved(value);
                }
            }
        } else if (node.isArray()) {
            node.forEach(FeedJsonSchemaTest::resolved);
        }
        return node;
    }

    /** Tests run in target/ (see the pom). */
    private static Path docs() {
        Path fromTarget = Path.of("..", "docs");
        return Files.isDirectory(fromTarget) ? fromTarget : Path.of("docs");
    }
}
