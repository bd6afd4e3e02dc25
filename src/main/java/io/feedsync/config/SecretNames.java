package io.feedsync.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which {@code ${NAME}} placeholders a feed defined over the API may resolve: the names of
 * {@code feedsync.security.secret-names} (exact names, or prefixes ending in {@code *}; by default
 * {@code FEEDSYNC_SECRET_*}), never a setting of the node itself, whatever that list says.
 * <p>
 * Names are compared in a relaxed form — case, {@code _} or {@code .} between words, and {@code -}
 * ignored — because Spring finds {@code spring.datasource.password} under the environment variable
 * {@code SPRING_DATASOURCE_PASSWORD} too: every spelling of one setting is the same name here.
 */
public final class SecretNames {

    /** What a name is to a feed defined over the API. */
    public enum Verdict {
        /** In the list, and not a setting of the node. */
        ALLOWED,
        /** Not in {@code feedsync.security.secret-names}. */
        NOT_LISTED,
        /** A setting of the node itself (its database, keys, console, server…): never resolvable. */
        NODE_SETTING
    }

    /** The default of {@code feedsync.security.secret-names}. */
    public static final List<String> DEFAULT = List.of("FEEDSYNC_SECRET_*");

    /**
     * The node's own settings, relaxed: its datasource and every Spring setting, the HTTP server and
     * actuator, Camel's components, feedsync's keys, console users, embedded database and configured
     * feeds (whose secrets are theirs), and the variables application.yaml reads them from.
     */
    private static final List<String> NODE_SETTINGS = List.of("spring", "server", "management", "camel",
            "feedsync.security", "feedsync.embedded-database", "feedsync.feeds", "feedsync.console",
            "feedsync.operator", "feedsync.viewer").stream().flatMap(setting -> spellings(setting).stream())
            .map(setting -> setting + ".").distinct().toList();
    /** A datasource's settings wherever they are kept ({@code app.datasource.password}, {@code DATASOURCE_URL}). */
    private static final String DATASOURCE = "datasource";

    private final List<String> exact = new ArrayList<>();
    private final List<String> prefixes = new ArrayList<>();

    /** {@code allowed}: names, or prefixes ending in {@code *} ({@code *} alone: any name but the node's settings). */
    public SecretNames(List<String> allowed) {
        for (String entry : allowed == null ? DEFAULT : allowed) {
            String trimmed = entry == null ? "" : entry.trim();
            if (trimmed.endsWith("*")) {
                prefixes.add(relaxedPrefix(trimmed.substring(0, trimmed.length() - 1)));
            } else if (!trimmed.isEmpty()) {
                exact.add(relaxed(trimmed));
            }
        }
    }

    public Verdict judge(String name) {
        if (nodeSetting(name)) {
            return Verdict.NODE_SETTING;
        }
        String relaxed = relaxed(name);
        boolean listed = exact.contains(relaxed) || prefixes.stream().anyMatch(relaxed::startsWith);
        return listed ? Verdict.ALLOWED : Verdict.NOT_LISTED;
    }

    private static boolean nodeSetting(String name) {
        for (String spelling : spellings(name)) {
            String dotted = spelling + ".";
            if (NODE_SETTINGS.stream().anyMatch(dotted::startsWith) || List.of(spelling.split("\\.")).contains(DATASOURCE)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The relaxed form, and the same with each {@code -} a separator: Spring reads
     * {@code feedsync.embedded-database.password} from {@code FEEDSYNC_EMBEDDED_DATABASE_PASSWORD} too.
     */
    private static List<String> spellings(String name) {
        return List.of(relaxed(name), relaxed(name.replace('-', '.')));
    }

    /**
     * {@code SPRING_DATASOURCE_PASSWORD}, {@code spring.datasource.password} and
     * {@code Spring.Data-Source..Password} alike: {@code spring.datasource.password}.
     */
    public static String relaxed(String name) {
        List<String> words = new ArrayList<>();
        for (String word : name.toLowerCase(Locale.ROOT).split("[._]")) {
            String bare = word.replace("-", "");
            if (!bare.isEmpty()) {
                words.add(bare);
            }
        }
        return String.join(".", words);
    }

    /** A prefix keeps its trailing separator: {@code FEEDSYNC_SECRET_*} does not take {@code FEEDSYNC_SECRETS}. */
    private static String relaxedPrefix(String prefix) {
        String relaxed = relaxed(prefix);
        boolean separated = prefix.endsWith("_") || prefix.endsWith(".");
        return separated && !relaxed.isEmpty() ? relaxed + "." : relaxed;
    }
}
