package io.feedsync.api.security;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpHeaders;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.authentication.AuthenticationConverter;

/** Reads an API key from {@code X-API-Key} or {@code Authorization: Bearer …}; other requests pass on. */
class ApiKeyAuthenticationConverter implements AuthenticationConverter {

    static final String HEADER = "X-API-Key";
    private static final String BEARER = "bearer ";

    @Override
    public Authentication convert(HttpServletRequest request) {
        String key = request.getHeader(HEADER);
        if (key == null) {
            String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
            if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
                key = authorization.substring(BEARER.length()).trim();
            }
        }
        return key == null ? null : ApiKeyAuthentication.presented(key.trim());
    }

    static boolean presentsKey(HttpServletRequest request) {
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        return request.getHeader(HEADER) != null
                || authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length());
    }
}
