package io.feedsync.upstream;

import java.util.List;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.springframework.stereotype.Component;

/**
 * The headers of a page request that carry the feed's credentials — {@link #ALWAYS}, and the api-key
 * header of {@code source.auth} — and the request URI, which may carry a secret query parameter.
 * The fetch route removes them as soon as the HTTP call returns, answered or not
 * ({@code routes/feed-fetch.yaml}): no step after the call — the response checks, the split, an error
 * path, an error handler — sees them.
 */
@Component("credentialHeaders")
public class CredentialHeaders {

    static final List<String> ALWAYS = List.of("Authorization", "Proxy-Authorization", "Cookie",
            Exchange.HTTP_URI, Exchange.HTTP_QUERY, Exchange.HTTP_RAW_QUERY);

    public void remove(Exchange exchange) {
        Message message = exchange.getMessage();
        ALWAYS.forEach(message::removeHeader);
        PageProgress run = exchange.getProperty(PageProgress.PROPERTY, PageProgress.class);
        if (run != null) {
            run.source().auth().credentialHeaders().forEach(message::removeHeader);
        }
    }
}
