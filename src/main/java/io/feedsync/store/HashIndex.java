package io.feedsync.store;

import java.util.Arrays;

/**
 * A map from record-key hash to content hash in two primitive arrays (open addressing, linear
 * probing): a million records take about 32 MB instead of the hundreds that boxed entries would,
 * which keeps the idempotent check in memory within the heap bound of SPEC §7.
 */
final class HashIndex {

    private static final long EMPTY = 0L;
    private long[] keys;
    private long[] values;
    private int size;

    HashIndex(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[capacity];
        values = new long[capacity];
    }

    long get(long key, long absent) {
        long k = key == EMPTY ? 1 : key;
        int mask = keys.length - 1;
        for (int i = slot(k, mask); ; i = (i + 1) & mask) {
            if (keys[i] == k) {
                return values[i];
            }
            if (keys[i] == EMPTY) {
                return absent;
            }
        }
    }

    void put(long key, long value) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        long k = key == EMPTY ? 1 : key;
        int mask = keys.length - 1;
        for (int i = slot(k, mask); ; i = (i + 1) & mask) {
            if (keys[i] == k) {
                values[i] = value;
                return;
            }
            if (keys[i] == EMPTY) {
                keys[i] = k;
                values[i] = value;
                size++;
                return;
            }
        }
    }

    int size() {
        return size;
    }

    private void grow() {
        long[] oldKeys = keys;
        long[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new long[oldValues.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                put(oldKeys[i], oldValues[i]);
            }
        }
        Arrays.fill(oldKeys, 0);
    }

    private static int slot(long key, int mask) {
        long mixed = key * 0x9E3779B97F4A7C15L;
        return (int) (mixed ^ (mixed >>> 32)) & mask;
    }
}
