package io.feedsync.upstream;

import java.net.URI;
import java.util.Set;

import org.springframework.web.util.UriComponentsBuilder;

/** Renders URLs for logs, run rows and errors without user-info or secret query parameters. */
public final class SafeUrls {

    private SafeUrls() {
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
