package io.feedsync.ops.logging;

/**
 * Keeps one log event on one line: control characters in text that reaches a log are written as
 * escapes ({@code \r}, {@code \n}, {@code \t}, otherwise {@code \}{@code u001b}). Escaped are C0
 * (U+0000–U+001F), DEL and C1 (U+007F–U+009F), the Unicode line and paragraph separators
 * (U+2028, U+2029) and the bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069),
 * which make a terminal show a line other than the one written. Backslashes are left as they are.
 */
public final class LogEscapes {

    private LogEscapes() {
    }

    /** {@code text} with every control character escaped; null stays null. */
    public static String escape(String text) {
        return escape(text, false);
    }

    /** {@code text} with every control character but LF escaped: for multi-line messages feedsync writes itself. */
    static String escapeKeepingLineBreaks(String text) {
        return escape(text, true);
    }

    private static String escape(String text, boolean keepLineBreaks) {
        if (text == null) {
            return null;
        }
        int first = 0;
        while (first < text.length() && !escaped(text.charAt(first), keepLineBreaks)) {
            first++;
        }
        if (first == text.length()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, first);
        for (int i = first; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!escaped(c, keepLineBreaks)) {
                out.append(c);
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\t') {
                out.append("\\t");
            } else {
                out.append("\\u").append(String.format("%04x", (int) c));
            }
        }
        return out.toString();
    }

    private static boolean escaped(char c, boolean keepLineBreaks) {
        if (c == '\n') {
            return !keepLineBreaks;
        }
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
    }
}
