package io.feedsync.ops.logging;

import java.util.Set;

import org.apache.camel.support.processor.DefaultMaskingFormatter;

/**
 * Camel's log mask ({@code camel.main.log-mask}) as feedsync needs it: Camel's own list of sensitive
 * keys (password, token, secret, api_key, …) plus the credential headers it does not know
 * ({@code Authorization}, {@code Proxy-Authorization}, {@code Cookie}, {@code Set-Cookie}), whose
 * whole value is masked, and every secret value registered with {@link LogSecrets} (an api-key
 * header of any name, a token inside a URL).
 */
public class CredentialMaskingFormatter extends DefaultMaskingFormatter {

    static final Set<String> CREDENTIAL_HEADERS = Set.of("authorization", "cookie");

    public CredentialMaskingFormatter() {
        setCustomKeywords(CREDENTIAL_HEADERS);
        setMaskString(LogSecrets.MASK);
    }

    @Override
    public String format(String source) {
        return LogSecrets.mask(super.format(source));
    }
}
