package io.feedsync.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The timestamp cursor's fast path reads the common ISO-8601 shape itself: it must agree with
 * java.time's parser on every text it accepts, and leave every other text to that parser.
 */
class IncrementalTimestampTest {

    @Test
    void theCommonShapeReadsAsJavaTimeReadsIt() {
        for (String text : List.of("2024-05-01T10:15:30Z", "2024-05-01T10:15:30.1Z", "2024-05-01T10:15:30.123456789Z",
                "2024-05-01T10:15:30+02:00", "2024-05-01T10:15:30.5-07:30", "1999-12-31T23:59:59-00:00",
                "2024-02-29T00:00:00+18:00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999-18:00")) {
            assertThat(Incremental.parseCommonShape(text)).as(text).isEqualTo(OffsetDateTime.parse(text).toInstant());
        }
    }

    @Test
    void otherTextsAreLeftToTheParser() {
        for (String text : List.of("2024-05-01T10:15Z", "2024-05-01t10:15:30z", "2024-05-01T10:15:30", "2024-05-01",
                "2024-05-01T10:15:30+0200", "2024-05-01T10:15:30+02:00:30", "+12024-05-01T10:15:30Z",
                "2023-02-29T10:15:30Z", "2024-13-01T10:15:30Z", "2024-05-01T24:00:00Z", "2024-05-01T10:60:30Z",
                "2024-05-01T10:15:60Z", "2024-05-01T10:15:30.Z", "2024-05-01T10:15:30.1234567890Z",
                "2024-05-01T10:15:30+19:00", "2024-05-01T10:15:30+02:60", "2024-05-01T10:15:30ZZ",
                "2024-0५-01T10:15:30Z", "2024-05-01 10:15:30Z", "not a time at all....")) {
            assertThat(Incremental.parseCommonShape(text)).as(text).isNull();
        }
    }

    @Test
    void randomTextsAgreeWithJavaTime() {
        Random random = new Random(42);
        String alphabet = "0123456789-:T.Z+z ";
        for (int i = 0; i < 200_000; i++) {
            StringBuilder text = new StringBuilder("2024-05-01T10:15:30.123+02:00");
            for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
                int at = random.nextInt(text.length());
                switch (random.nextInt(3)) {
                    case 0 -> text.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    case 1 -> text.deleteCharAt(at);
                    default -> text.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            Instant fast = Incremental.parseCommonShape(text.toString());
            if (fast != null) {
                assertThat(fast).as(text.toString()).isEqualTo(OffsetDateTime.parse(text).toInstant());
            }
        }
    }

    @Test
    void aTimestampCursorStillAcceptsEveryIsoShapeAndRejectsTheRest() {
        Incremental cursor = new Incremental("/updated_at", null, Incremental.CursorType.TIMESTAMP, "as-is");
        assertThat(cursor.order().compare("2024-05-01T10:15:30+02:00", "2024-05-01T08:15:30Z")).isZero();
        assertThat(cursor.order().compare("2024-05-01T10:15:30", "2024-05-01T10:15:30Z")).isZero();
        assertThat(cursor.order().compare("2024-05-01", "2024-05-01T00:00:01Z")).isNegative();
        assertThatThrownBy(() -> cursor.check("2023-02-29T10:15:30Z")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an ISO-8601 timestamp");
        assertThatThrownBy(() -> OffsetDateTime.parse("2023-02-29T10:15:30Z")).isInstanceOf(DateTimeParseException.class);
    }
}
