package io.feedsync.upstream;

import java.util.Set;

/** {@code auth.type: api-key} — a key sent in a header (default {@code X-API-Key}) or a query parameter. */
public final class ApiKeyAuthentication implements Authentication {

    private final String key;
    private final String header;
    private final String queryParam;

    public ApiKeyAuthentication(String key, String header, String queryParam) {
        this.key = key;
        this.header = queryParam == null && header == null ? "X-API-Key" : header;
        this.queryParam = queryParam;
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
    public Set<String> secretQueryParams() {
        return queryParam == null ? Set.of() : Set.of(queryParam);
    }

    @Override
    public String toString() {
        return "api-key(" + (queryParam != null ? "query " + queryParam : "header " + header) + ", ****)";
    }
}
