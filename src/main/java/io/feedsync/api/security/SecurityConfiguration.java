package io.feedsync.api.security;

import java.io.IOException;
import java.time.Duration;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AuthenticationFilter;
import org.springframework.security.web.authentication.session.NullAuthenticatedSessionStrategy;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfFilter;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.csrf.CsrfTokenRequestAttributeHandler;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Who may do what (docs/security.md). API keys ({@code Authorization: Bearer} or {@code X-API-Key}) and basic auth
 * for the console; {@code viewer} reads, {@code operator} also writes and uses the console. A key scoped to
 * some feeds ({@code feeds: [...]}) sees only those in the API and gets no console, Jolokia or actuator
 * beyond health (see {@link FeedScope}, {@link FeedScopeFilter}). Only health
 * is open (and, in the demo profile, the sample upstream that feedsync fetches from itself).
 * Basic credentials are ambient in a browser, so unsafe requests made with them need the CSRF token that
 * the console sends back from the {@code XSRF-TOKEN} cookie; API keys are never sent by a browser on its own.
 * A request a browser sends for another site is refused on every path ({@link CrossSiteRequests}), Jolokia
 * takes operations by POST only ({@link JolokiaReadsByGet}), and failed basic-auth logins are rate-limited
 * ({@link LoginThrottle}).
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
public class SecurityConfiguration {

    private static final String VIEWER = Role.VIEWER.name();
    private static final String OPERATOR = Role.OPERATOR.name();
    private static final String SCOPED_VIEWER = Role.VIEWER.scoped();
    private static final String SCOPED_OPERATOR = Role.OPERATOR.scoped();

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http, ApiKeys apiKeys, ObjectMapper json,
                                            Environment environment, ConsoleLogin consoleLogin,
                                            @Value("${feedsync.security.login-throttle.max-failures:10}") int maxFailures,
                                            @Value("${feedsync.security.login-throttle.window:1m}") Duration window)
            throws Exception {
        JsonSecurityErrors errors = new JsonSecurityErrors(json);
        AuthenticationFilter apiKeyFilter = new AuthenticationFilter(
                new ProviderManager(new ApiKeyAuthenticationProvider(apiKeys)), new ApiKeyAuthenticationConverter());
        apiKeyFilter.setSuccessHandler((request, response, authentication) -> { });
        apiKeyFilter.setFailureHandler((request, response, failure) -> errors.commence(request, response, failure));
        LoginThrottle loginThrottle = new LoginThrottle(maxFailures, window, consoleLogin::isUser, errors);
        // a console user's password, or else an API key under its own name
        BasicAuthenticationFilter basicFilter = new BasicAuthenticationFilter(loginThrottle.counting(
                new ProviderManager(consoleLogin, new ApiKeyConsoleLogin(apiKeys))), errors);
        boolean demo = environment.acceptsProfiles(Profiles.of("demo"));

        http.authorizeHttpRequests(requests -> {
                    requests.dispatcherTypeMatchers(DispatcherType.ERROR).permitAll()
                            .requestMatchers("/actuator/health", "/actuator/health/**").permitAll();
                    if (demo) {
                        // the bundled sample feed fetches its upstream from feedsync itself
                        requests.requestMatchers(HttpMethod.GET, "/demo/**").permitAll();
                    }
                    // a key scoped to some feeds has its role's scoped form: the API only, and no
                    // feed definitions (a scoped key could otherwise redefine the feeds it names)
                    requests.requestMatchers(HttpMethod.PUT, "/api/feeds/*").hasRole(OPERATOR)
                            .requestMatchers(HttpMethod.DELETE, "/api/feeds/*").hasRole(OPERATOR)
                            // the audit trail names every feed and key: unscoped operators only
                            .requestMatchers(HttpMethod.GET, "/api/audit", "/api/audit/**").hasRole(OPERATOR)
                            .requestMatchers(HttpMethod.GET, "/api/**").hasAnyRole(VIEWER, OPERATOR, SCOPED_VIEWER, SCOPED_OPERATOR)
                            .requestMatchers("/api/**").hasAnyRole(OPERATOR, SCOPED_OPERATOR)
                            .requestMatchers("/actuator/hawtio", "/actuator/hawtio/**", "/actuator/jolokia",
                                    "/actuator/jolokia/**").hasRole(OPERATOR)
                            .requestMatchers("/actuator/**").hasAnyRole(VIEWER, OPERATOR)
                            .anyRequest().hasRole(OPERATOR);
                })
                // a foreign page's request is refused before anything else, a throttled login before its password is checked
                .addFilterBefore(new CrossSiteRequests(errors), CsrfFilter.class)
                .addFilterBefore(loginThrottle, CsrfFilter.class)
                // both before the CSRF check, so that wrong credentials are a 401, not a missing token
                .addFilterBefore(apiKeyFilter, CsrfFilter.class)
                .addFilterBefore(basicFilter, CsrfFilter.class)
                .exceptionHandling(handling -> handling.authenticationEntryPoint(errors).accessDeniedHandler(errors))
                .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(cache -> cache.disable())
                .formLogin(form -> form.disable())
                .logout(logout -> logout.disable())
                .csrf(csrf -> csrf
                        .csrfTokenRepository(CookieCsrfTokenRepository.withHttpOnlyFalse())
                        .csrfTokenRequestHandler(new CsrfTokenRequestAttributeHandler())
                        .requireCsrfProtectionMatcher(request -> !isSafe(request.getMethod()) && sendsBasic(request))
                        // Stateless basic auth "logs in" on every request; the default strategy would then
                        // replace the token each time, and the console's next POSTs (sent with the token it
                        // read before) would fail. No session, so no login to rotate the token at.
                        .sessionAuthenticationStrategy(new NullAuthenticatedSessionStrategy()))
                .addFilterAfter(new CsrfCookieFilter(), CsrfFilter.class);
        return http.build();
    }

    @Bean
    PasswordEncoder passwordEncoder() {
        return ConsoleUsers.passwordEncoder();
    }

    @Bean
    ConsoleLogin consoleUsers(SecurityProperties properties, PasswordEncoder encoder) {
        return ConsoleUsers.from(properties, encoder);
    }

    private static boolean sendsBasic(HttpServletRequest request) {
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        return authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6);
    }

    private static boolean isSafe(String method) {
        return "GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method) || "TRACE".equals(method);
    }

    /** Issues the XSRF-TOKEN cookie on every answer, so that the console has it before its first POST. */
    private static final class CsrfCookieFilter extends OncePerRequestFilter {

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            CsrfToken token = (CsrfToken) request.getAttribute(CsrfToken.class.getName());
            if (token != null && sendsBasic(request)) {
                token.getToken();
            }
            chain.doFilter(request, response);
        }
    }
}
