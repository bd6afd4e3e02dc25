package io.feedsync.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.util.URISupport;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertyResolver;

/**
 * What a feed defined over the API may contain, beyond what a configured feed may (whoever writes
 * the configuration holds the node; an operator key does not): checked on {@code PUT /api/feeds/{feed}}
 * and again whenever a node loads a stored definition.
 * <ul>
 * <li>no Camel property syntax ({@code {{…}}}) in any value: Camel would resolve it on the node;</li>
 * <li>{@code ${NAME}} placeholders only in a secret (resolved here) or a notify endpoint URI (resolved
 * by Camel as it makes the endpoint), and only names the node allows ({@link SecretNames});</li>
 * <li>notify endpoints only of the schemes in {@code feedsync.security.api-endpoint-schemes}
 * ({@code [http, https]}), with no {@code #} (Camel's references to beans, classes and settings) and
 * no credential but as a placeholder;</li>
 * <li>a transform bean only of {@code feedsync.security.api-transform-beans} (none by default): a bean
 * is code of the node;</li>
 * <li>an API key's header a plain HTTP header, not one of Camel's own.</li>
 * </ul>
 */
public final class ApiDefinitionRules {

    /** Whether a feed's key ({@code source.auth.client-secret}, in any spelling) holds a secret. */
    static boolean isSecretKey(String key) {
        return SECRET_KEYS.contains(KnownKeys.relaxed(key));
    }

    /** The node's settings under {@code feedsync.security}; null: the default. */
    record Settings(List<String> apiEndpointSchemes, List<String> apiTransformBeans, List<String> secretNames,
                    List<String> apiParentFeeds) {
    }

    public static final List<String> DEFAULT_SCHEMES = List.of("http", "https");

    /** The values that are secrets ({@link FeedSchema}, relaxed form): over the API, placeholders only. */
    private static final Set<String> SECRET_KEYS = FeedSchema.keys().stream().filter(named -> named.key().secret())
            .map(named -> KnownKeys.relaxed(named.path())).collect(java.util.stream.Collectors.toUnmodifiableSet());
    /** A notify endpoint's key (relaxed form), however the list is written. */
    private static final Pattern NOTIFY_ENDPOINT = Pattern.compile("notify\\.(changes|runs)([\\[.].*)?");
    private static final Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*):");
    /** How Camel masks a credential in a URI ({@code URISupport.sanitizeUri}). */
    private static final String MASKED = "xxxxxx";
    /** An HTTP header name (RFC 9110 token). */
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private final List<String> schemes;
    private final List<String> transformBeans;
    private final List<String> parentFeeds;
    private final List<String> secretNamesAsSet;
    private final SecretNames secretNames;
    private final PropertyResolver environment;

    ApiDefinitionRules(Settings settings, PropertyResolver environment) {
        this.schemes = (settings.apiEndpointSchemes() == null ? DEFAULT_SCHEMES : settings.apiEndpointSchemes())
                .stream().map(scheme -> scheme.trim().toLowerCase(Locale.ROOT)).toList();
        this.transformBeans = settings.apiTransformBeans() == null ? List.of()
                : settings.apiTransformBeans().stream().map(String::trim).toList();
        this.secretNamesAsSet = settings.secretNames() == null ? SecretNames.DEFAULT : List.copyOf(settings.secretNames());
        this.parentFeeds = settings.apiParentFeeds() == null ? List.of()
                : settings.apiParentFeeds().stream().map(String::trim).toList();
        this.secretNames = new SecretNames(secretNamesAsSet);
        this.environment = environment;
    }

    /** The rules as this node's {@code feedsync.security.*} sets them; resolving from its environment. */
    public static ApiDefinitionRules of(PropertyResolver environment) {
        Settings settings = environment instanceof ConfigurableEnvironment configurable
                ? Binder.get(configurable).bind("feedsync.security", Settings.class).orElse(null) : null;
        return new ApiDefinitionRules(settings == null ? new Settings(null, null, null, null) : settings, environment);
    }

    /**
     * One value as written ({@code property} is its full name, under {@code prefix}): what to bind
     * for it — a secret's placeholder resolved, anything else as written.
     */
    String written(String prefix, String property, String value) {
        String key = KnownKeys.relaxed(property.substring(prefix.length() + 1));
        if (value.contains("{{") || value.contains("}}")) {
            throw new FeedConfigException(property, "Camel property syntax ({{…}}) is refused in a feed defined over"
                    + " the API: this node would resolve it");
        }
        if (SECRET_KEYS.contains(key)) {
            return secret(property, value.trim());
        }
        if (SecretPlaceholders.any(value)) {
            if (!NOTIFY_ENDPOINT.matcher(key).matches()) {
                throw new FeedConfigException(property, "a ${NAME} placeholder is resolved only in a secret"
                        + " (source.auth.password, token, key, client-secret; notify.secret) or a notify endpoint URI");
            }
            if (!SecretPlaceholders.wellFormed(value)) {
                throw new FeedConfigException(property, "a placeholder is ${NAME}, a name of letters, digits, '_', '.'"
                        + " and '-': no default value (':') and no placeholder inside another");
            }
        }
        return value;
    }

    /**
     * A child feed defined over the API names a configured feed as its parent: only one the node lists in
     * {@code feedsync.security.api-parent-feeds} (none by default) — the child would read its table.
     */
    public List<FeedConfigException> parent(FeedDefinition feed, java.util.function.Predicate<String> configured) {
        io.feedsync.upstream.ForEach forEach = feed.source().forEach();
        if (forEach == null || !configured.test(forEach.feed()) || parentFeeds.contains(forEach.feed())) {
            return List.of();
        }
        return List.of(new FeedConfigException("feedsync.feeds." + feed.name() + ".source.for-each.feed", "'"
                + forEach.feed() + "' is a feed of the configuration, which a feed defined over the API may name as its"
                + " parent only if feedsync.security.api-parent-feeds lists it (" + parentFeeds + "): the child reads"
                + " its table"));
    }

    /** The feed as bound: its notify endpoints, its transform bean, the header of its API key. */
    List<FeedConfigException> bound(String prefix, FeedsyncProperties.Feed feed) {
        List<FeedConfigException> problems = new ArrayList<>();
        if (feed == null) {
            return problems;
        }
        if (feed.notifications() != null) {
            endpoints(prefix + ".notify.changes", feed.notifications().changes(), problems);
            endpoints(prefix + ".notify.runs", feed.notifications().runs(), problems);
        }
        String bean = feed.transform() == null ? null : FeedValidator.blankToNull(feed.transform().bean());
        if (bean != null && !transformBeans.contains(bean.trim())) {
            problems.add(new FeedConfigException(prefix + ".transform.bean", "'" + bean.trim() + "' is not a transform"
                    + " bean that feeds defined over the API may use (feedsync.security.api-transform-beans: "
                    + transformBeans + "): a bean is code of this node"));
        }
        String header = feed.source() == null || feed.source().auth() == null ? null
                : FeedValidator.blankToNull(feed.source().auth().header());
        if (header != null && (!HEADER_NAME.matcher(header.trim()).matches()
                || header.trim().toLowerCase(Locale.ROOT).startsWith("camel"))) {
            problems.add(new FeedConfigException(prefix + ".source.auth.header", "'" + header.trim() + "' is not an"
                    + " HTTP header name a key may be sent in (a token of letters, digits and !#$%&'*+.^_`|~-, not"
                    + " one of Camel's own Camel… headers)"));
        }
        return problems;
    }

    private void endpoints(String key, List<String> uris, List<FeedConfigException> problems) {
        for (int i = 0; uris != null && i < uris.size(); i++) {
            try {
                endpoint(key + "[" + i + "]", uris.get(i));
            } catch (FeedConfigException e) {
                problems.add(e);
            }
        }
    }

    private void endpoint(String key, String uri) {
        String written = uri == null ? "" : uri.trim();
        Matcher scheme = SCHEME.matcher(written);
        if (!scheme.lookingAt()) {
            // not an endpoint URI at all: FeedValidator says so
            return;
        }
        String name = scheme.group(1).toLowerCase(Locale.ROOT);
        if (!schemes.contains(name)) {
            throw new FeedConfigException(key, "scheme '" + name + "' is not one that feeds defined over the API may"
                    + " notify (feedsync.security.api-endpoint-schemes: " + schemes + ")");
        }
        if (written.contains("#") || written.toLowerCase(Locale.ROOT).contains("%23")) {
            throw new FeedConfigException(key, "'#' is refused in an endpoint URI of a feed defined over the API:"
                    + " Camel reads an option starting with it as a bean, a class or a setting of this node");
        }
        String placeholdersMasked = SecretPlaceholders.masked(written, MASKED);
        if (!URISupport.sanitizeUri(placeholdersMasked).equals(placeholdersMasked)) {
            throw new FeedConfigException(key, "a credential in an endpoint URI is given as a ${NAME} placeholder,"
                    + " resolved from each node's environment; its value is never sent, stored or shown");
        }
        for (String placeholder : SecretPlaceholders.names(written)) {
            readable(key, placeholder);
        }
    }

    private String secret(String property, String value) {
        Matcher placeholder = SecretPlaceholders.PLACEHOLDER.matcher(value);
        if (!placeholder.matches()) {
            throw new FeedConfigException(property, "a secret is given as a ${NAME} placeholder, resolved from each"
                    + " node's environment; its value is never sent, stored or shown");
        }
        return readable(property, placeholder.group(1));
    }

    /** The value of a placeholder the node lets API feeds read; refused naming the placeholder, never a value. */
    private String readable(String key, String name) {
        String placeholder = "${" + name + "}";
        switch (secretNames.judge(name)) {
            case NODE_SETTING -> throw new FeedConfigException(key, placeholder + " names a setting of this node (its"
                    + " database, keys, console, server, Spring or Camel settings): a feed defined over the API can"
                    + " never read it");
            case NOT_LISTED -> throw new FeedConfigException(key, placeholder + " is not a secret this node lets feeds"
                    + " defined over the API read (feedsync.security.secret-names: " + secretNamesAsSet + ")");
            case ALLOWED -> {
            }
        }
        String value = environment.getProperty(name);
        if (value == null) {
            throw new FeedConfigException(key, placeholder + " is not set on this node");
        }
        return value;
    }
}
