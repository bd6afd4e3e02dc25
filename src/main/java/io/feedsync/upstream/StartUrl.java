package io.feedsync.upstream;

import java.net.URI;

/**
 * Where an export starts as this node reaches it, from the feed's {@code source.url}; without such a
 * bean, the URL as configured. The demo profile has one: its sample feed fetches from this node's own
 * port, which a {@code server.port} of 0 leaves unknown until the web server has started.
 */
@FunctionalInterface
public interface StartUrl {

    URI resolve(URI configured);
}
