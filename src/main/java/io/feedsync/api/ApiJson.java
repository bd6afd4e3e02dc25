package io.feedsync.api;

import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import org.apache.camel.Exchange;
import org.apache.camel.component.jackson.JacksonDataFormat;
import org.apache.camel.spi.DataFormat;
import org.apache.camel.spi.DataFormatFactory;
import org.springframework.stereotype.Component;

/**
 * The JSON of the REST binding (camel.rest.binding-mode json, json-data-format api-json): Camel finds
 * this factory by that name and makes each REST route's data format of it. An answer is written by the
 * application's ObjectMapper, as a {@code marshal} step wrote it. A request body is bound to the
 * operation's {@code type} (routes/api-rest.yaml) strictly: one JSON value and nothing after it, an
 * object, no field the type does not have, and each field of its JSON type (no {@code "true"} for
 * true, no {@code 3} for a text).
 * <p>
 * A body that cannot be bound does not fail the binding: it is bound to nothing, and the
 * {@link Refusal} kept on the exchange is answered (400) where the route reads the body
 * ({@link #body}). The route's checks before that — the caller's role, the feed in the path
 * (404), a configured feed (409) — keep their order, and the refusal is audited as the operator action
 * it was. A verb without a type (GET, DELETE) reads no body: whatever was sent is left as it is.
 */
@Component(ApiJson.NAME + "-dataformat-factory")
public class ApiJson implements DataFormatFactory {

    static final String NAME = "api-json";
    /** The exchange property with the request body as sent, for the audit trail. */
    static final String TEXT = "feedsyncRequestBody";
    /** The exchange property with the {@link Refusal} of a body that could not be bound. */
    static final String REFUSAL = "feedsyncBodyRefusal";

    /** Why a body could not be bound: not JSON, not an object, a field the type does not have, or a field of the wrong JSON type. */
    public enum Problem { NOT_JSON, NOT_OBJECT, UNKNOWN_FIELD, WRONG_TYPE }

    /**
     * A body that could not be bound: the problem, the field concerned, and for a wrong type the value
     * sent (an element of the field's list when {@code element}).
     */
    public record Refusal(Problem problem, String field, JsonNode value, boolean element) {
    }

    /** A field of a body that may be left out, but not sent as null. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD})
    public @interface NotNull {
    }

    private final ObjectMapper strict;

    public ApiJson(ObjectMapper application) {
        this.strict = application.copy();
        strict.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        // a value of another JSON type is refused, never converted (text for a flag, a number for a text)
        for (LogicalType type : LogicalType.values()) {
            for (CoercionInputShape shape : List.of(CoercionInputShape.Integer, CoercionInputShape.Float,
                    CoercionInputShape.Boolean, CoercionInputShape.String, CoercionInputShape.EmptyString,
                    CoercionInputShape.EmptyArray, CoercionInputShape.EmptyObject)) {
                strict.coercionConfigFor(type).setCoercion(shape, CoercionAction.Fail);
            }
        }
    }

    @Override
    public DataFormat newInstance() {
        return new Binding(strict);
    }

    /**
     * The request body as the REST binding bound it to {@code type} ; null when none was
     * sent. A body it could not bind is answered here, 400: {@code shape} completes "body must be a JSON
     * object", {@code expected} follows an unknown field, {@code wrongType} names what a field must be.
     */
    static <T> T body(Exchange exchange, Class<T> type, String shape, String expected, Function<String, String> wrongType) {
        Refusal refused = exchange.getProperty(REFUSAL, Refusal.class);
        if (refused != null) {
            throw new BadRequestException(switch (refused.problem()) {
                case NOT_JSON -> "body is not valid JSON";
                case NOT_OBJECT -> "body must be a JSON object " + shape;
                case UNKNOWN_FIELD -> "unknown field '" + refused.field() + "' (" + expected + ")";
                case WRONG_TYPE -> refused.element() ? wrongType.apply(refused.field() + "[]") + refused.value()
                        : wrongType.apply(refused.field());
            });
        }
        Object body = exchange.getMessage().getBody();
        return type.isInstance(body) ? type.cast(body) : null;
    }

    /** One REST route's data format: Camel's Jackson one, with the request body bound as described above. */
    static final class Binding extends JacksonDataFormat {

        private final ObjectReader reader;

        Binding(ObjectMapper strict) {
            super(strict, null);
            this.reader = strict.reader();
        }

        @Override
        public Object unmarshal(Exchange exchange, Object body) throws Exception {
            Class<?> type = getUnmarshalType();
            if (type == null || !type.isRecord()) {
                return body;
            }
            String text = exchange.getContext().getTypeConverter().mandatoryConvertTo(String.class, exchange, body);
            exchange.setProperty(TEXT, text);
            try {
                return bind(text, type);
            } catch (Refused refused) {
                exchange.setProperty(REFUSAL, refused.refusal);
                return null;
            }
        }

        private Object bind(String text, Class<?> type) throws Refused {
            JsonNode tree;
            try {
                tree = reader.readTree(text);
            } catch (IOException e) {
                throw new Refused(new Refusal(Problem.NOT_JSON, null, null, false));
            }
            if (type == FeedDefinitionBody.class) {
                // any JSON: FeedDefinitionsApi says what a definition must be
                return new FeedDefinitionBody(tree);
            }
            if (!tree.isObject()) {
                throw new Refused(new Refusal(Problem.NOT_OBJECT, null, null, false));
            }
            Map<String, RecordComponent> fields = Arrays.stream(type.getRecordComponents())
                    .collect(Collectors.toMap(RecordComponent::getName, Function.identity()));
            for (Iterator<String> names = tree.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!fields.containsKey(name)) {
                    throw new Refused(new Refusal(Problem.UNKNOWN_FIELD, name, null, false));
                }
            }
            for (Iterator<Map.Entry<String, JsonNode>> sent = tree.fields(); sent.hasNext(); ) {
                Map.Entry<String, JsonNode> field = sent.next();
                if (field.getValue().isNull() && fields.get(field.getKey()).isAnnotationPresent(NotNull.class)) {
                    throw new Refused(new Refusal(Problem.WRONG_TYPE, field.getKey(), field.getValue(), false));
                }
            }
            try {
                return reader.treeToValue(tree, type);
            } catch (JsonMappingException e) {
                List<JsonMappingException.Reference> path = e.getPath();
                if (path.isEmpty() || path.get(0).getFieldName() == null) {
                    throw new IllegalStateException("could not bind " + type.getSimpleName(), e);
                }
                String field = path.get(0).getFieldName();
                JsonNode value = tree.get(field);
                boolean element = path.size() > 1 && path.get(1).getIndex() >= 0 && value.isArray();
                throw new Refused(new Refusal(Problem.WRONG_TYPE, field,
                        element ? value.get(path.get(1).getIndex()) : value, element));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("could not bind " + type.getSimpleName(), e);
            }
        }
    }

    private static final class Refused extends Exception {

        private final transient Refusal refusal;

        Refused(Refusal refusal) {
            super(null, null, false, false);
            this.refusal = refusal;
        }
    }
}
