package io.feedsync.store;

/**
 * Values written as PostgreSQL's COPY text format expects them: fields separated by tabs, rows
 * by newlines, {@code \N} for NULL, and a backslash before every character that would otherwise
 * mean one of those (so a value {@code \N} stays the two characters it is).
 */
final class CopyText {

    private CopyText() {
    }

    static void appendValue(StringBuilder line, String value) {
        if (value == null) {
            line.append("\\N");
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> line.append("\\\\");
                case '\t' -> line.append("\\t");
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                default -> line.append(c);
            }
        }
    }
}
