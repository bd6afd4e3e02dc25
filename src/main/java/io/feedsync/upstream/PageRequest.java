package io.feedsync.upstream;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.web.util.UriComponentsBuilder;
import org.springframework.web.util.UriUtils;

/** One upstream page about to be requested: its URL and the headers to send with it. */
public final class PageRequest {

    private final UriComponentsBuilder url;
    private final Map<String, String> headers = new LinkedHashMap<>();

    public PageRequest(URI url) {
        this.url = UriComponentsBuilder.fromUri(url);
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
}
