package io.feedsync.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;

import io.feedsync.upstream.ForEach;

import static io.feedsync.config.FeedKeys.blankToNull;

/** {@code source.for-each}: a child feed's parents, and what its URL and mapping may take from them. */
final class ForEachRules {

    private ForEachRules() {
    }

    /** The feed's {@code for-each}, or null when it has none. */
    static ForEach forEach(FeedKeys keys, FeedsyncProperties.ForEach written) {
        if (written == null) {
            return null;
        }
        String feed = keys.required("source.for-each.feed", written.feed());
        try {
            WrittenFeeds.checkName(feed);
        } catch (FeedConfigException e) {
            throw keys.bad("source.for-each.feed", "'" + feed + "' is not a feed name");
        }
        if (written.columns() == null || written.columns().isEmpty()) {
            throw keys.bad("source.for-each.columns", "must name at least one column of the parent's table");
        }
        Set<String> columns = new LinkedHashSet<>();
        for (int i = 0; i < written.columns().size(); i++) {
            String column = written.columns().get(i);
            keys.identifier("source.for-each.columns[" + i + "]", column);
            if (!columns.add(column)) {
                throw keys.bad("source.for-each.columns[" + i + "]", "'" + column + "' is named twice");
            }
        }
        int concurrency = keys.whole("source.for-each.concurrency", written.concurrency());
        if (concurrency > ForEach.MAX_CONCURRENCY) {
            throw keys.bad("source.for-each.concurrency", "must be at most " + ForEach.MAX_CONCURRENCY);
        }
        Integer batch = written.batch() == null ? null : keys.whole("source.for-each.batch", written.batch());
        if (batch != null && batch > 1000) {
            throw keys.bad("source.for-each.batch", "must be at most 1000 (the ids go into one URL)");
        }
        return new ForEach(feed, List.copyOf(columns),
                flag("source.for-each.changed-only", written.changedOnly()),
                concurrency, batch,
                keys.choice("source.for-each.on-not-found", written.onNotFound(), "value").equals("skip"),
                flag("source.for-each.cascade-deletes", written.cascadeDeletes()),
                flag("source.for-each.after-parent", written.afterParent()));
    }

    private static boolean flag(String key, Boolean written) {
        return written != null ? written : Boolean.parseBoolean(FeedSchema.defaultOf(key));
    }

    /**
     * {@code source.url} as written, its {@code {column}} placeholders made {@link ForEach#marker}s for a child
     * feed: each must name a {@code for-each.columns} entry, and stand in the path or the query only (a
     * parent's value must never choose the host). Without {@code for-each}, the text as written.
     */
    static String template(FeedKeys keys, String url, ForEach forEach) {
        String text = blankToNull(url);
        if (text == null) {
            return url;
        }
        Matcher placeholders = ForEach.PLACEHOLDER.matcher(text);
        List<String> named = new ArrayList<>();
        int authorityEnd = authorityEnd(text);
        while (placeholders.find()) {
            named.add(placeholders.group(1));
            if (forEach != null && placeholders.start() < authorityEnd) {
                throw keys.bad("source.url", "may have {column} placeholders in its path and query only: a parent's"
                        + " value never chooses the host");
            }
        }
        if (forEach == null) {
            if (!named.isEmpty()) {
                throw keys.bad("source.url", "has the placeholder {" + named.get(0) + "}, which only a child feed"
                        + " (source.for-each) fills");
            }
            return text;
        }
        if (named.isEmpty()) {
            throw keys.bad("source.url", "has no {column} placeholder: every parent would fetch the same URL"
                    + " (e.g. https://api.example.org/clients/{client_id}/appointments)");
        }
        for (String column : named) {
            if (!forEach.columns().contains(column)) {
                throw keys.bad("source.url", "has the placeholder {" + column + "}, which is not one of"
                        + " source.for-each.columns " + forEach.columns());
            }
        }
        return ForEach.markersFor(text);
    }

    /** Where the scheme, host and port of a URL as written end: at the path, the query or the fragment. */
    private static int authorityEnd(String url) {
        int start = url.indexOf("://");
        if (start < 0) {
            return url.length();
        }
        for (int i = start + 3; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                return i;
            }
        }
        return url.length();
    }


    /**
     * The mapping of a child feed: columns taken from the parent ({@code { parent: column }}) name one of
     * {@code for-each.columns}; with {@code batch} (one request for many parents) each also gives the
     * pointer where the record names its parent. A child feed has a mapping (a bean does not see the
     * parent), and one that soft-deletes carries at least one parent column (it tells whose child a row is).
     */
    static void mapping(FeedKeys keys, ForEach forEach, FeedDefinition.Transform transform,
                        FeedDefinition.Target target, List<FeedConfigException> problems) {
        if (forEach == null) {
            transform.parents().keySet().forEach(column -> problems.add(keys.bad("transform.mapping." + column
                    + ".parent", "only a child feed (source.for-each) has a parent row")));
            return;
        }
        if (transform.bean() != null) {
            problems.add(keys.bad("transform.bean", "a child feed (source.for-each) needs transform.mapping: a bean"
                    + " does not see the parent row"));
            return;
        }
        transform.parents().forEach((column, parentColumn) -> {
            if (!forEach.columns().contains(parentColumn)) {
                problems.add(keys.bad("transform.mapping." + column + ".parent", "'" + parentColumn
                        + "' is not one of source.for-each.columns " + forEach.columns()));
            } else if (forEach.batch() != null && transform.mapping().get(column) == null) {
                problems.add(keys.bad("transform.mapping." + column + ".pointer", "with source.for-each.batch one"
                        + " request serves many parents: give the pointer where each record names its parent"
                        + " (e.g. { parent: " + parentColumn + ", pointer: /" + parentColumn + " })"));
            }
        });
        if (target.softDeleteColumn() != null && transform.parents().isEmpty()) {
            problems.add(keys.bad("transform.mapping", "a child feed with target.soft-delete carries its parent into"
                    + " its rows ({ parent: column }): only the children of a parent fetched whole are soft-deleted"));
        }
    }
}
