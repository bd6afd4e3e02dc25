package io.feedsync.config;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.springframework.boot.context.properties.bind.Name;

/**
 * The keys a feed may have, read from the records that bind them ({@link FeedsyncProperties.Feed}),
 * so that a misspelt key — which Spring's binder would silently drop, quietly turning a schedule or
 * a pagination off — stops startup with its name and, where a known key is close, the one meant.
 */
final class KnownKeys {

    private static final KnownKeys FEED = of(FeedsyncProperties.Feed.class);

    /** Known children by their relaxed form (lower case, no '-' or '_'), each with its kebab-case name. */
    private final Map<String, Child> children;
    /** A map: any key, each holding this. */
    private final KnownKeys anyKey;
    private final boolean leaf;

    private record Child(String name, KnownKeys keys) {
    }

    private KnownKeys(Map<String, Child> children, KnownKeys anyKey, boolean leaf) {
        this.children = children;
        this.anyKey = anyKey;
        this.leaf = leaf;
    }

    /**
     * Checks the part of a property name after {@code feedsync.feeds.<feed>.}; throws naming the
     * first segment that no feed key has.
     */
    static void check(String feedPrefix, String rest) {
        KnownKeys at = FEED;
        StringBuilder path = new StringBuilder(feedPrefix);
        for (String segment : rest.split("\\.")) {
            String name = segment.replaceAll("\\[\\d+]$", "");
            if (at.leaf || name.isEmpty()) {
                throw unknown(path + "." + segment, List.of());
            }
            if (at.anyKey != null) {
                at = at.anyKey;
                path.append('.').append(name);
                continue;
            }
            Child child = at.children.get(relaxed(name));
            if (child == null) {
                throw unknown(path + "." + name, at.closest(name).stream().toList());
            }
            at = child.keys();
            path.append('.').append(child.name());
        }
    }

    /**
     * Every key a feed may have, as {@code source.retry.max-attempts}: the leaves, and each map as its
     * own key ({@code transform.mapping}, whose keys are the feed's to choose).
     */
    static List<String> feedKeys() {
        List<String> keys = new java.util.ArrayList<>();
        FEED.collect("", keys);
        return keys;
    }

    private void collect(String prefix, List<String> keys) {
        if (leaf || anyKey != null) {
            keys.add(prefix);
            return;
        }
        children.values().forEach(child -> child.keys().collect(prefix.isEmpty() ? child.name() : prefix + "." + child.name(), keys));
    }

    private static FeedConfigException unknown(String key, List<String> meant) {
        return new FeedConfigException(key, "unknown key" + (meant.isEmpty() ? "" : "; did you mean '" + meant.get(0) + "'?"));
    }

    private Optional<String> closest(String name) {
        return children.values().stream().map(Child::name)
                .map(candidate -> Map.entry(candidate, distance(relaxed(candidate), relaxed(name))))
                .filter(scored -> scored.getValue() <= Math.max(1, scored.getKey().length() / 4))
                .min(Comparator.comparingInt(Map.Entry::getValue))
                .map(Map.Entry::getKey);
    }

    private static KnownKeys of(Type type) {
        Class<?> raw = type instanceof ParameterizedType parameterized ? (Class<?>) parameterized.getRawType() : (Class<?>) type;
        if (raw.isRecord()) {
            Map<String, Child> children = new LinkedHashMap<>();
            RecordComponent[] components = raw.getRecordComponents();
            for (int i = 0; i < components.length; i++) {
                RecordComponent component = components[i];
                String name = boundName(raw, components, i);
                children.put(relaxed(name), new Child(kebab(name), of(component.getGenericType())));
            }
            return new KnownKeys(children, null, false);
        }
        if (Map.class.isAssignableFrom(raw) && type instanceof ParameterizedType parameterized) {
            return new KnownKeys(Map.of(), of(parameterized.getActualTypeArguments()[1]), false);
        }
        return new KnownKeys(Map.of(), null, true);
    }

    /** The component's name, or the one its {@link Name} binds it under (a key that is no legal Java name, like notify). */
    private static String boundName(Class<?> record, RecordComponent[] components, int index) {
        Class<?>[] types = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
        try {
            Name name = record.getDeclaredConstructor(types).getParameters()[index].getAnnotation(Name.class);
            return name == null ? components[index].getName() : name.value();
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("a record without its canonical constructor: " + record, e);
        }
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
