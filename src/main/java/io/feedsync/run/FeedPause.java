package io.feedsync.run;

import java.time.Instant;

/** A feed held back: since when, by whom (an API key's or console user's name), and why. */
public record FeedPause(String feed, Instant pausedAt, String pausedBy, String reason) {
}
