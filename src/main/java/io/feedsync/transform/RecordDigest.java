package io.feedsync.transform;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;

/**
 * 64-bit digests (SHA-256, truncated) of a record's key and of the rows it became: what the
 * idempotent consumer compares and {@code sync_record_hash} keeps. Computed once per record.
 */
public record RecordDigest(long keyHash, long contentHash) {

    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(RecordDigest::sha256);

    public static RecordDigest of(String key, List<TargetRow> rows) {
        MessageDigest content = SHA_256.get();
        content.reset();
        for (TargetRow row : rows) {
            update(content, row.table());
            for (Map.Entry<String, String> column : row.values().entrySet()) {
                update(content, column.getKey());
                update(content, column.getValue());
            }
        }
        long contentHash = firstLong(content.digest());
        return new RecordDigest(ofKey(key), contentHash);
    }

    private static long ofKey(String key) {
        MessageDigest digest = SHA_256.get();
        digest.reset();
        update(digest, key);
        return firstLong(digest.digest());
    }

    /** Length-prefixed, so that ("ab", "c") and ("a", "bc") differ, and null differs from "". */
    private static void update(MessageDigest digest, String text) {
        if (text == null) {
            updateInt(digest, -1);
            return;
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        updateInt(digest, bytes.length);
        digest.update(bytes);
    }

    /** Big-endian, as the stored hashes were always computed. */
    private static void updateInt(MessageDigest digest, int value) {
        digest.update((byte) (value >>> 24));
        digest.update((byte) (value >>> 16));
        digest.update((byte) (value >>> 8));
        digest.update((byte) value);
    }

    private static long firstLong(byte[] hash) {
        long value = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            value = (value << 8) | (hash[i] & 0xFF);
        }
        return value;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
