package io.feedsync.store;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.postgresql.PGConnection;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Rows in PostgreSQL's COPY text format, built straight into UTF-8 bytes: fields separated by
 * tabs, rows by newlines, {@code \N} for NULL, and a backslash before every character that would
 * otherwise mean one of those (so a value {@code \N} stays the two characters it is).
 */
final class CopyText {

    private byte[] bytes;
    private int length;

    CopyText(int expectedBytes) {
        bytes = new byte[Math.max(64, expectedBytes)];
    }

    CopyText value(String value) {
        if (value == null) {
            ensure(2);
            bytes[length++] = '\\';
            bytes[length++] = 'N';
            return this;
        }
        int chars = value.length();
        // worst case for ASCII: every character escaped
        ensure(chars * 2);
        int start = length;
        for (int i = 0; i < chars; i++) {
            char c = value.charAt(i);
            if (c >= 0x80) {
                // not ASCII: the JDK encodes it, and the escaping works on the bytes (a multi-byte
                // UTF-8 sequence never holds a byte below 0x80)
                length = start;
                utf8(value.getBytes(StandardCharsets.UTF_8));
                return this;
            }
            escaped((byte) c);
        }
        return this;
    }

    /** A number, which never needs escaping. */
    CopyText value(long number) {
        return text(Long.toString(number));
    }

    CopyText tab() {
        ensure(1);
        bytes[length++] = '\t';
        return this;
    }

    CopyText endRow() {
        ensure(1);
        bytes[length++] = '\n';
        return this;
    }

    /** One row: the values of {@code columns} in {@code values}, in the columns' order (a missing one is NULL). */
    CopyText row(Map<String, String> values, List<String> columns) {
        for (int c = 0; c < columns.size(); c++) {
            if (c > 0) {
                tab();
            }
            value(values.get(columns.get(c)));
        }
        return endRow();
    }

    /**
     * Sends the rows with {@code sql}, a {@code COPY … FROM STDIN}, on the connection of {@code jdbc}'s
     * current transaction; answers how many rows PostgreSQL took.
     */
    long copyInto(JdbcTemplate jdbc, String sql) {
        Long rows = jdbc.execute((ConnectionCallback<Long>) connection -> {
            try {
                return connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql, stream());
            } catch (IOException e) {
                throw new DataAccessResourceFailureException("could not copy rows to " + sql, e);
            }
        });
        return rows == null ? 0 : rows;
    }

    InputStream stream() {
        return new ByteArrayInputStream(bytes, 0, length);
    }

    /** The text as PostgreSQL receives it (for tests). */
    @Override
    public String toString() {
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    private CopyText text(String ascii) {
        ensure(ascii.length());
        for (int i = 0; i < ascii.length(); i++) {
            bytes[length++] = (byte) ascii.charAt(i);
        }
        return this;
    }

    private void utf8(byte[] encoded) {
        ensure(encoded.length * 2);
        for (byte b : encoded) {
            escaped(b);
        }
    }

    /** One byte, escaped if COPY gives it a meaning; room for two bytes must be ensured. */
    private void escaped(byte b) {
        switch (b) {
            case '\\' -> {
                bytes[length++] = '\\';
                bytes[length++] = '\\';
            }
            case '\t' -> {
                bytes[length++] = '\\';
                bytes[length++] = 't';
            }
            case '\n' -> {
                bytes[length++] = '\\';
                bytes[length++] = 'n';
            }
            case '\r' -> {
                bytes[length++] = '\\';
                bytes[length++] = 'r';
            }
            default -> bytes[length++] = b;
        }
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }
}
