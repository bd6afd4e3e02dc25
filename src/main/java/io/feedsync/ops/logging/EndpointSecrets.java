package io.feedsync.ops.logging;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;

import org.apache.camel.util.SensitiveUtils;
import org.apache.camel.util.URISupport;

/**
 * The credentials a Camel endpoint URI carries (a webhook's {@code https://user:password@…}, its
 * {@code authPassword}, {@code token}, … parameters: those Camel itself deems sensitive, user names
 * aside), registered with {@link LogSecrets} so that no log shows them, nor the basic-auth header
 * made of them.
 */
public final class EndpointSecrets {

    private EndpointSecrets() {
    }

    public static void register(String endpointUri) {
        if (endpointUri == null) {
            return;
        }
        try {
            int query = endpointUri.indexOf('?');
            Map<String, Object> parameters = query < 0 ? Map.of()
                    : URISupport.parseQuery(endpointUri.substring(query + 1), true, true);
            URISupport.resolveRawParameterValues(parameters);
            parameters.forEach((name, value) -> {
                if (value != null && SensitiveUtils.containsSensitive(name)
                        && !name.toLowerCase(Locale.ROOT).contains("user")) {
                    LogSecrets.add(value.toString());
                }
            });
            if (parameters.get("authUsername") != null && parameters.get("authPassword") != null) {
                LogSecrets.addBasicCredentials(parameters.get("authUsername").toString(),
                        parameters.get("authPassword").toString());
            }
            String userInfo = URI.create(query < 0 ? endpointUri : endpointUri.substring(0, query)).getRawUserInfo();
            if (userInfo != null && userInfo.contains(":")) {
                String[] credentials = userInfo.split(":", 2);
                LogSecrets.addBasicCredentials(credentials[0], credentials[1]);
            }
        } catch (RuntimeException | URISyntaxException unparsable) {
            // an endpoint URI Camel cannot read either: the feed's validation or route creation says so
        }
    }
}
