package io.feedsync.upstream;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;

import io.feedsync.ops.logging.LogSecrets;

/**
 * {@code auth.type: oauth2-client-credentials} — RFC 6749 §4.4. The access token is requested
 * once and reused for every page until shortly before it expires; a token the upstream rejects
 * with 401 is dropped, so the next attempt gets a fresh one. The client authenticates to the
 * token endpoint with HTTP Basic (RFC 6749 §2.3.1) unless {@code client-authentication: form}.
 * The token request connects as the feed's pages do ({@link PageRequest#resolver()}): for a feed
 * defined over the API, only where {@link OutboundRule} allows.
 */
public final class OAuth2ClientCredentials implements Authentication {

    /** A token is renewed this long before its stated expiry, so it never expires mid-request. */
    static final Duration EXPIRY_MARGIN = Duration.ofSeconds(30);
    private static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(5);

    private final URI tokenUrl;
    private final String clientId;
    private final String clientSecret;
    private final String scope;
    private final boolean basicClientAuthentication;
    private final Clock clock;
    private final Timeout timeout;
    private String accessToken;
    private String previousToken;
    private Instant renewAt = Instant.MIN;

    public OAuth2ClientCredentials(URI tokenUrl, String clientId, String clientSecret, String scope,
                                   boolean basicClientAuthentication, Duration timeout, Clock clock) {
        this.tokenUrl = tokenUrl;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.scope = scope;
        this.basicClientAuthentication = basicClientAuthentication;
        this.clock = clock;
        this.timeout = Timeout.of(timeout);
        // the secret, in a form body (client-authentication: form) or in the basic header
        LogSecrets.addBasicCredentials(clientId, clientSecret);
    }

    @Override
    public void authorize(PageRequest request) {
        request.header(HttpHeaders.AUTHORIZATION, "Bearer " + token(request.resolver()));
    }

    @Override
    public synchronized boolean invalidate() {
        retireToken();
        renewAt = Instant.MIN;
        return true;
    }

    private synchronized String token(DnsResolver resolver) {
        if (accessToken == null || !clock.instant().isBefore(renewAt)) {
            requestToken(resolver);
        }
        return accessToken;
    }

    private void requestToken(DnsResolver resolver) {
        MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
        form.add("grant_type", "client_credentials");
        if (scope != null) {
            form.add("scope", scope);
        }
        if (!basicClientAuthentication) {
            form.add("client_id", clientId);
            form.add("client_secret", clientSecret);
        }
        Instant requestedAt = clock.instant();
        JsonNode response;
        CloseableHttpClient client = client(resolver);
        try {
            response = RestClient.builder().requestFactory(new HttpComponentsClientHttpRequestFactory(client)).build()
                    .post().uri(tokenUrl)
                    .contentType(MediaType.APPLICATION_FORM_URLENCODED)
                    .accept(MediaType.APPLICATION_JSON)
                    .headers(headers -> {
                        if (basicClientAuthentication) {
                            headers.setBasicAuth(clientId, clientSecret);
                        }
                    })
                    .body(form)
                    .retrieve()
                    .body(JsonNode.class);
        } catch (RestClientResponseException e) {
            int status = e.getStatusCode().value();
            throw new PageFetchException(status >= 500 || status == 429 ? FailureClass.TRANSIENT : FailureClass.PERMANENT,
                    status, tokenUrl.toString(), "token endpoint answered HTTP " + status, null);
        } catch (ResourceAccessException e) {
            AddressRefusedException refused = AddressRefusedException.in(e);
            if (refused != null) {
                throw new PageFetchException(FailureClass.PERMANENT, null, tokenUrl.toString(),
                        "token endpoint: " + refused.getMessage(), null);
            }
            throw new PageFetchException(FailureClass.TRANSIENT, null, tokenUrl.toString(),
                    "token endpoint unreachable: " + e.getMostSpecificCause().getClass().getSimpleName(), null);
        } finally {
            client.close(CloseMode.GRACEFUL);
        }
        JsonNode token = response == null ? null : response.get("access_token");
        if (token == null || !token.isTextual() || token.asText().isEmpty()) {
            throw new PageFetchException(FailureClass.PERMANENT, null, tokenUrl.toString(),
                    "token endpoint answered without an access_token", null);
        }
        Duration lifetime = response.hasNonNull("expires_in")
                ? Duration.ofSeconds(response.get("expires_in").asLong()) : DEFAULT_LIFETIME;
        retireToken();
        accessToken = token.asText();
        LogSecrets.add(accessToken);
        renewAt = requestedAt.plus(lifetime).minus(EXPIRY_MARGIN);
    }

    /**
     * A client for one token request (one a token's lifetime): no retries, no redirects, no cookies;
     * TLS as the JVM's system properties configure it.
     */
    private CloseableHttpClient client(DnsResolver resolver) {
        return HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .useSystemProperties()
                        .setDnsResolver(resolver)
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(timeout).setSocketTimeout(timeout).build())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(timeout).build())
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .build();
    }

    /**
     * The current token is no longer sent. It stays masked in the logs (a line about its last request
     * may still come) until the next one retires; the one retired before it is forgotten.
     */
    private void retireToken() {
        if (accessToken != null) {
            LogSecrets.remove(previousToken);
            previousToken = accessToken;
            accessToken = null;
        }
    }

    @Override
    public String toString() {
        return "oauth2-client-credentials(" + tokenUrl + ", client " + clientId + ", secret ****)";
    }
}
