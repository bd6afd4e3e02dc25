package io.feedsync.api.security;

import java.io.IOException;
import java.net.URI;
import java.util.Locale;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses (403) a request that a browser sent on behalf of another site, on every path: the console
 * user's cached basic credentials must never carry a foreign page's request to the console or the
 * API. A browser says where a request comes from in {@code Sec-Fetch-Site} (sent on HTTPS and
 * localhost) or else in {@code Origin}; a request from the node's own pages, one the user typed or
 * followed as a link (a GET navigation), and one from a program (which sends neither) pass.
 * feedsync answers no CORS headers at all, so a foreign page can read no answer either.
 */
class CrossSiteRequests extends OncePerRequestFilter {

    private final JsonSecurityErrors errors;

    CrossSiteRequests(JsonSecurityErrors errors) {
        this.errors = errors;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String refused = refusal(request);
        if (refused != null) {
            errors.write(response, HttpServletResponse.SC_FORBIDDEN, "forbidden", refused);
            return;
        }
        chain.doFilter(request, response);
    }

    /** Why the request is refused, or null. */
    private static String refusal(HttpServletRequest request) {
        String site = request.getHeader("Sec-Fetch-Site");
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        if (site != null) {
            site = site.toLowerCase(Locale.ROOT);
            if (site.equals("same-origin") || site.equals("none") || isNavigation(request)) {
                return null;
            }
            return "a cross-site request (" + site + (origin == null ? "" : " from " + printable(origin))
                    + ") is refused; use the console from the node's own address";
        }
        if (origin == null || sameOrigin(origin, request)) {
            return null;
        }
        return "a request from another origin (" + printable(origin) + ") is refused; use the console from the node's own address";
    }

    /** A top-level GET navigation (a link followed): the page that linked can neither send a body nor read the answer. */
    private static boolean isNavigation(HttpServletRequest request) {
        return "GET".equals(request.getMethod()) && "navigate".equalsIgnoreCase(request.getHeader("Sec-Fetch-Mode"))
                && "document".equalsIgnoreCase(request.getHeader("Sec-Fetch-Dest"));
    }

    /**
     * Whether {@code Origin} names the host and port the request was sent to ({@code Host}); the scheme is
     * not compared, as a proxy may end TLS before feedsync.
     */
    private static boolean sameOrigin(String origin, HttpServletRequest request) {
        String host = request.getHeader(HttpHeaders.HOST);
        if (host == null) {
            return false;
        }
        try {
            URI uri = new URI(origin.trim());
            if (uri.getHost() == null || uri.getScheme() == null) {
                return false; // "null" (a sandboxed frame, a file) is no origin of the node's
            }
            int defaultPort = uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
            URI sent = new URI(uri.getScheme() + "://" + host.trim());
            return uri.getHost().equalsIgnoreCase(sent.getHost())
                    && (uri.getPort() == -1 ? defaultPort : uri.getPort()) == (sent.getPort() == -1 ? defaultPort : sent.getPort());
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    /** An origin as the message may repeat it: short, and no control characters. */
    private static String printable(String origin) {
        String shown = origin.length() > 100 ? origin.substring(0, 100) + "…" : origin;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
