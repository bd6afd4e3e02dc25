package io.feedsync.api;

import java.util.Iterator;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.core.converter.ModelConverter;
import io.swagger.v3.core.converter.ModelConverterContext;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.core.util.Json31;
import io.swagger.v3.oas.models.media.Schema;
import org.apache.camel.openapi.RestModelConverters;
import org.springframework.stereotype.Component;

import io.feedsync.config.FeedJsonSchema;

/**
 * Gives the OpenAPI document's {@code FeedDefinitionBody} the JSON Schema of a feed definition
 * ({@link FeedJsonSchema}) instead of the empty record it stands for: Camel writes the document with
 * swagger's shared {@link ModelConverters}, which ask this converter first.
 */
@Component
public class FeedDefinitionSchema implements ModelConverter {

    private static final String NAME = "FeedDefinitionBody";

    private final ObjectMapper mapper;

    public FeedDefinitionSchema() {
        this(Json.mapper());
        // Camel adds its own resolvers in front when RestModelConverters is first loaded: load it now, so that this one comes first
        new RestModelConverters(true);
        ModelConverters.getInstance(true).addConverter(new FeedDefinitionSchema(Json31.mapper()));
        ModelConverters.getInstance(false).addConverter(this);
    }

    private FeedDefinitionSchema(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public Schema<?> resolve(AnnotatedType type, ModelConverterContext context, Iterator<ModelConverter> chain) {
        JavaType javaType = type.getType() == null ? null : mapper.constructType(type.getType());
        if (javaType == null || javaType.getRawClass() != FeedDefinitionBody.class) {
            return chain.hasNext() ? chain.next().resolve(type, context, chain) : null;
        }
        Schema<?> schema = mapper.convertValue(FeedJsonSchema.definition(), Schema.class);
        schema.setName(NAME);
        // how Camel finds the component of a class named as an operation's type
        schema.addExtension("x-className", java.util.Map.of("type", "string", "format", FeedDefinitionBody.class.getName()));
        context.defineModel(NAME, schema, type, null);
        return schema;
    }
}
