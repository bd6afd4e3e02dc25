package io.feedsync.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The body of {@code PUT /api/feeds/{feed}}: the JSON sent, as the REST binding ({@link ApiJson}) read
 * it; {@link FeedDefinitionsApi} and the feed's validation say what a definition must be.
 */
@Schema(name = "FeedDefinitionBody", description = "A feed's definition: exactly the keys of feedsync.feeds.<name> "
        + "(kebab-case, as in application.yaml), e.g. {\"schedule\": \"0 0 * * * ?\", \"source\": {\"url\": \"https://…\"}, "
        + "\"transform\": {\"mapping\": {\"id\": \"/id\"}}, \"target\": {\"table\": \"t\", \"key\": [\"id\"]}}. "
        + "A mapped column may declare its type ({\"pointer\": \"/x\", \"type\": \"integer\"}); with "
        + "\"target\": {…, \"create\": true} the table is created from the mapping, or given the columns it lacks if "
        + "feedsync created it for this feed; a table another feed writes only with \"shared\": true on both. "
        + "Secrets (source.auth password, token, key, client-secret) only as ${NAME} placeholders",
        additionalProperties = Schema.AdditionalPropertiesValue.TRUE)
public record FeedDefinitionBody(@Schema(hidden = true) JsonNode definition) {
}
