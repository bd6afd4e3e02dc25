package io.feedsync.notify;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.InvalidPayloadException;
import org.springframework.stereotype.Component;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedDefinition;

/**
 * Signs what a feed's notifications send when the feed has a {@code notify.secret}, as Stripe
 * does: {@code X-Feedsync-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">}. The
 * receiver recomputes it with the same secret, and refuses a body whose signature differs or whose
 * {@code t} is too old (a replay).
 */
@Component("webhookSignature")
public class WebhookSignature {

    public static final String HEADER = "X-Feedsync-Signature";
    private static final String ALGORITHM = "HmacSHA256";

    private final FeedCatalog catalog;
    private final Clock clock;

    public WebhookSignature(FeedCatalog catalog) {
        this.catalog = catalog;
        this.clock = Clock.systemUTC();
    }

    /** Sets the signature header on the message about to be sent, if the feed has a secret. */
    public void sign(@ExchangeProperty(ChangeDeliveries.FEED) String feed, Exchange exchange)
            throws InvalidPayloadException {
        FeedDefinition.Notify notify = catalog.get(feed).notifications();
        if (notify == null || notify.secret() == null) {
            return;
        }
        byte[] body = exchange.getMessage().getMandatoryBody(byte[].class);
        // the exact bytes signed are the bytes sent
        exchange.getMessage().setBody(body);
        exchange.getMessage().setHeader(HEADER, header(notify.secret(), clock.instant().getEpochSecond(), body));
    }

    /** {@code t=<timestamp>,v1=<signature>} of the body at that time. */
    static String header(String secret, long timestamp, byte[] body) {
        return "t=" + timestamp + ",v1=" + signature(secret, timestamp, body);
    }

    /** The hex HMAC-SHA256, keyed by the secret, of {@code "<timestamp>.<body>"}. */
    public static String signature(String secret, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
