package io.feedsync.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;

import io.feedsync.transform.TargetRow;
import io.feedsync.transform.TransformedRecord;

/** 64-bit digests (SHA-256, truncated) of a record's key and of the rows it became. */
record RecordDigest(long keyHash, long contentHash) {

    static RecordDigest of(TransformedRecord record) {
        MessageDigest content = sha256();
        for (TargetRow row : record.rows()) {
            update(content, row.table());
            for (Map.Entry<String, String> column : row.values().entrySet()) {
                update(content, column.getKey());
                update(content, column.getValue());
            }
        }
        return new RecordDigest(ofKey(record.key()), ByteBuffer.wrap(content.digest()).getLong());
    }

    static long ofKey(String key) {
        MessageDigest digest = sha256();
        update(digest, key);
        return ByteBuffer.wrap(digest.digest()).getLong();
    }

    /** Length-prefixed, so that ("ab", "c") and ("a", "bc") differ, and null differs from "". */
    private static void update(MessageDigest digest, String text) {
        if (text == null) {
            digest.update(ByteBuffer.allocate(4).putInt(-1).array());
            return;
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        digest.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
        digest.update(bytes);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
