package io.feedsync.store;

/**
 * A map from record-key hash to content hash in one primitive array (open addressing, linear
 * probing; each key beside its value, so a lookup touches one cache line): a million records take
 * about 32 MB instead of the hundreds that boxed entries would, which keeps the idempotent check in
 * memory within the heap bound of docs/performance.md (a 1M-record sync in 256 MB).
 */
final class HashIndex {

    private static final long EMPTY = 0L;
    /** Slot i holds its key at 2i and its value at 2i + 1. */
    private long[] slots;
    private int size;

    HashIndex(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        slots = new long[capacity * 2];
    }

    long get(long key, long absent) {
        long k = key == EMPTY ? 1 : key;
        int mask = capacity() - 1;
        for (int i = slot(k, mask); ; i = (i + 1) & mask) {
            long found = slots[2 * i];
            if (found == k) {
                return slots[2 * i + 1];
            }
            if (found == EMPTY) {
                return absent;
            }
        }
    }

    void put(long key, long value) {
        if ((size + 1) * 2 > capacity()) {
            grow();
        }
        long k = key == EMPTY ? 1 : key;
        int mask = capacity() - 1;
        for (int i = slot(k, mask); ; i = (i + 1) & mask) {
            long found = slots[2 * i];
            if (found == k) {
                slots[2 * i + 1] = value;
                return;
            }
            if (found == EMPTY) {
                slots[2 * i] = k;
                slots[2 * i + 1] = value;
                size++;
                return;
            }
        }
    }

    int size() {
        return size;
    }

    private int capacity() {
        return slots.length / 2;
    }

    private void grow() {
        long[] old = slots;
        slots = new long[old.length * 2];
        size = 0;
        for (int i = 0; i < old.length; i += 2) {
            if (old[i] != EMPTY) {
                put(old[i], old[i + 1]);
            }
        }
    }

    private static int slot(long key, int mask) {
        long mixed = key * 0x9E3779B97F4A7C15L;
        return (int) (mixed ^ (mixed >>> 32)) & mask;
    }
}
