package io.feedsync.upstream;

import java.util.List;
import java.util.Map;

/**
 * One parent of a child feed's run: a live row of the parent feed's table, by its key (as text, in key
 * order) and the values of the child's {@code for-each.columns} (as text; null for SQL NULL). The
 * exchange of a single parent's requests carries it as {@value #PROPERTY}, for the mapping's
 * {@code { parent: column }}.
 */
public record Parent(List<String> key, Map<String, String> columns) {

    public static final String PROPERTY = "feedsyncParent";

    /** This parent with only {@code columns} of its {@code for-each} columns. */
    public Parent only(java.util.Collection<String> columns) {
        Map<String, String> kept = new java.util.LinkedHashMap<>();
        columns.forEach(column -> kept.put(column, this.columns.get(column)));
        return new Parent(key, kept);
    }

    /** The key as a run's checkpoint and log lines show it: {@code a|b}. */
    public String keyText() {
        return String.join("|", key);
    }
}
