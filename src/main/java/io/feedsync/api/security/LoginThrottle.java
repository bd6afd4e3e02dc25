package io.feedsync.api.security;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.authentication.WebAuthenticationDetails;
import org.springframework.security.web.authentication.www.BasicAuthenticationConverter;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Rate-limits failed basic-auth logins ({@link FailedLogins}): put before the basic-auth filter, it
 * answers 429 with {@code Retry-After} to a basic-auth request from an address, or for a console
 * user, that failed too often in the window, before any password is checked; {@link #counting}
 * wraps the basic-auth filter's authentication to count the failures. API keys sent as
 * {@code Authorization: Bearer} or {@code X-API-Key} are not concerned (a digest compare, no
 * bcrypt). Settings: {@code feedsync.security.login-throttle.max-failures} (10) and
 * {@code .window} (1m).
 */
class LoginThrottle extends OncePerRequestFilter {

    private final FailedLogins failures;
    private final Predicate<String> isConsoleUser;
    private final JsonSecurityErrors errors;
    private final BasicAuthenticationConverter basic = new BasicAuthenticationConverter();

    LoginThrottle(int maxFailures, Duration window, Predicate<String> isConsoleUser, JsonSecurityErrors errors) {
        if (maxFailures < 1) {
            throw new SecurityConfigException("feedsync.security.login-throttle.max-failures", "must be at least 1");
        }
        if (window.isNegative() || window.isZero()) {
            throw new SecurityConfigException("feedsync.security.login-throttle.window", "must be positive");
        }
        this.failures = new FailedLogins(maxFailures, window, Clock.systemUTC());
        this.isConsoleUser = isConsoleUser;
        this.errors = errors;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String user = user(request);
        if (user != null) {
            Optional<Duration> wait = failures.waitFor(request.getRemoteAddr(), consoleUser(user));
            if (wait.isPresent()) {
                long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
                response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
                errors.write(response, 429, "too_many_requests", "too many failed logins from this address or for this "
                        + "user; try again in " + seconds + " s");
                return;
            }
        }
        chain.doFilter(request, response);
    }

    /** The basic-auth filter's authentication, counting each failure against the address and the user. */
    AuthenticationManager counting(AuthenticationManager manager) {
        return login -> {
            try {
                return manager.authenticate(login);
            } catch (AuthenticationException e) {
                if (login.getDetails() instanceof WebAuthenticationDetails details) {
                    failures.failed(details.getRemoteAddress(), consoleUser(login.getName()));
                }
                throw e;
            }
        };
    }

    private String consoleUser(String user) {
        return user != null && isConsoleUser.test(user) ? user : null;
    }

    /** The user name of a basic-auth request, or null (no basic auth, or not decodable: the basic-auth filter answers that). */
    private String user(HttpServletRequest request) {
        try {
            var login = basic.convert(request);
            return login == null ? null : login.getName();
        } catch (AuthenticationException malformed) {
            return null;
        }
    }
}
