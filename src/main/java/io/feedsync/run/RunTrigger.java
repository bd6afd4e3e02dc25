package io.feedsync.run;

import java.util.Locale;

/** What started a run. */
public enum RunTrigger {
    TIMER,
    REST,
    CLI,
    REPLAY,
    /** A drift check: a dry full run that compares the upstream with the table, ignoring what was applied before. */
    DRIFT,
    /** After a successful run of the feed's parent ({@code source.for-each.after-parent}). */
    PARENT;

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }
}
