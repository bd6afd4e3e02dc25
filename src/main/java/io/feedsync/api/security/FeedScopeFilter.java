package io.feedsync.api.security;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.RestRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UrlPathHelper;

import io.feedsync.api.ApiError;
import io.feedsync.config.UnknownFeedException;

/**
 * Hides the feeds outside a scoped key's scope: an API operation on {@code /api/feeds/{feed}…} of
 * such a feed answers 404 with the very body of a feed that does not exist, so that a scoped key
 * learns no other feed's name — whatever the operation, present or to come. It answers where an
 * unknown feed would be refused: after the checks that do not look at the feed (credentials, role,
 * the body's type and size: the filters before it), and only for a method and path the API serves
 * (any other is answered 405 or 404 as for any feed). Lists and runs by id are narrowed by the API's
 * routes (see {@link FeedScope}).
 */
@Component
@Order(Ordered.LOWEST_PRECEDENCE)
public class FeedScopeFilter extends OncePerRequestFilter {

    private static final Pattern FEED_PATH = Pattern.compile("^/api/feeds/([^/]+)(/.*)?$");

    private final ObjectMapper json;
    /** Looked up at the first request: filters are made before the Camel context. */
    private final ObjectProvider<CamelContext> camel;
    /** The path as the routes see it: decoded, so that {@code /api/feeds/pl%61ns} is {@code plans} here too. */
    private final UrlPathHelper paths = new UrlPathHelper();

    public FeedScopeFilter(ObjectMapper json, ObjectProvider<CamelContext> camel) {
        this.json = json;
        this.camel = camel;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        FeedScope scope = FeedScope.of(SecurityContextHolder.getContext().getAuthentication());
        if (scope.limited()) {
            String path = paths.getPathWithinApplication(request);
            Matcher feedPath = FEED_PATH.matcher(path);
            if (feedPath.matches() && !scope.sees(feedPath.group(1)) && isOperation(request.getMethod(), path)) {
                response.setStatus(HttpServletResponse.SC_NOT_FOUND);
                response.setContentType(MediaType.APPLICATION_JSON_VALUE);
                json.writeValue(response.getOutputStream(),
                        ApiError.of("not_found", new UnknownFeedException(feedPath.group(1)).getMessage()));
                return;
            }
        }
        chain.doFilter(request, response);
    }

    /** Whether the REST API has an operation for this method and path ({@code /api/feeds/{feed}/runs}, …). */
    private boolean isOperation(String method, String path) {
        for (RestRegistry.RestService service : camel.getObject().getRestRegistry().listAllRestServices()) {
            if (method.equalsIgnoreCase(service.getMethod()) && template(service.getUrl()).matcher(path).matches()) {
                return true;
            }
        }
        return false;
    }

    /** {@code http://host:port/api/feeds/{feed}/runs} as a pattern of the paths it serves. */
    private static Pattern template(String url) {
        String path = url.replaceFirst("^[a-z]+://[^/]+", "");
        String[] literals = (path.startsWith("/") ? path : "/" + path).split("\\{[^}/]+}", -1);
        StringBuilder pattern = new StringBuilder("^").append(Pattern.quote(literals[0]));
        for (int i = 1; i < literals.length; i++) {
            pattern.append("[^/]+").append(Pattern.quote(literals[i]));
        }
        return Pattern.compile(pattern.append('$').toString());
    }
}
