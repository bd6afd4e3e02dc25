package io.feedsync.api;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The body of {@code POST /api/feeds/{feed}/runs}, bound by the REST binding ({@link ApiJson}); what
 * the fields mean together (a range is an incremental run, a mode's name) ApiRequests decides.
 */
@Schema(description = "How to run; every field optional, and no other field allowed",
        additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
public record RunOptions(
        @Schema(allowableValues = {"incremental", "full"}, nullable = true, description = "default: the feed's mode")
        String mode,
        @Schema(nullable = true, description = "count what would change and write nothing; default false")
        Boolean dryRun,
        @Schema(nullable = true, description = "go past the deletion guard, and soft-delete even when records were "
                + "rejected before their key was known; default false") Boolean confirm,
        @Schema(nullable = true, description = "start from the first page even when the feed's last run stopped "
                + "unfinished and left a checkpoint to resume from; default false") Boolean restart,
        @Schema(nullable = true, description = "a selective run: ask the upstream from this cursor value (in the feed's "
                + "cursor format; the feed needs source.incremental) and apply the records at or after it. An incremental "
                + "run that neither resumes nor leaves a checkpoint; it moves the watermark only forward, and only when "
                + "since is at or before it") @JsonDeserialize(using = Cursor.class) String since,
        @Schema(nullable = true, description = "with since: apply no record whose cursor is after this one (they "
                + "are counted unchanged), and move the watermark no further") @JsonDeserialize(using = Cursor.class) String until) {

    /** A cursor value: text, or a number for a feed whose cursors are numbers (as its text). */
    static final class Cursor extends JsonDeserializer<String> {

        @Override
        public String deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            if (!parser.currentToken().isScalarValue() || parser.currentToken().isBoolean()) {
                return (String) context.handleUnexpectedToken(String.class, parser);
            }
            JsonNode value = context.readTree(parser);
            if (!value.isTextual() && !value.isNumber()) {
                return (String) context.handleUnexpectedToken(String.class, parser);
            }
            return value.asText();
        }
    }
}
