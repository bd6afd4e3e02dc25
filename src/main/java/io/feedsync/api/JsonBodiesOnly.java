package io.feedsync.api;

import java.io.IOException;
import java.util.Locale;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.MediaType;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Answers 415 to an API request whose body is not declared as JSON. Without it a JSON body sent
 * as a form ({@code curl -d} does that by default) would be parsed as form fields before any route
 * runs, and fail as a 500. An API request is one whose path, decoded and normalised as the router
 * sees it ({@code /%61pi/feeds}, {@code /api/./feeds}, {@code /api;x=y/feeds} are all
 * {@code /api/feeds}), is under {@code /api}, in any case.
 */
@Component
@Order(Ordered.LOWEST_PRECEDENCE - 1) // before FeedScopeFilter, which must not answer first
public class JsonBodiesOnly extends OncePerRequestFilter {

    private final ObjectMapper json;

    public JsonBodiesOnly(ObjectMapper json) {
        this.json = json;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !isApi(request) || request.getContentType() == null || request.getContentLengthLong() == 0;
    }

    /** The servlet container's decoded, normalised path without path parameters; not the raw request URI. */
    private static boolean isApi(HttpServletRequest request) {
        String path = (request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo()))
                .toLowerCase(Locale.ROOT);
        return path.equals("/api") || path.startsWith("/api/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        MediaType type;
        try {
            type = MediaType.parseMediaType(request.getContentType());
        } catch (IllegalArgumentException e) {
            type = null;
        }
        if (type != null && (type.isCompatibleWith(MediaType.APPLICATION_JSON) || type.getSubtype().endsWith("+json"))) {
            chain.doFilter(request, response);
            return;
        }
        response.setStatus(HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        json.writeValue(response.getOutputStream(),
                ApiError.of("unsupported_media_type", "send the body as application/json"));
    }
}
