package io.feedsync.demo;

import java.net.URI;

import org.springframework.context.annotation.Profile;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import org.springframework.web.util.UriComponentsBuilder;

import io.feedsync.upstream.StartUrl;

/**
 * DEMO ONLY (profile {@code demo}): the sample feed's URL names {@code ${server.port}}, which is 0
 * when the port is left to the system ({@code server.port=0}, {@code PORT=0}). A URL of this node's
 * demo export on port 0 is sent to the port the web server took ({@code local.server.port}).
 */
@Component
@Profile("demo")
class DemoExportPort implements StartUrl {

    private final Environment environment;

    DemoExportPort(Environment environment) {
        this.environment = environment;
    }

    @Override
    public URI resolve(URI configured) {
        String port = environment.getProperty("local.server.port");
        if (port == null || configured.getPort() != 0 || !"localhost".equals(configured.getHost())
                || configured.getRawPath() == null || !configured.getRawPath().startsWith("/demo/")) {
            return configured;
        }
        return UriComponentsBuilder.fromUri(configured).port(Integer.parseInt(port)).build(true).toUri();
    }
}
