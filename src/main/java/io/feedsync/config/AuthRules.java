package io.feedsync.config;

import java.time.Clock;
import java.util.Map;
import java.util.function.Function;

import io.feedsync.upstream.ApiKeyAuthentication;
import io.feedsync.upstream.Authentication;
import io.feedsync.upstream.BasicAuthentication;
import io.feedsync.upstream.BearerAuthentication;
import io.feedsync.upstream.NoAuthentication;
import io.feedsync.upstream.OAuth2ClientCredentials;

import static io.feedsync.config.FeedKeys.blankToNull;

/** {@code source.auth}: one type of {@link FeedSchema}'s closed set, each with its own keys and defaults. */
final class AuthRules {

    private static final String AUTH = "source.auth";

    private static final Map<String, Function<FeedKeys, Authentication>> TYPES = Map.of(
            "none", k -> new NoAuthentication(),
            "basic", k -> new BasicAuthentication(k.required(AUTH + ".username", k.auth().username()),
                    k.required(AUTH + ".password", k.auth().password())),
            "bearer", k -> new BearerAuthentication(k.required(AUTH + ".token", k.auth().token())),
            "api-key", k -> new ApiKeyAuthentication(k.required(AUTH + ".key", k.auth().key()),
                    blankToNull(k.auth().queryParam()) == null ? k.text(AUTH + ".header", k.auth().header())
                            : blankToNull(k.auth().header()), blankToNull(k.auth().queryParam())),
            "oauth2-client-credentials", k -> new OAuth2ClientCredentials(
                    SourceRules.absoluteUrl(k, AUTH + ".token-url", k.auth().tokenUrl()),
                    k.required(AUTH + ".client-id", k.auth().clientId()),
                    k.required(AUTH + ".client-secret", k.auth().clientSecret()),
                    blankToNull(k.auth().scope()),
                    "basic".equals(k.choice(AUTH + ".client-authentication", k.auth().clientAuthentication(), "value")),
                    k.duration("source.timeout", k.feed().source().timeout()), Clock.systemUTC()));

    private AuthRules() {
    }

    static Authentication authentication(FeedKeys keys) {
        String type = SourceRules.variantType(keys, AUTH, keys.auth().type(), TYPES.keySet());
        SourceRules.throwAll(keys.notOfVariant(AUTH, keys.feed().source().auth(), type));
        return TYPES.get(type).apply(keys);
    }
}
