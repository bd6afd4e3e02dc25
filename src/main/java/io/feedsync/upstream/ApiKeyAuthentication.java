package io.feedsync.upstream;

import java.nio.charset.StandardCharsets;
import java.util.Set;

import org.springframework.web.util.UriUtils;

import io.feedsync.ops.logging.LogSecrets;

/** {@code auth.type: api-key} — a key sent in a header or, when {@code queryParam} is set, a query parameter. */
public final class ApiKeyAuthentication implements Authentication {

    private final String key;
    private final String header;
    private final String queryParam;

    public ApiKeyAuthentication(String key, String header, String queryParam) {
        this.key = key;
        this.header = header;
        this.queryParam = queryParam;
        // as written, and as a query parameter carries it (PageRequest encodes it so)
        LogSecrets.add(key, UriUtils.encodeQueryParam(key, StandardCharsets.UTF_8));
    }

    @Override
    public void authorize(PageRequest request) {
        if (queryParam != null) {
            request.queryParam(queryParam, key);
        } else {
            request.header(header, key);
        }
    }

    @Override
    public Set<String> credentialHeaders() {
        return queryParam == null ? Set.of(header) : Set.of();
    }

    @Override
    public Set<String> secretQueryParams() {
        return queryParam == null ? Set.of() : Set.of(queryParam);
    }

    @Override
    public String toString() {
        return "api-key(" + (queryParam != null ? "query " + queryParam : "header " + header) + ", ****)";
    }
}
