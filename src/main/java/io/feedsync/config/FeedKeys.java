package io.feedsync.config;

import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonPointer;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.util.unit.DataSize;

/**
 * Reads one feed's values as written, by their path in {@link FeedSchema}: a value left out is the
 * schema's default, and whatever is wrong is a {@link FeedConfigException} naming its full key.
 */
record FeedKeys(String prefix, FeedsyncProperties.Feed feed) {

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    FeedConfigException bad(String key, String problem) {
        return new FeedConfigException(prefix + "." + key, problem);
    }

    FeedsyncProperties.Auth auth() {
        FeedsyncProperties.Auth auth = feed.source().auth();
        return auth == null ? FeedsyncProperties.Auth.EMPTY : auth;
    }

    FeedsyncProperties.Pagination paging() {
        FeedsyncProperties.Pagination paging = feed.source().pagination();
        return paging == null ? FeedsyncProperties.Pagination.EMPTY : paging;
    }

    String required(String key, String value) {
        if (blankToNull(value) == null) {
            throw bad(key, "must be set");
        }
        return value.trim();
    }

    /** The text at {@code key}, trimmed, or the schema's default. */
    String text(String key, String value) {
        return blankToNull(value) == null ? FeedSchema.defaultOf(key) : value.trim();
    }

    /** The whole number at {@code key}, at least its schema minimum, or the schema's default. */
    int whole(String key, Integer value) {
        if (value == null) {
            String fallback = FeedSchema.defaultOf(key);
            return fallback == null ? 0 : Integer.parseInt(fallback);
        }
        Long minimum = FeedSchema.at(key).minimum();
        if (minimum != null && value < minimum) {
            throw bad(key, minimum == 1 ? "must be positive" : "must be " + minimum + " or more");
        }
        return value;
    }

    /** A positive duration ({@code 30s}, {@code 2m}, ISO-8601), or the schema's default. */
    Duration duration(String key, String value) {
        String text = blankToNull(value) == null ? FeedSchema.defaultOf(key) : value;
        if (text == null) {
            return null;
        }
        try {
            Duration duration = DurationStyle.detectAndParse(text.trim());
            if (duration.isNegative() || duration.isZero()) {
                throw bad(key, "must be positive");
            }
            return duration;
        } catch (IllegalArgumentException e) {
            throw bad(key, "'" + text + "' is not a duration (e.g. 30s, 2m)");
        }
    }

    /** A positive data size ({@code 64MB}), or the schema's default. */
    DataSize dataSize(String key, String value) {
        String text = blankToNull(value) == null ? FeedSchema.defaultOf(key) : value;
        DataSize size;
        try {
            size = DataSize.parse(text.trim());
        } catch (IllegalArgumentException e) {
            throw bad(key, "'" + text + "' is not a data size (e.g. 64MB, 512KB)");
        }
        if (size.toBytes() <= 0) {
            throw bad(key, "must be positive");
        }
        return size;
    }

    /** One of the values the schema allows at {@code key} ({@code noun}: what the message calls it), or its default. */
    String choice(String key, String value, String noun) {
        String chosen = text(key, value);
        List<String> allowed = FeedSchema.at(key).values();
        if (!allowed.contains(chosen.toLowerCase(Locale.ROOT))) {
            throw bad(key, "unknown " + noun + " '" + chosen + "' (expected " + either(allowed) + ")");
        }
        return chosen.toLowerCase(Locale.ROOT);
    }

    /** {@code a or b}, or {@code one of a, b, c}. */
    static String either(List<String> values) {
        return values.size() == 2 ? values.get(0) + " or " + values.get(1) : "one of " + String.join(", ", values);
    }

    String pointer(String key, String value) {
        if (value == null || !(value.isEmpty() || value.startsWith("/"))) {
            throw bad(key, "'" + value + "' is not a JSON pointer (it starts with '/', or is \"\" for the whole page)");
        }
        return JsonPointer.compile(value).toString();
    }

    void identifier(String key, String name) {
        if (name == null || !IDENTIFIER.matcher(name).matches()) {
            throw bad(key, "'" + name + "' is not a plain lower-case SQL identifier");
        }
    }

    /**
     * The keys written in {@code written} (one of {@link FeedsyncProperties}' records, at {@code key})
     * that the variant chosen by its {@code type} does not have: {@code source.auth.token} with
     * {@code type: basic} is an error, not a value quietly ignored.
     */
    List<FeedConfigException> notOfVariant(String key, Record written, String type) {
        SchemaKey schema = FeedSchema.at(key);
        SchemaKey.Variant variant = schema.variants().get(type);
        List<String> allowed = new ArrayList<>(List.of("type"));
        schema.children().forEach(shared -> allowed.add(shared.name()));
        variant.keys().forEach(own -> allowed.add(own.name()));
        List<FeedConfigException> problems = new ArrayList<>();
        if (written == null) {
            return problems;
        }
        for (RecordComponent component : written.getClass().getRecordComponents()) {
            String name = component.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
            if (!allowed.contains(name) && value(component, written) != null) {
                List<String> own = variant.keys().stream().map(SchemaKey::name).toList();
                problems.add(bad(key + "." + name, "is not a key of " + schema.name() + " type " + type
                        + (own.isEmpty() ? " (it has none of its own)" : " (its keys: " + String.join(", ", own) + ")")));
            }
        }
        return problems;
    }

    private static Object value(RecordComponent component, Record record) {
        try {
            return component.getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }
}
