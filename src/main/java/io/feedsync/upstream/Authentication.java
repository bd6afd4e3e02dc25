package io.feedsync.upstream;

/**
 * How a feed proves who it is to its upstream: one type per {@code source.auth.type} of
 * {@link io.feedsync.config.FeedSchema} (a closed set);
 * implementations keep their secrets to themselves: {@link #toString()} never shows them, and each
 * registers its secret values with {@link io.feedsync.ops.logging.LogSecrets} so that no log shows them.
 */
public sealed interface Authentication permits NoAuthentication, BasicAuthentication, BearerAuthentication,
        ApiKeyAuthentication, OAuth2ClientCredentials {

    /** Adds credentials to a page request. */
    void authorize(PageRequest request);

    /**
     * Forgets a credential the upstream rejected with 401; true if a fresh one will be obtained
     * for the next request, so that the request is worth one more try.
     */
    default boolean invalidate() {
        return false;
    }

    /**
     * Request headers, besides {@link CredentialHeaders#ALWAYS}, that carry the credentials: removed
     * from the exchange as soon as the request returns.
     */
    default java.util.Set<String> credentialHeaders() {
        return java.util.Set.of();
    }

    /** Query parameters that carry secrets and must be masked wherever a URL is shown. */
    default java.util.Set<String> secretQueryParams() {
        return java.util.Set.of();
    }
}
