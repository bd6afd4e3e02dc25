package io.feedsync.config;

import java.util.regex.Pattern;

/**
 * What a tag is (a feed's {@code tags}, an API key's {@code tags}, a batch run's {@code tag}):
 * lower-case letters, digits and '-', starting with a letter or digit, at most 40 characters.
 */
public final class Tags {

    public static final Pattern PATTERN = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");

    private Tags() {
    }

    /** Whether {@code text} is a tag; null is not. */
    public static boolean isTag(String text) {
        return text != null && PATTERN.matcher(text).matches();
    }
}
