package io.feedsync.run;

import java.util.Locale;

/** What started a run. */
public enum RunTrigger {
    TIMER,
    REST,
    CLI,
    REPLAY;

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }
}
