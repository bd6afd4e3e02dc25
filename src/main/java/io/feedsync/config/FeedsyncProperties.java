package io.feedsync.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonValue;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Name;


/**
 * The feeds exactly as written under {@code feedsync.feeds.<name>}. Every value is kept as text
 * so that {@link FeedCatalog} can validate it and name the offending key in one line, instead of
 * a binder stack trace. {@code source.delete-marker} is the exception: bound as written, so that
 * its value keeps its YAML type (JSON {@code true} is not {@code "true"}). A mapped column is a
 * pointer, or a pointer and a type ({@link MappedColumn}).
 */
@ConfigurationProperties(prefix = "feedsync")
public record FeedsyncProperties(Map<String, Feed> feeds) {

    public FeedsyncProperties {
        feeds = feeds == null ? Map.of() : new LinkedHashMap<>(feeds);
    }

    public record Feed(String schedule, String mode, Boolean runOnStartup, Source source,
                       Transform transform, Target target, Integer batchSize, String onRecordFailure,
                       String deletionGuard, String statementTimeout, Integer chunkSize, String resumeWithin,
                       @Name("notify") Notify notifications, List<String> tags) {
    }

    /** Change events and run notifications; see {@link FeedDefinition.Notify}. */
    public record Notify(List<String> changes, List<String> runs, String runsOn, String secret, String retention) {
    }

    public record Source(String url, Auth auth, Pagination pagination, String records, Incremental incremental,
                         String timeout, String connectTimeout, Retry retry, String maxPageSize,
                         RateLimit rateLimit, ErrorWhen errorWhen, Map<String, Object> deleteMarker,
                         ForEach forEach) {
    }

    /** {@code source.for-each}: a child feed's parents; see {@link io.feedsync.upstream.ForEach}. */
    public record ForEach(String feed, List<String> columns, Boolean changedOnly, Integer concurrency, Integer batch,
                          String onNotFound, Boolean cascadeDeletes, Boolean afterParent) {
    }

    public record ErrorWhen(String pointer, Boolean retry) {
    }

    public record RateLimit(String requestsPerSecond, Integer prefetch) {
    }

    public record Auth(String type, String username, String password, String token, String key,
                       String header, String queryParam, String tokenUrl, String clientId, String clientSecret,
                       String scope, String clientAuthentication) {
        static final Auth EMPTY = new Auth(null, null, null, null, null, null, null, null, null, null, null, null);
    }

    public record Incremental(String cursor, String param, String type, String format, String lookback) {
    }

    public record Retry(Integer maxAttempts, String initialBackoff, String maxBackoff) {
    }

    public record Pagination(String type, String pageParam, String sizeParam, Integer size, Integer firstPage,
                             String offsetParam, String limitParam, String cursorParam, String cursorPointer,
                             String nextPointer, Integer maxPages, String hasMore, Boolean endOnMissingRecords) {
        static final Pagination EMPTY = new Pagination(null, null, null, null, null, null, null, null, null, null, null,
                null, null);
    }

    public record Transform(String bean, Map<String, MappedColumn> mapping) {
    }

    /**
     * One column of {@code transform.mapping}: {@code { pointer: /x, type: integer }}, or just the
     * pointer ({@code /x}), which Spring's conversion makes one of these through {@link #valueOf}.
     */
    public record MappedColumn(String pointer, String type, String parent) {

        public static MappedColumn valueOf(String pointer) {
            return new MappedColumn(pointer, null, null);
        }

        /** As written, for {@code GET /api/feeds/{feed}/definition}: the pointer alone when nothing else is declared. */
        @JsonValue
        public Object written() {
            if (type == null && parent == null) {
                return pointer;
            }
            Map<String, String> typed = new LinkedHashMap<>();
            if (pointer != null) {
                typed.put("pointer", pointer);
            }
            if (type != null) {
                typed.put("type", type);
            }
            if (parent != null) {
                typed.put("parent", parent);
            }
            return typed;
        }
    }

    public record Target(String table, List<String> key, String softDelete, String softDeleteAfter, Boolean create,
                         Boolean shared) {
    }
}
