package io.feedsync.upstream;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
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
    private final RestClient http;
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
        SimpleClientHttpRequestFactory requests = new SimpleClientHttpRequestFactory();
        requests.setConnectTimeout(timeout);
        requests.setReadTimeout(timeout);
        this.http = RestClient.builder().requestFactory(requests).build();
        // the secret, in a form body (client-authentication: form) or in the basic header
        LogSecrets.addBasicCredentials(clientId, clientSecret);
    }

    @Override
    public void authorize(PageRequest request) {
        request.header(HttpHeaders.AUTHORIZATION, "Bearer " + token());
    }

    @Override
    public synchronized boolean invalidate() {
        retireToken();
        renewAt = Instant.MIN;
        return true;
    }

    private synchronized String token() {
        if (accessToken == null || !clock.instant().isBefore(renewAt)) {
            requestToken();
        }
        return accessToken;
    }

    private void requestToken() {
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
        try {
            response = http.post().uri(tokenUrl)
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
            throw new PageFetchException(FailureClass.TRANSIENT, null, tokenUrl.toString(),
                    "token endpoint unreachable: " + e.getMostSpecificCause().getClass().getSimpleName(), null);
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
