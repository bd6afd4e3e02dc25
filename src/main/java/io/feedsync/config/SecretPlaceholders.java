package io.feedsync.config;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code ${NAME}} placeholders of a value of a feed defined over the API: a name of letters,
 * digits, {@code _}, {@code .} and {@code -}; no default value ({@code ${X:fallback}}) and no
 * placeholder inside another, so that what a value names is plain to see and to check.
 */
public final class SecretPlaceholders {

    /** One placeholder; group 1 is its name. */
    public static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_.-]+)}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");

    private SecretPlaceholders() {
    }

    public static boolean any(String value) {
        return value.contains("${");
    }

    /** The names the value's placeholders give, in order; empty if there are none. */
    public static List<String> names(String value) {
        List<String> names = new ArrayList<>();
        Matcher placeholder = PLACEHOLDER.matcher(value);
        while (placeholder.find()) {
            names.add(placeholder.group(1));
        }
        return names;
    }

    /** Whether every {@code ${} of the value opens a plain {@code ${NAME}}. */
    public static boolean wellFormed(String value) {
        int at = value.indexOf("${");
        while (at >= 0) {
            int end = value.indexOf('}', at + 2);
            if (end < 0 || !NAME.matcher(value.substring(at + 2, end)).matches()) {
                return false;
            }
            at = value.indexOf("${", end + 1);
        }
        return true;
    }

    /** The value with each placeholder replaced by {@code mask}. */
    public static String masked(String value, String mask) {
        return PLACEHOLDER.matcher(value).replaceAll(Matcher.quoteReplacement(mask));
    }
}
