package io.feedsync.config;

import java.util.Locale;

/** {@code incremental} fetches what changed since the watermark; {@code full} fetches everything. */
public enum RunMode {
    INCREMENTAL,
    FULL;

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RunMode parse(String text) {
        for (RunMode mode : values()) {
            if (mode.value().equals(text)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown mode '" + text + "' (expected incremental or full)");
    }
}
