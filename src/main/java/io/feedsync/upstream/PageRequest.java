package io.feedsync.upstream;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.hc.client5.http.DnsResolver;
import org.springframework.web.util.UriComponentsBuilder;
import org.springframework.web.util.UriUtils;

/**
 * One upstream page about to be requested: its URL, the headers to send with it, and how the feed's
 * connections resolve a host ({@link OutboundAddresses#resolverFor}), for a request the credentials
 * make on their own (an OAuth2 token).
 */
public final class PageRequest {

    private final UriComponentsBuilder url;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final DnsResolver resolver;

    public PageRequest(URI url, DnsResolver resolver) {
        this.url = UriComponentsBuilder.fromUri(url);
        this.resolver = resolver;
    }

    public PageRequest header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public PageRequest queryParam(String name, String value) {
        url.replaceQueryParam(name, UriUtils.encodeQueryParam(value, StandardCharsets.UTF_8));
        return this;
    }

    public URI uri() {
        return url.build(true).toUri();
    }

    public Map<String, String> headers() {
        return headers;
    }

    public DnsResolver resolver() {
        return resolver;
    }
}
