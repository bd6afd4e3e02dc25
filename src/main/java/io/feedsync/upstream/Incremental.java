package io.feedsync.upstream;

import java.time.DateTimeException;
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


/**
 * {@code source.incremental}: where a record keeps its cursor ({@code cursor}, a JSON pointer),
 * how cursors compare ({@code type}: timestamp, number or text), and how the watermark is sent to
 * the upstream ({@code param}, formatted by {@code format}: as-is, iso-instant, epoch-seconds,
 * epoch-millis or a date-time pattern in UTC), and how far behind the watermark an incremental run
 * starts ({@code lookback}).
 */
public record Incremental(String cursorPointer, String param, CursorType type, String format, String lookback) {

    public Incremental(String cursorPointer, String param, CursorType type, String format) {
        this(cursorPointer, param, type, format, null);
    }

    public enum CursorType {
        TIMESTAMP,
        NUMBER,
        TEXT
    }

    private static final Map<String, JsonPointer> POINTERS = new ConcurrentHashMap<>();

    /** The record's cursor value, as text; null when it has none. */
    public String cursorOf(JsonNode record) {
        JsonNode value = record.at(POINTERS.computeIfAbsent(cursorPointer, JsonPointer::compile));
        if (value.isMissingNode() || value.isNull()) {
            return null;
        }
        // a nested value as JSON, the text its column would get (a cursor is almost always a scalar)
        return value.isValueNode() ? value.asText() : value.toString();
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

    /** What a cursor value of this feed looks like, for messages: "an ISO-8601 timestamp, like …". */
    public String expected() {
        return switch (type) {
            case TIMESTAMP -> "an ISO-8601 timestamp, like 2024-05-01T10:15:30Z";
            case NUMBER -> "a number, like 1500";
            case TEXT -> "text, compared in Unicode order";
        };
    }

    /** Checks that a cursor value parses as this feed's type. */
    public void check(String cursor) {
        order().compare(cursor, cursor);
    }

    /**
     * Where an incremental run starts reading: the watermark less {@code lookback} (a duration for
     * timestamps, as ISO-8601 text; an amount for numbers), so that a record committed late, just
     * behind the watermark, is still asked for. Without a lookback, the watermark itself.
     */
    public String lookBack(String watermark) {
        if (lookback == null || watermark == null) {
            return watermark;
        }
        return switch (type) {
            case TIMESTAMP -> instant(watermark).minus(java.time.Duration.parse(lookback)).toString();
            case NUMBER -> number(watermark).subtract(new java.math.BigDecimal(lookback)).toPlainString();
            case TEXT -> watermark;
        };
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
        Instant common = text == null ? null : parseCommonShape(text);
        if (common != null) {
            return common;
        }
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

    private static final int[] NANOS_PER_DIGIT = {0, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1};

    /**
     * The shape nearly every export uses, {@code 2024-05-01T10:15:30[.fraction](Z|+02:00)}, read
     * without the general ISO parser (which was a tenth of a refresh's CPU, one parse per record);
     * java.time still checks the fields. Anything else, valid or not, is left to the parser: null.
     */
    static Instant parseCommonShape(String text) {
        int length = text.length();
        if (length < 20 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) {
            return null;
        }
        int at = 19;
        int nanos = 0;
        if (text.charAt(at) == '.') {
            int from = ++at;
            while (at < length && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
                at++;
            }
            if (at - from < 1 || at - from > 9) {
                return null;
            }
            nanos = digits(text, from, at - from) * NANOS_PER_DIGIT[at - from];
        }
        ZoneOffset offset;
        if (at == length - 1 && text.charAt(at) == 'Z') {
            offset = ZoneOffset.UTC;
        } else if (at == length - 6 && (text.charAt(at) == '+' || text.charAt(at) == '-') && text.charAt(at + 3) == ':') {
            int hours = digits(text, at + 1, 2);
            int minutes = digits(text, at + 4, 2);
            if (hours < 0 || minutes < 0 || hours > 18 || minutes > 59) {
                return null;
            }
            int sign = text.charAt(at) == '-' ? -1 : 1;
            try {
                offset = ZoneOffset.ofHoursMinutes(sign * hours, sign * minutes);
            } catch (DateTimeException outOfRange) {
                return null;
            }
        } else {
            return null;
        }
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second, nanos).toInstant(offset);
        } catch (DateTimeException invalid) {
            return null;
        }
    }

    /** The ASCII digits at {@code from} as a number, or -1. */
    private static int digits(String text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static BigDecimal number(String text) {
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("cursor value '" + text + "' is not a number");
        }
    }
}
