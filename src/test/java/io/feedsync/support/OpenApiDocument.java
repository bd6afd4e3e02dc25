package io.feedsync.support;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.oas.OpenApi30;

/**
 * feedsync's own OpenAPI document (/api/openapi.json), to check the API's answers against it: the
 * schema it declares for an operation's status, validated as OpenAPI 3.0 schemas are (with
 * {@code nullable}), {@code $ref}s resolved within the document.
 */
public final class OpenApiDocument {

    private static final String IRI = "https://feedsync.test/openapi.json";

    private final JsonNode document;
    private final JsonSchemaFactory factory;
    private final SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().nullableKeywordEnabled(true).build();

    public OpenApiDocument(JsonNode document) {
        this.document = document;
        this.factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4, builder -> builder
                .metaSchema(OpenApi30.getInstance())
                .defaultMetaSchemaIri(OpenApi30.getInstance().getIri())
                .schemaLoaders(loaders -> loaders.schemas(Map.of(IRI, document.toString()))));
    }

    public JsonNode json() {
        return document;
    }

    /** The path the document's operations are relative to: its one server's URL. */
    public String server() {
        return document.get("servers").get(0).get("url").asText();
    }

    /** The responses the document declares for an operation ({@code path} as the document spells it). */
    public JsonNode responses(String method, String path) {
        JsonNode operation = document.path("paths").path(path).path(method.toLowerCase(Locale.ROOT));
        if (operation.isMissingNode()) {
            throw new AssertionError("the document has no operation " + method + " " + path);
        }
        return operation.get("responses");
    }

    /**
     * What is wrong with an answer of an operation: a status it does not declare, a declared status
     * without a body schema, or a body its schema does not allow. Empty when the answer conforms.
     */
    public List<String> violations(String method, String path, int status, JsonNode body) {
        JsonNode response = responses(method, path).get(String.valueOf(status));
        if (response == null) {
            return List.of(method + " " + path + " does not declare status " + status);
        }
        JsonNode schema = response.path("content").path("application/json").get("schema");
        if (schema == null) {
            return List.of(method + " " + path + " declares no JSON schema for status " + status);
        }
        return violations(schema, body);
    }

    /** What is wrong with a body against one of the document's component schemas. */
    public List<String> componentViolations(String component, JsonNode body) {
        if (!document.path("components").path("schemas").has(component)) {
            return List.of("the document has no component schema " + component);
        }
        ObjectNode ref = JsonNodeFactory.instance.objectNode().put("$ref", "#/components/schemas/" + component);
        return violations(ref, body);
    }

    private List<String> violations(JsonNode schema, JsonNode body) {
        if (body == null) {
            return List.of("no JSON body");
        }
        JsonSchema validator = factory.getSchema(SchemaLocation.of(IRI + "-response"), absoluteRefs(schema.deepCopy()),
                config);
        List<String> found = new ArrayList<>();
        for (ValidationMessage message : validator.validate(body)) {
            found.add(message.getMessage());
        }
        return found;
    }

    /** The schema with its {@code #/components/...} references pointing into the document. */
    private static JsonNode absoluteRefs(JsonNode schema) {
        if (schema instanceof ObjectNode object) {
            JsonNode ref = object.get("$ref");
            if (ref != null && ref.asText().startsWith("#/")) {
                object.set("$ref", TextNode.valueOf(IRI + ref.asText()));
            }
            for (Iterator<JsonNode> children = object.elements(); children.hasNext(); ) {
                absoluteRefs(children.next());
            }
        } else if (schema != null && schema.isArray()) {
            schema.forEach(OpenApiDocument::absoluteRefs);
        }
        return schema;
    }
}
