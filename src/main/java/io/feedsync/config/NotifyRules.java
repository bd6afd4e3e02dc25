package io.feedsync.config;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import static io.feedsync.config.FeedKeys.blankToNull;

/** {@code notify} and {@code tags}: who hears of the feed's changes and runs, and the groups it belongs to. */
final class NotifyRules {

    private static final Pattern ENDPOINT_URI = Pattern.compile("[a-z][a-z0-9+.-]*:\\S+");

    private NotifyRules() {
    }

    /**
     * {@code tags: [partners, nightly]}: optional; each a name like a feed's (lower-case letters, digits
     * and '-', at most 40 characters), none twice.
     */
    static List<String> tags(FeedKeys keys, List<String> tags) {
        if (tags == null) {
            return List.of();
        }
        for (int i = 0; i < tags.size(); i++) {
            String tag = tags.get(i);
            if (!Tags.isTag(tag)) {
                throw keys.bad("tags[" + i + "]", "'" + tag + "' is not a tag: lower-case letters, digits and '-',"
                        + " starting with a letter or digit, at most 40 characters");
            }
        }
        if (Set.copyOf(tags).size() != tags.size()) {
            throw keys.bad("tags", "lists a tag twice");
        }
        return List.copyOf(tags);
    }

    /**
     * {@code notify: { changes: [uri…], runs: [uri…], runs-on: all|failure, secret: …, retention: 7d }};
     * optional. Each URI is a Camel endpoint URI ({@code https://…}, {@code direct:…}).
     */
    static FeedDefinition.Notify notify(FeedKeys keys, FeedsyncProperties.Notify notify) {
        if (notify == null) {
            return null;
        }
        boolean failureOnly = "failure".equals(keys.choice("notify.runs-on", notify.runsOn(), "value"));
        return new FeedDefinition.Notify(endpoints(keys, "notify.changes", notify.changes()),
                endpoints(keys, "notify.runs", notify.runs()), failureOnly, blankToNull(notify.secret()),
                keys.duration("notify.retention", notify.retention()));
    }

    private static List<String> endpoints(FeedKeys keys, String key, List<String> uris) {
        if (uris == null) {
            return List.of();
        }
        for (int i = 0; i < uris.size(); i++) {
            if (uris.get(i) == null || !ENDPOINT_URI.matcher(uris.get(i).trim()).matches()) {
                throw keys.bad(key + "[" + i + "]", "'" + uris.get(i)
                        + "' is not a Camel endpoint URI (e.g. https://example.com/hook or direct:changes)");
            }
        }
        if (Set.copyOf(uris).size() != uris.size()) {
            throw keys.bad(key, "lists an endpoint twice");
        }
        return uris.stream().map(String::trim).toList();
    }
}
