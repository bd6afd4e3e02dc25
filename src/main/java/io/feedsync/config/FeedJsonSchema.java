package io.feedsync.config;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@link FeedSchema} as a JSON Schema of a feed definition: the body of {@code PUT /api/feeds/{feed}},
 * served at {@code GET /api/schema/feed} and shown as the OpenAPI's {@code FeedDefinitionBody}. Only
 * keywords that JSON Schema 2020-12 and OpenAPI 3.0 and 3.1 read alike, so that one document serves
 * all three: an auth or pagination type is an {@code anyOf} of closed objects, each naming its
 * {@code type} with a one-value {@code enum} (so at most one matches; {@code anyOf}, not {@code oneOf},
 * because the default type's object may leave {@code type} out, which linters read as overlapping). Keys are kebab-case, as the docs write them.
 */
public final class FeedJsonSchema {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** Spring Boot's simple durations ({@code 30s}, {@code 5m}, {@code 1d}, a bare number of milliseconds) or ISO-8601 ({@code PT30S}). */
    private static final String DURATION = "^\\s*([+-]?\\d+(ns|us|ms|s|m|h|d)?|[+-]?P.+)\\s*$";
    private static final String DATA_SIZE = "^\\s*\\d+\\s*(B|KB|MB|GB|TB)?\\s*$";
    private static final String POINTER = "^(/.*)?$";
    private static final String IDENTIFIER = "^[a-z_][a-z0-9_]{0,62}$";
    private static final String TAG = "^(?=.{1,40}$)[a-z0-9]+(-[a-z0-9]+)*$";

    private FeedJsonSchema() {
    }

    /** The whole document, with its {@code $schema} and title. */
    public static ObjectNode document() {
        ObjectNode document = JSON.objectNode();
        document.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        document.put("title", "feedsync feed definition");
        document.setAll(definition());
        return document;
    }

    /** The schema alone, as an OpenAPI component holds it. */
    public static ObjectNode definition() {
        return schema(FeedSchema.FEED);
    }

    private static ObjectNode schema(SchemaKey key) {
        ObjectNode schema = switch (key.kind()) {
            case OBJECT -> object(key.children(), null, null);
            case VARIANTS -> variants(key);
            case LIST -> list(key);
            case MAP -> typed("object").set("additionalProperties", schema(key.items()));
            case MAPPED_COLUMN -> anyOf(pointer(), object(key.children(), null, null));
            case DELETE_MARKERS -> {
                ObjectNode marker = object(key.children(), null, null);
                // the marking value may be any JSON value: true, 1, "removed", null
                ((ObjectNode) marker.get("properties")).set("value", JSON.objectNode().put("description",
                        key.child("value").description()));
                yield anyOf(marker, typed("array").put("minItems", 1).set("items", marker.deepCopy()));
            }
            case TEXT -> typed("string");
            case WHOLE -> whole(key);
            case NUMBER -> typed("number");
            case SHARE -> anyOf(typed("string").put("pattern", "^\\s*\\d+(\\.\\d+)?\\s*%\\s*$"),
                    typed("number").put("minimum", 0).put("maximum", 1));
            case BOOLEAN -> typed("boolean");
            case DURATION -> typed("string").put("pattern", DURATION);
            case DURATION_OR_OFF -> anyOf(typed("string").put("pattern", DURATION + "|^\\s*(off|0)\\s*$"),
                    typed("integer").set("enum", JSON.arrayNode().add(0)));
            case DATA_SIZE -> typed("string").put("pattern", DATA_SIZE);
            case URL -> typed("string").put("format", "uri").put("pattern", "^https?://");
            case POINTER -> pointer();
            case IDENTIFIER -> typed("string").put("pattern", IDENTIFIER);
            case TABLE -> typed("string").put("pattern", "^[a-z_][a-z0-9_]{0,62}(\\.[a-z_][a-z0-9_]{0,62})?$");
            case CRON -> typed("string").put("maxLength", FeedSchema.MAX_SCHEDULE_LENGTH);
            case CHOICE -> typed("string").set("enum", strings(key.values()));
            case LOOKBACK -> anyOf(typed("string"), typed("number").put("minimum", 0));
            case ENDPOINT -> typed("string").put("pattern", "^[a-z][a-z0-9+.-]*:\\S+$");
            case TAG -> typed("string").put("pattern", TAG);
        };
        describe(schema, key);
        return schema;
    }

    private static ObjectNode object(Iterable<SchemaKey> children, String type, SchemaKey.Variant variant) {
        ObjectNode object = typed("object");
        ObjectNode properties = object.putObject("properties");
        ArrayNode required = JSON.arrayNode();
        if (type != null) {
            properties.set("type", typed("string").put("description", variant.description())
                    .set("enum", JSON.arrayNode().add(type)));
        }
        for (SchemaKey child : children) {
            properties.set(child.name(), schema(child));
            if (child.required()) {
                required.add(child.name());
            }
        }
        if (!required.isEmpty()) {
            object.set("required", required);
        }
        object.put("additionalProperties", false);
        return object;
    }

    /** One closed object per variant; the default one's {@code type} may be left out. */
    private static ObjectNode variants(SchemaKey key) {
        ArrayNode anyOf = JSON.arrayNode();
        for (Map.Entry<String, SchemaKey.Variant> variant : key.variants().entrySet()) {
            java.util.List<SchemaKey> keys = new java.util.ArrayList<>(variant.getValue().keys());
            keys.addAll(key.children());
            ObjectNode object = object(keys, variant.getKey(), variant.getValue());
            if (!variant.getKey().equals(key.defaultValue())) {
                object.withArray("required").insert(0, "type");
            }
            object.put("title", key.name() + " type " + variant.getKey());
            anyOf.add(object);
        }
        ObjectNode schema = JSON.objectNode();
        schema.set("anyOf", anyOf);
        return schema;
    }

    private static ObjectNode list(SchemaKey key) {
        ObjectNode list = typed("array").put("uniqueItems", true);
        list.set("items", schema(key.items()));
        if (key.required()) {
            list.put("minItems", 1);
        }
        return list;
    }

    private static ObjectNode whole(SchemaKey key) {
        ObjectNode whole = typed("integer");
        if (key.minimum() != null) {
            whole.put("minimum", key.minimum());
        }
        return whole;
    }

    private static ObjectNode pointer() {
        return typed("string").put("pattern", POINTER);
    }

    private static void describe(ObjectNode schema, SchemaKey key) {
        String description = key.description() + (key.secret() ? " (a secret: over the API, a ${NAME} placeholder only)" : "");
        schema.put("description", description);
        if (key.defaultValue() != null && key.kind() != SchemaKey.Kind.VARIANTS) {
            schema.set("default", defaultValue(key));
        }
        if (key.secret()) {
            schema.put("writeOnly", true);
        }
    }

    private static JsonNode defaultValue(SchemaKey key) {
        return switch (key.kind()) {
            case WHOLE -> JSON.numberNode(Long.parseLong(key.defaultValue()));
            case BOOLEAN -> JSON.booleanNode(Boolean.parseBoolean(key.defaultValue()));
            default -> JSON.textNode(key.defaultValue());
        };
    }

    private static ObjectNode typed(String type) {
        return JSON.objectNode().put("type", type);
    }

    private static ObjectNode anyOf(ObjectNode... choices) {
        ObjectNode schema = JSON.objectNode();
        ArrayNode anyOf = schema.putArray("anyOf");
        for (ObjectNode choice : choices) {
            anyOf.add(choice);
        }
        return schema;
    }

    private static ArrayNode strings(java.util.List<String> values) {
        ArrayNode array = JSON.arrayNode();
        values.forEach(array::add);
        return array;
    }
}
