package io.feedsync.config;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One key of a feed definition in {@link FeedSchema}: its kebab-case name, its kind, its default as
 * the docs write it (null: none), the values it may take ({@link Kind#CHOICE}), its smallest value
 * ({@link Kind#WHOLE}), what it means, and whether it holds a secret. An {@link Kind#OBJECT} has
 * {@code children}; a {@link Kind#VARIANTS} object has a {@code type} key choosing one of its
 * {@code variants} (each with keys of its own) besides the {@code children} every variant shares; a
 * {@link Kind#LIST} or {@link Kind#MAP} holds {@code items}.
 */
public record SchemaKey(String name, Kind kind, String defaultValue, List<String> values, Long minimum,
                        String description, boolean secret, boolean required, List<SchemaKey> children,
                        Map<String, Variant> variants, SchemaKey items) {

    /** What a key holds, as written in YAML or JSON. */
    public enum Kind {
        TEXT, WHOLE, NUMBER, SHARE, BOOLEAN, DURATION, DURATION_OR_OFF, DATA_SIZE, URL, POINTER, IDENTIFIER,
        TABLE, CRON, CHOICE, LOOKBACK, ENDPOINT, TAG, MAPPED_COLUMN, DELETE_MARKERS, OBJECT, VARIANTS, LIST, MAP
    }

    /** A key and its full path in a feed ({@code source.retry.max-attempts}). */
    public record Named(String path, SchemaKey key) {
    }

    /** One value of a {@link Kind#VARIANTS} object's {@code type}, with the keys that only it has. */
    public record Variant(String description, List<SchemaKey> keys) {
    }

    public SchemaKey {
        values = List.copyOf(values);
        children = List.copyOf(children);
        variants = new LinkedHashMap<>(variants);
    }

    static SchemaKey key(String name, Kind kind, String defaultValue, String description) {
        return new SchemaKey(name, kind, defaultValue, List.of(), null, description, false, false, List.of(), Map.of(),
                null);
    }

    static SchemaKey whole(String name, String defaultValue, Long minimum, String description) {
        return new SchemaKey(name, Kind.WHOLE, defaultValue, List.of(), minimum, description, false, false, List.of(),
                Map.of(), null);
    }

    static SchemaKey choice(String name, String defaultValue, String description, String... values) {
        return new SchemaKey(name, Kind.CHOICE, defaultValue, Arrays.asList(values), null, description, false, false,
                List.of(), Map.of(), null);
    }

    static SchemaKey object(String name, String description, SchemaKey... children) {
        return composite(name, Kind.OBJECT, description, children);
    }

    /** A key of {@code kind} whose value may hold {@code children} ({@link Kind#MAPPED_COLUMN}, {@link Kind#DELETE_MARKERS}). */
    static SchemaKey composite(String name, Kind kind, String description, SchemaKey... children) {
        return new SchemaKey(name, kind, null, List.of(), null, description, false, false, List.of(children),
                Map.of(), null);
    }

    static SchemaKey list(String name, String description, SchemaKey items) {
        return new SchemaKey(name, Kind.LIST, null, List.of(), null, description, false, false, List.of(), Map.of(),
                items);
    }

    static SchemaKey map(String name, String description, SchemaKey values) {
        return new SchemaKey(name, Kind.MAP, null, List.of(), null, description, false, false, List.of(), Map.of(),
                values);
    }

    /** An object whose {@code type} (default {@code defaultType}) chooses among {@code variants}; {@code shared} keys belong to every one. */
    static SchemaKey variants(String name, String defaultType, String description, Map<String, Variant> variants,
                              SchemaKey... shared) {
        return new SchemaKey(name, Kind.VARIANTS, defaultType, List.copyOf(variants.keySet()), null, description,
                false, false, List.of(shared), variants, null);
    }

    static Variant variant(String description, SchemaKey... keys) {
        return new Variant(description, List.of(keys));
    }

    SchemaKey secretValue() {
        return new SchemaKey(name, kind, defaultValue, values, minimum, description, true, required, children,
                variants, items);
    }

    SchemaKey requiredValue() {
        return new SchemaKey(name, kind, defaultValue, values, minimum, description, secret, true, children,
                variants, items);
    }

    /** The child named {@code name} in any spelling Spring binds ({@code clientSecret}, {@code client_secret}), this object's or any variant's. */
    SchemaKey child(String name) {
        String relaxed = KnownKeys.relaxed(name);
        return allChildren().stream().filter(child -> KnownKeys.relaxed(child.name()).equals(relaxed)).findFirst()
                .orElse(null);
    }

    /** The keys of this object: its own, then those of each variant (a key two variants share, once), {@code type} first. */
    List<SchemaKey> allChildren() {
        Map<String, SchemaKey> all = new LinkedHashMap<>();
        if (kind == Kind.VARIANTS) {
            all.put("type", typeKey());
        }
        children.forEach(child -> all.putIfAbsent(child.name(), child));
        variants.values().forEach(variant -> variant.keys().forEach(key -> all.putIfAbsent(key.name(), key)));
        return List.copyOf(all.values());
    }

    /** A variants object's {@code type} key. */
    SchemaKey typeKey() {
        return choice("type", defaultValue, "one of " + String.join(", ", values), values.toArray(String[]::new));
    }
}
