package io.feedsync.api.security;

import java.io.IOException;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Jolokia (the console's JMX over HTTP) serves only reads by GET or HEAD: {@code read}, {@code list},
 * {@code search}, {@code version}. An operation ({@code exec}) is taken by POST only, where Spring
 * Security asks a basic-auth caller for the console's CSRF token: a GET needs none, and any page the
 * console user visits can make the browser send one, with its cached credentials. Also refused
 * there: a JSONP {@code callback} (a foreign page's script tag could read the answer) and the path
 * given as the {@code p} parameter. What a POST may do is the policy's, jolokia-access.xml.
 * Registered for Jolokia's servlet, forwards included (the console also reaches it as
 * {@code /actuator/hawtio/jolokia}), so that it sees the path exactly as Jolokia will.
 */
@Component
class JolokiaReadsByGet extends FilterRegistrationBean<OncePerRequestFilter> {

    private static final Set<String> READS = Set.of("read", "list", "search", "version");

    JolokiaReadsByGet(ObjectMapper json) {
        super(new Filter(new JsonSecurityErrors(json)));
        addUrlPatterns("/actuator/jolokia", "/actuator/jolokia/*");
        setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.FORWARD);
    }

    private static final class Filter extends OncePerRequestFilter {

        private final JsonSecurityErrors errors;

        Filter(JsonSecurityErrors errors) {
            this.errors = errors;
        }

        @Override
        protected boolean shouldNotFilterAsyncDispatch() {
            return true;
        }

        @Override
        protected boolean shouldNotFilter(HttpServletRequest request) {
            // POST is the policy's and the CSRF check's; OPTIONS is only ever a CORS preflight
            return "POST".equals(request.getMethod()) || "OPTIONS".equals(request.getMethod());
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            String refused = request.getParameter("callback") != null ? "a JSONP callback is refused"
                    : request.getParameter("p") != null ? "the path as the p parameter is refused; put it in the URL"
                    : READS.contains(type(request.getPathInfo())) ? null
                    : "Jolokia serves only read, list, search and version by " + request.getMethod()
                            + "; send an operation by POST, with the X-XSRF-TOKEN header as the console does";
            if (refused != null) {
                response.setHeader(HttpHeaders.ALLOW, "POST");
                errors.write(response, HttpServletResponse.SC_METHOD_NOT_ALLOWED, "method_not_allowed", refused);
                return;
            }
            chain.doFilter(request, response);
        }

        /** The request type, the path's first element ({@code version} when there is none, as Jolokia takes it). */
        private static String type(String path) {
            if (path == null) {
                return "version";
            }
            int start = 0;
            while (start < path.length() && path.charAt(start) == '/') {
                start++;
            }
            int end = path.indexOf('/', start);
            String type = path.substring(start, end < 0 ? path.length() : end);
            return type.isEmpty() && end < 0 ? "version" : type;
        }
    }
}
