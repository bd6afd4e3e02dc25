package io.feedsync.upstream;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.math.BigDecimal;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;

import io.feedsync.transform.ColumnMapping;

/**
 * {@code source.incremental}: where a record keeps its cursor ({@code cursor}, a JSON pointer),
 * how cursors compare ({@code type}: timestamp, number or text), and how the watermark is sent to
 * the upstream ({@code param}, formatted by {@code format}: as-is, iso-instant, epoch-seconds,
 * epoch-millis or a date-time pattern in UTC).
 */
public record Incremental(String cursorPointer, String param, CursorType type, String format) {

    public enum CursorType {
        TIMESTAMP,
        NUMBER,
        TEXT
    }

    private static final Map<String, JsonPointer> POINTERS = new ConcurrentHashMap<>();

    /** The record's cursor value, as text; null when it has none. */
    public String cursorOf(JsonNode record) {
        return ColumnMapping.text(record.at(POINTERS.computeIfAbsent(cursorPointer, JsonPointer::compile)));
    }

    /** Compares two cursor values of this feed; throws {@link IllegalArgumentException} for one that does not parse. */
    public Comparator<String> order() {
        return switch (type) {
            case TIMESTAMP -> Comparator.comparing(Incremental::instant);
            case NUMBER -> Comparator.comparing(Incremental::number);
            case TEXT -> Comparator.naturalOrder();
        };
    }

    /**
     * Whether a record with this cursor was stamped before {@code instant}. Only timestamps tell:
     * number and text cursors carry no time, so for them this is always true.
     */
    public boolean predates(String cursor, Instant instant) {
        return type != CursorType.TIMESTAMP || instant(cursor).isBefore(instant);
    }

    /** Checks that a cursor value parses as this feed's type. */
    public void check(String cursor) {
        order().compare(cursor, cursor);
    }

    /** The watermark as the upstream wants it in {@link #param()}. */
    public String format(String watermark) {
        return switch (format) {
            case "as-is" -> watermark;
            case "iso-instant" -> instant(watermark).toString();
            case "epoch-seconds" -> String.valueOf(instant(watermark).getEpochSecond());
            case "epoch-millis" -> String.valueOf(instant(watermark).toEpochMilli());
            default -> DateTimeFormatter.ofPattern(format).withZone(ZoneOffset.UTC).format(instant(watermark));
        };
    }

    /** Whether {@code format} is one this class can apply; checked at startup. */
    public static boolean validFormat(String format) {
        if (format.equals("as-is") || format.equals("iso-instant") || format.equals("epoch-seconds")
                || format.equals("epoch-millis")) {
            return true;
        }
        try {
            DateTimeFormatter.ofPattern(format);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * The last few timestamps this thread parsed, most recent first: a run checks each record's
     * cursor and compares it with the highest so far, so the same few texts are parsed over and
     * over (parsing was 9 % of a sync's CPU). Parsing is a pure function; failures are not kept.
     */
    private static final ThreadLocal<Object[]> RECENT_INSTANTS = ThreadLocal.withInitial(() -> new Object[8]);

    static Instant instant(String text) {
        if (text == null) {
            return parseInstant(null);
        }
        Object[] recent = RECENT_INSTANTS.get();
        for (int i = 0; i < recent.length; i += 2) {
            if (text.equals(recent[i])) {
                Instant found = (Instant) recent[i + 1];
                // move it to the front
                System.arraycopy(recent, 0, recent, 2, i);
                recent[0] = text;
                recent[1] = found;
                return found;
            }
        }
        Instant parsed = parseInstant(text);
        System.arraycopy(recent, 0, recent, 2, recent.length - 2);
        recent[0] = text;
        recent[1] = parsed;
        return parsed;
    }

    private static Instant parseInstant(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException notOffset) {
            try {
                return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException notLocal) {
                try {
                    return LocalDate.parse(text).atStartOfDay().toInstant(ZoneOffset.UTC);
                } catch (DateTimeParseException notDate) {
                    throw new IllegalArgumentException("cursor value '" + text + "' is not an ISO-8601 timestamp");
                }
            }
        }
    }

    private static BigDecimal number(String text) {
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("cursor value '" + text + "' is not a number");
        }
    }
}
