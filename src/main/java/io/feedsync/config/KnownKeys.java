package io.feedsync.config;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Tells a misspelt key — which Spring's binder would silently drop, quietly turning a schedule or a
 * pagination off — from the keys of {@link FeedSchema}: it stops startup (or refuses a definition)
 * with the key's name and, where a known key is close, the one meant.
 */
final class KnownKeys {

    private KnownKeys() {
    }

    /**
     * Checks the part of a property name after {@code feedsync.feeds.<feed>.}; throws naming the
     * first segment that no feed key has.
     */
    static void check(String feedPrefix, String rest) {
        SchemaKey at = FeedSchema.FEED;
        StringBuilder path = new StringBuilder(feedPrefix);
        for (String segment : rest.split("\\.")) {
            String name = segment.replaceAll("\\[\\d+]$", "");
            if (name.isEmpty() || !hasKeys(at)) {
                throw unknown(path + "." + segment, List.of());
            }
            if (at.kind() == SchemaKey.Kind.MAP) {
                at = at.items();
                path.append('.').append(name);
                continue;
            }
            SchemaKey child = at.child(name);
            if (child == null) {
                throw unknown(path + "." + name, closest(at, name).stream().toList());
            }
            at = child;
            path.append('.').append(child.name());
        }
    }

    /** Whether keys may follow this one: an object's, a map's, a mapped column's {pointer, type}, a delete marker's. */
    private static boolean hasKeys(SchemaKey key) {
        return switch (key.kind()) {
            case OBJECT, VARIANTS, MAP, MAPPED_COLUMN, DELETE_MARKERS -> true;
            default -> false;
        };
    }

    private static FeedConfigException unknown(String key, List<String> meant) {
        return new FeedConfigException(key, "unknown key" + (meant.isEmpty() ? "" : "; did you mean '" + meant.get(0) + "'?"));
    }

    private static Optional<String> closest(SchemaKey parent, String name) {
        return parent.allChildren().stream().map(SchemaKey::name)
                .map(candidate -> Map.entry(candidate, distance(relaxed(candidate), relaxed(name))))
                .filter(scored -> scored.getValue() <= Math.max(1, scored.getKey().length() / 4))
                .min(Comparator.comparingInt(Map.Entry::getValue))
                .map(Map.Entry::getKey);
    }


    /**
     * A property key's relaxed form, as Spring binds it: lower case, without '-' or '_'
     * ({@code clientSecret}, {@code client-secret} and {@code CLIENT_SECRET} alike: {@code clientsecret}).
     */
    static String relaxed(String name) {
        return name.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    /**
     * Edits between two names — an insertion, a deletion, a substitution or two neighbours swapped
     * (optimal string alignment) — so that {@code chnages} is one edit from {@code changes}.
     */
    private static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j], d[i][j - 1]) + 1);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
