package io.feedsync.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.feedsync.config.SchemaKey.Kind;

import static io.feedsync.config.SchemaKey.choice;
import static io.feedsync.config.SchemaKey.key;
import static io.feedsync.config.SchemaKey.list;
import static io.feedsync.config.SchemaKey.map;
import static io.feedsync.config.SchemaKey.object;
import static io.feedsync.config.SchemaKey.variant;
import static io.feedsync.config.SchemaKey.variants;
import static io.feedsync.config.SchemaKey.whole;

/**
 * Every key a feed may have — under {@code feedsync.feeds.<name>} or in the body of
 * {@code PUT /api/feeds/{feed}} — with its kind, default, allowed values and meaning, in one place.
 * The checks read their defaults here ({@link FeedKeys}), unknown keys are told from it
 * ({@link KnownKeys}), the JSON Schema of {@code GET /api/schema/feed} and the OpenAPI's
 * {@code FeedDefinitionBody} are written from it ({@link FeedJsonSchema}), and tests hold
 * docs/configuration.md and the binding records of {@link FeedsyncProperties} to it.
 */
public final class FeedSchema {

    /** The longest schedule Quartz's job store keeps ({@code qrtz_cron_triggers.cron_expression}). */
    static final int MAX_SCHEDULE_LENGTH = 120;

    private static final SchemaKey AUTH = variants("auth", "none", "how feedsync proves who it is to the upstream", auths());

    private static final SchemaKey PAGINATION = variants("pagination", "none", "how the export's pages are walked",
            paginations(),
            whole("max-pages", "100000", 1L, "the most pages one run reads; past it the run fails"),
            key("has-more", Kind.POINTER, null, "JSON pointer to a boolean in each page: false ends the export"),
            key("end-on-missing-records", Kind.BOOLEAN, "false",
                    "a page without the record array ends the export (false: it fails the run)"));

    private static final SchemaKey SOURCE = object("source", "where the records come from",
            key("url", Kind.URL, null, "absolute http(s) URL of the export's first page, without credentials")
                    .requiredValue(),
            AUTH,
            PAGINATION,
            key("records", Kind.POINTER, "", "JSON pointer to the record array in a page; \"\" when the page is the array"),
            object("incremental", "the cursor of incremental runs",
                    key("cursor", Kind.POINTER, null, "JSON pointer to the record's cursor (e.g. /updated_at)"),
                    key("param", Kind.TEXT, null, "the query parameter that sends the watermark (none: every run reads all)"),
                    choice("type", "timestamp", "what the cursor is", "timestamp", "number", "text"),
                    key("format", Kind.TEXT, "as-is", "how a timestamp watermark is sent: as-is, iso-instant,"
                            + " epoch-seconds, epoch-millis or a date-time pattern"),
                    key("lookback", Kind.LOOKBACK, null, "how far behind the watermark each run starts: a duration"
                            + " for timestamp cursors, an amount for number cursors")),
            key("timeout", Kind.DURATION, "30s", "read timeout of a page request (and of the OAuth2 token request)"),
            key("connect-timeout", Kind.DURATION, "10s", "connect timeout"),
            object("retry", "how a failed page request is tried again",
                    whole("max-attempts", "5", 1L, "attempts per page, the first included"),
                    key("initial-backoff", Kind.DURATION, "1s", "first backoff, doubled per attempt, with jitter"),
                    key("max-backoff", Kind.DURATION, "60s", "the backoff's cap; not shorter than initial-backoff")),
            key("max-page-size", Kind.DATA_SIZE, "256MB", "the largest page body accepted"),
            object("rate-limit", "how hard the upstream may be pulled",
                    key("requests-per-second", Kind.NUMBER, null, "at most this many page requests in any second,"
                            + " retries included; may be fractional"),
                    whole("prefetch", "1", 0L, "at most this many pages read ahead of the feed's writer")),
            object("error-when", "an error answered with 200",
                    key("pointer", Kind.POINTER, null, "a page with a value there is an error page").requiredValue(),
                    key("retry", Kind.BOOLEAN, "false", "whether such a page is fetched again (transient)")),
            object("for-each", "a child feed: the URL is fetched once per row of another feed (its parent)",
                    key("feed", Kind.TEXT, null, "the parent feed; the live rows of its target table are the parents")
                            .requiredValue(),
                    list("columns", "the parent row's columns that source.url's {column} placeholders and the"
                            + " mapping's { parent: column } may use", key("column", Kind.IDENTIFIER, null,
                            "a column of the parent's table")).requiredValue(),
                    key("changed-only", Kind.BOOLEAN, "true", "incremental runs fetch only the parents inserted or"
                            + " updated since this feed's last successful run (full runs: every live parent)"),
                    whole("concurrency", "1", 1L, "parent requests in flight at once, at most 16"),
                    whole("batch", null, 1L, "each {column} placeholder gets this many parents' values joined by"
                            + " commas: one request for the lot"),
                    choice("on-not-found", "skip", "a parent whose URL answers 404: skipped and counted, or the"
                            + " run fails", "skip", "fail"),
                    key("cascade-deletes", Kind.BOOLEAN, "true", "a soft-deleted parent's child rows are"
                            + " soft-deleted with it"),
                    key("after-parent", Kind.BOOLEAN, "false", "also run after each successful run of the parent")),
            SchemaKey.composite("delete-marker", Kind.DELETE_MARKERS, "{ pointer: /is_deleted, value: true }, or a"
                    + " list of them: a record carrying one soft-deletes its row; needs target.soft-delete",
                    key("pointer", Kind.POINTER, null, "JSON pointer into the record").requiredValue(),
                    key("value", Kind.TEXT, null, "the JSON value there that marks the record deleted: true, 1,"
                            + " \"removed\" or null").requiredValue()));

    private static final SchemaKey TRANSFORM = object("transform", "how a record becomes rows: bean or mapping",
            key("bean", Kind.TEXT, null, "name of a Spring bean implementing io.feedsync.transform.RecordMapper"),
            map("mapping", "target column → JSON pointer into the record, or { pointer: /x, type: integer },"
                            + " or { parent: column } (a child feed: the parent row's value)",
                    SchemaKey.composite("column", Kind.MAPPED_COLUMN, "a JSON pointer, or { pointer, type, parent }",
                            key("pointer", Kind.POINTER, null, "JSON pointer into the record; with parent and"
                                    + " for-each.batch, where the record names its parent"),
                            key("parent", Kind.IDENTIFIER, null, "a child feed: the column takes the parent row's"
                                    + " value of this for-each column"),
                            choice("type", "text", "the column's type (target.create makes it so)",
                                    ColumnType.configNames().toArray(String[]::new)))));

    private static final SchemaKey TARGET = object("target", "the table the feed owns rows in",
            key("table", Kind.TABLE, null, "table or schema.table").requiredValue(),
            list("key", "the key column(s), covered by a unique constraint of the table",
                    key("column", Kind.IDENTIFIER, null, "a key column")).requiredValue(),
            key("soft-delete", Kind.IDENTIFIER, null, "a timestamp column that full runs set to now() on rows the"
                    + " upstream no longer has"),
            whole("soft-delete-after", null, 1L, "how many consecutive complete full runs must miss a row before it"
                    + " is soft-deleted; by default 2 with page or offset pagination, else 1"),
            key("create", Kind.BOOLEAN, "false", "create the table from the typed mapping if it is missing"),
            key("shared", Kind.BOOLEAN, "false", "other feeds that say so too may write this table"));

    private static final SchemaKey NOTIFY = object("notify", "change events and run notifications",
            list("changes", "Camel endpoint URIs that get every change event",
                    key("endpoint", Kind.ENDPOINT, null, "a Camel endpoint URI")),
            list("runs", "Camel endpoint URIs that get each finished run",
                    key("endpoint", Kind.ENDPOINT, null, "a Camel endpoint URI")),
            choice("runs-on", "all", "which runs are sent: all, or only failed ones", "all", "failure"),
            key("secret", Kind.TEXT, null, "the key of the X-Feedsync-Signature HMAC on every body sent")
                    .secretValue(),
            key("retention", Kind.DURATION, "7d", "how long delivered events are kept"));

    /** A feed: the root of the schema. */
    public static final SchemaKey FEED = object("feed", "one feed: an upstream export kept in sync with a table",
            key("schedule", Kind.CRON, null, "Quartz cron expression of the feed's timer (none: manual only)"),
            choice("mode", "incremental", "the mode of every run that names none", "incremental", "full"),
            key("run-on-startup", Kind.BOOLEAN, "false", "also run once when feedsync starts"),
            SOURCE.requiredValue(),
            TRANSFORM.requiredValue(),
            TARGET.requiredValue(),
            whole("batch-size", null, 1L, "deprecated: the old name of chunk-size"),
            choice("on-record-failure", "pin-watermark", "whether the watermark may move past a dead-lettered record",
                    "pin-watermark", "advance-watermark"),
            key("deletion-guard", Kind.SHARE, "20%", "the largest share (20% or 0.2) of the table's live rows a full"
                    + " run may soft-delete without confirm"),
            key("statement-timeout", Kind.DURATION, "5m", "longest one write statement may take, lock waits included"),
            whole("chunk-size", "500", 1L, "records per exchange and per write transaction"),
            key("resume-within", Kind.DURATION_OR_OFF, "24h", "how young an unfinished run's checkpoint must be for"
                    + " the next run to resume from it; 0 or off: never resume"),
            NOTIFY,
            list("tags", "the feed's tags: batch refresh, scoped API keys", key("tag", Kind.TAG, null, "a tag")));

    private FeedSchema() {
    }

    private static Map<String, SchemaKey.Variant> auths() {
        Map<String, SchemaKey.Variant> auths = new LinkedHashMap<>();
        auths.put("none", variant("no credentials"));
        auths.put("basic", variant("RFC 7617 username and password",
                key("username", Kind.TEXT, null, "the user").requiredValue(),
                key("password", Kind.TEXT, null, "the password").secretValue().requiredValue()));
        auths.put("bearer", variant("Authorization: Bearer <token>",
                key("token", Kind.TEXT, null, "the token").secretValue().requiredValue()));
        auths.put("api-key", variant("a key in a header or a query parameter",
                key("key", Kind.TEXT, null, "the key").secretValue().requiredValue(),
                key("header", Kind.TEXT, "X-API-Key", "the header that carries the key"),
                key("query-param", Kind.TEXT, null, "the query parameter that carries the key, instead of a header")));
        auths.put("oauth2-client-credentials", variant("an OAuth2 access token from the client credentials grant",
                key("token-url", Kind.URL, null, "the token endpoint").requiredValue(),
                key("client-id", Kind.TEXT, null, "the client id").requiredValue(),
                key("client-secret", Kind.TEXT, null, "the client secret").secretValue().requiredValue(),
                key("scope", Kind.TEXT, null, "the scope asked for"),
                choice("client-authentication", "basic", "how the client proves itself to the token endpoint",
                        "basic", "form")));
        return auths;
    }

    private static Map<String, SchemaKey.Variant> paginations() {
        Map<String, SchemaKey.Variant> paginations = new LinkedHashMap<>();
        paginations.put("none", variant("one page"));
        paginations.put("page", variant("?page=N&size=S; a page shorter than size is the last",
                key("page-param", Kind.TEXT, "page", "the page number's query parameter"),
                key("size-param", Kind.TEXT, "size", "the page size's query parameter"),
                whole("size", "100", 1L, "records per page"),
                whole("first-page", "1", null, "the number of the first page")));
        paginations.put("offset", variant("?offset=O&limit=L; a page shorter than size is the last",
                key("offset-param", Kind.TEXT, "offset", "the offset's query parameter"),
                key("limit-param", Kind.TEXT, "limit", "the limit's query parameter"),
                whole("size", "100", 1L, "records per page")));
        paginations.put("cursor", variant("?cursor=C, C read from each page; none: the last page",
                key("cursor-param", Kind.TEXT, "cursor", "the cursor's query parameter"),
                key("cursor-pointer", Kind.POINTER, null, "JSON pointer to the next cursor in a page").requiredValue()));
        paginations.put("next-url", variant("the next page's URL read from each page",
                key("next-pointer", Kind.POINTER, "/next", "JSON pointer to the next page's URL")));
        paginations.put("link-header", variant("the next page from the Link header (rel=\"next\")"));
        return paginations;
    }

    /** The key at {@code path} ({@code source.retry.max-attempts}, {@code source.auth.token}); fails on an unknown one. */
    public static SchemaKey at(String path) {
        SchemaKey at = FEED;
        for (String segment : path.split("\\.")) {
            String name = segment.replaceAll("\\[\\d+]$", "");
            SchemaKey next = at.kind() == Kind.MAP ? at.items() : at.child(name);
            if (next == null) {
                throw new IllegalArgumentException("no feed key " + path);
            }
            at = next;
        }
        return at;
    }

    /** The default of the key at {@code path}, as the docs write it; null: none. */
    public static String defaultOf(String path) {
        return at(path).defaultValue();
    }

    /**
     * Every key, as {@code source.retry.max-attempts}: the leaves, each list and map as a key of its own
     * ({@code transform.mapping}, whose keys are the feed's to choose), each variants object's
     * {@code type} and its variants' keys.
     */
    public static List<SchemaKey.Named> keys() {
        List<SchemaKey.Named> keys = new ArrayList<>();
        collect("", FEED, keys);
        return keys;
    }

    private static void collect(String prefix, SchemaKey key, List<SchemaKey.Named> into) {
        if (key.kind() != Kind.OBJECT && key.kind() != Kind.VARIANTS) {
            into.add(new SchemaKey.Named(prefix, key));
            return;
        }
        for (SchemaKey child : key.allChildren()) {
            collect(prefix.isEmpty() ? child.name() : prefix + "." + child.name(), child, into);
        }
    }
}
