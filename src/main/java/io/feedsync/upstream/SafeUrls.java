package io.feedsync.upstream;

import java.net.URI;
import java.util.Set;
import java.util.regex.Pattern;

import org.springframework.web.util.UriComponentsBuilder;

/** Renders URLs for logs, run rows and errors without user-info or secret query parameters. */
public final class SafeUrls {

    private SafeUrls() {
    }

    /** The URI to keep (a run's checkpoint): without user-info and secret query parameters, which a request adds again. */
    public static URI withoutSecrets(URI uri, Set<String> secretParams) {
        UriComponentsBuilder kept = UriComponentsBuilder.fromUri(uri).userInfo(null);
        for (String param : secretParams) {
            kept.replaceQueryParam(param);
        }
        return kept.build(true).toUri();
    }

    /** A kept URI ready to request again: the user-info of the feed's URL back, when it is the same origin. */
    public static URI restored(URI kept, URI feedUrl) {
        if (feedUrl.getUserInfo() == null || !sameOrigin(kept, feedUrl)) {
            return kept;
        }
        return UriComponentsBuilder.fromUri(kept).userInfo(feedUrl.getRawUserInfo()).build(true).toUri();
    }

    /**
     * Whether two URLs have the same origin (RFC 6454): scheme, host and port, a port left out being
     * the scheme's own. A feed's credentials go only to its {@code source.url}'s origin.
     */
    public static boolean sameOrigin(URI uri, URI other) {
        return uri.getScheme() != null && uri.getScheme().equalsIgnoreCase(String.valueOf(other.getScheme()))
                && uri.getHost() != null && uri.getHost().equalsIgnoreCase(String.valueOf(other.getHost()))
                && port(uri) == port(other);
    }

    private static int port(URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : "http".equalsIgnoreCase(uri.getScheme()) ? 80 : -1;
    }

    /** Any text (an exception's message) with the values of the secret query parameters of any URL in it masked. */
    public static String maskParams(String text, Set<String> secretParams) {
        String masked = text;
        for (String param : secretParams) {
            masked = masked.replaceAll("(?<=[?&;]" + Pattern.quote(param) + "=)[^&#\\s\"'<>]+", "****");
        }
        return masked;
    }

    public static String show(URI uri, Set<String> secretParams) {
        if (uri == null) {
            return null;
        }
        UriComponentsBuilder safe = UriComponentsBuilder.fromUri(uri).userInfo(null);
        for (String param : secretParams) {
            if (UriComponentsBuilder.fromUri(uri).build().getQueryParams().containsKey(param)) {
                safe.replaceQueryParam(param, "****");
            }
        }
        return safe.build(true).toUriString();
    }
}
