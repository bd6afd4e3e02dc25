package io.feedsync.store;

import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;

/** A record kept in {@code sync_dead_letter}, as the API shows it. */
public record DeadLetter(long id, String feed, long runId, String key, JsonNode payload, String errorClass,
                         String errorMessage, Instant createdAt, Instant replayedAt, Long replayRunId) {
}
