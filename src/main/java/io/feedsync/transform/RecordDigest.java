package io.feedsync.transform;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * 64-bit digests (SHA-256, truncated) of a record's key and of the rows it became: what the
 * idempotent consumer compares and {@code sync_record_hash} keeps. Computed once per record.
 */
public record RecordDigest(long keyHash, long contentHash) {

    private static final ThreadLocal<Encoder> ENCODER = ThreadLocal.withInitial(Encoder::new);

    public static RecordDigest of(String key, List<TargetRow> rows) {
        Encoder content = ENCODER.get().reset();
        for (TargetRow row : rows) {
            content.add(row.table());
            for (Map.Entry<String, String> column : row.values().entrySet()) {
                content.add(column.getKey());
                content.add(column.getValue());
            }
        }
        long contentHash = content.digest();
        return new RecordDigest(ENCODER.get().reset().add(key).digest(), contentHash);
    }

    /**
     * The digest of a record that says its row is deleted (a delete marker): the same for every
     * marker of the key, and unlike the digest of any rows (whose first text, a table name, is
     * never null), so that the marker sent again is a duplicate and the record back without it is not.
     */
    public static RecordDigest ofDeletion(String key) {
        long contentHash = ENCODER.get().reset().add(null).add("deleted").digest();
        return new RecordDigest(ENCODER.get().reset().add(key).digest(), contentHash);
    }

    /**
     * The digested bytes: each text as its UTF-8 length (big-endian int, -1 for null) then its
     * bytes, so that ("ab", "c") and ("a", "bc") differ, and null differs from "". Built in one
     * reused buffer and digested at once.
     */
    private static final class Encoder {
        private final MessageDigest sha256 = sha256();
        private byte[] bytes = new byte[1024];
        private int length;

        Encoder reset() {
            length = 0;
            return this;
        }

        Encoder add(String text) {
            if (text == null) {
                putInt(-1);
                return this;
            }
            int start = length;
            ensure(4 + text.length());
            length += 4;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c >= 0x80) {
                    // not ASCII: let the JDK encode it
                    length = start;
                    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
                    putInt(utf8.length);
                    ensure(utf8.length);
                    System.arraycopy(utf8, 0, bytes, length, utf8.length);
                    length += utf8.length;
                    return this;
                }
                bytes[length++] = (byte) c;
            }
            int end = length;
            length = start;
            putInt(text.length());
            length = end;
            return this;
        }

        long digest() {
            sha256.reset();
            sha256.update(bytes, 0, length);
            byte[] hash = sha256.digest();
            long value = 0;
            for (int i = 0; i < Long.BYTES; i++) {
                value = (value << 8) | (hash[i] & 0xFF);
            }
            return value;
        }

        private void putInt(int value) {
            ensure(4);
            bytes[length++] = (byte) (value >>> 24);
            bytes[length++] = (byte) (value >>> 16);
            bytes[length++] = (byte) (value >>> 8);
            bytes[length++] = (byte) value;
        }

        private void ensure(int more) {
            if (length + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
