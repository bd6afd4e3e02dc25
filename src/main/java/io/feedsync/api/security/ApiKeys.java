package io.feedsync.api.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.function.Function;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedDefinition;
import io.feedsync.config.Tags;

/**
 * The configured API keys, checked at startup: a key shorter than {@value #MIN_LENGTH} characters
 * stops feedsync. With none configured, a random operator key is generated ({@link GeneratedKey}), as
 * Spring Boot does with its generated password, so that nothing is ever open by default.
 * Keys are kept only as SHA-256 digests and compared in constant time.
 */
@Component
public class ApiKeys {

    static final int MIN_LENGTH = 16;
    static final String GENERATED = "generated";
    private static final Pattern FEED_NAME = Pattern.compile("[a-z0-9-]+");

    /** One key: who it is, what it may do, on which feeds, and its digest. */
    public record Holder(String name, Role role, FeedScope scope, byte[] digest) {
    }

    private final List<Holder> holders = new ArrayList<>();

    public ApiKeys(SecurityProperties properties, FeedCatalog catalog,
                   @Value("${feedsync.security.generated-key-file:.feedsync/generated-api-key}") Path generatedKeyFile,
                   @Value("${feedsync.security.announce-generated-key:true}") boolean announceGeneratedKey) {
        Function<String, Collection<String>> tagsOf = feed -> catalog.find(feed).map(FeedDefinition::tags)
                .orElse(List.of());
        properties.apiKeys().forEach((name, apiKey) -> {
            String prefix = "feedsync.security.api-keys." + name;
            String key = apiKey == null ? null : apiKey.key();
            if (key == null || key.isEmpty()) {
                return; // an empty env value counts as unset, as for every secret
            }
            if (key.length() < MIN_LENGTH) {
                throw new SecurityConfigException(prefix + ".key", "is shorter than " + MIN_LENGTH + " characters");
            }
            Role role = Role.parse(prefix + ".role", apiKey.role());
            byte[] digest = digest(key);
            if (holders.stream().anyMatch(other -> MessageDigest.isEqual(other.digest(), digest))) {
                throw new SecurityConfigException(prefix + ".key", "is the same key as another entry");
            }
            Set<String> feeds = names(prefix + ".feeds", apiKey.feeds(), FEED_NAME, "a feed name");
            Set<String> tags = names(prefix + ".tags", apiKey.tags(), Tags.PATTERN, "a tag");
            holders.add(new Holder(name, role, feeds == null && tags == null ? FeedScope.ALL
                    : new FeedScope(feeds, tags, tagsOf), digest));
        });
        if (holders.isEmpty()) {
            holders.add(new Holder(GENERATED, Role.OPERATOR, FeedScope.ALL,
                    digest(GeneratedKey.load(generatedKeyFile, announceGeneratedKey))));
        }
    }

    /** The holder of the presented key, if any; every configured key is compared, all in constant time. */
    public Optional<Holder> find(String presented) {
        byte[] digest = digest(presented);
        Holder found = null;
        for (Holder holder : holders) {
            if (MessageDigest.isEqual(holder.digest(), digest) && found == null) {
                found = holder;
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * {@code .feeds} or {@code .tags}: absent, null (no limit by it); else the names listed, each
     * matching {@code syntax}. An empty list is refused rather than read either way: a key that sees
     * nothing is no key, one that sees all is written without the list.
     */
    private static Set<String> names(String key, List<String> names, Pattern syntax, String what) {
        if (names == null) {
            return null;
        }
        if (names.isEmpty()) {
            throw new SecurityConfigException(key, "names nothing (leave it out for a key that is not limited by it)");
        }
        for (String name : names) {
            if (name == null || !syntax.matcher(name).matches()) {
                throw new SecurityConfigException(key, "'" + name + "' is not " + what + " (" + syntax.pattern() + ")");
            }
        }
        return Set.copyOf(names);
    }

    private static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
