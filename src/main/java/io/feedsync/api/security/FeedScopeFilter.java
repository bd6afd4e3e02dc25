package io.feedsync.api.security;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.MediaType;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UrlPathHelper;

import io.feedsync.api.ApiError;
import io.feedsync.config.UnknownFeedException;

/**
 * Hides the feeds outside a scoped key's scope: every {@code /api/feeds/{feed}} path of such a feed
 * answers 404 with the very body of a feed that does not exist, before any route reads it, so that
 * a scoped key learns no other feed's name — whatever the operation, present or to come. Lists and
 * runs by id are narrowed by the API's routes (see {@link FeedScope}).
 */
class FeedScopeFilter extends OncePerRequestFilter {

    private static final Pattern FEED_PATH = Pattern.compile("^/api/feeds/([^/]+)(/.*)?$");

    private final ObjectMapper json;
    /** The path as the routes see it: decoded, so that {@code /api/feeds/pl%61ns} is {@code plans} here too. */
    private final UrlPathHelper paths = new UrlPathHelper();

    FeedScopeFilter(ObjectMapper json) {
        this.json = json;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        FeedScope scope = FeedScope.of(SecurityContextHolder.getContext().getAuthentication());
        if (scope.limited()) {
            Matcher feedPath = FEED_PATH.matcher(paths.getPathWithinApplication(request));
            if (feedPath.matches() && !scope.sees(feedPath.group(1))) {
                response.setStatus(HttpServletResponse.SC_NOT_FOUND);
                response.setContentType(MediaType.APPLICATION_JSON_VALUE);
                json.writeValue(response.getOutputStream(),
                        ApiError.of("not_found", new UnknownFeedException(feedPath.group(1)).getMessage()));
                return;
            }
        }
        chain.doFilter(request, response);
    }
}
