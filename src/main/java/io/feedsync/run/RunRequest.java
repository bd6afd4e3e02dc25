package io.feedsync.run;

import io.feedsync.config.RunMode;

/** A request to run a feed once, from the timer, the REST API or the command line. */
public record RunRequest(String feed, RunTrigger trigger, RunMode mode, boolean dryRun, boolean confirm) {
}
