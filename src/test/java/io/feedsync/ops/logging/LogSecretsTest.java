package io.feedsync.ops.logging;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What the log layout masks: registered secrets in their forms, credential headers, endpoint credentials. */
class LogSecretsTest {

    @Test
    void aSecretIsMaskedAsWrittenAndAsAQueryOrAFormCarriesIt() {
        LogSecrets.add("s3cret key/+=&x");

        assertThat(LogSecrets.mask("a s3cret key/+=&x, s3cret+key%2F%2B%3D%26x and s3cret%20key%2F%2B%3D%26x"))
                .isEqualTo("a ****, **** and ****");
        assertThat(LogSecrets.mask("abc")).as("nothing to mask in a short text").isEqualTo("abc");
    }

    @Test
    void basicCredentialsAreMaskedAsTheirHeaderToo() {
        LogSecrets.addBasicCredentials("partner", "pässword-42");
        String utf8 = Base64.getEncoder().encodeToString("partner:pässword-42".getBytes(StandardCharsets.UTF_8));
        String latin1 = Base64.getEncoder().encodeToString("partner:pässword-42".getBytes(StandardCharsets.ISO_8859_1));

        assertThat(LogSecrets.mask("sent " + utf8 + " or " + latin1 + " for partner")).isEqualTo("sent **** or **** for partner");
    }

    @Test
    void anyCredentialHeadersValueIsMaskedWhoeverSentIt() {
        assertThat(LogSecrets.mask("Authorization: Bearer unknown-token-1 | {authorization:\"Basic dXNlcjpwdw==\"}"
                + " | Cookie=JSESSIONID=abc | X-API-Key: caller-key | \"Authorization: Bearer t2[\\r][\\n]\""))
                .isEqualTo("Authorization: Bearer **** | {authorization:\"Basic ****\"} | Cookie=**** | X-API-Key: ****"
                        + " | \"Authorization: Bearer ****[\\r][\\n]\"");
    }

    @Test
    void aTokenRegisteredTwiceStaysMaskedUntilRemovedTwice() {
        LogSecrets.add("shared-token-77");
        LogSecrets.add("shared-token-77");
        LogSecrets.remove("shared-token-77");
        assertThat(LogSecrets.mask("shared-token-77")).isEqualTo("****");
        LogSecrets.remove("shared-token-77");
        assertThat(LogSecrets.mask("shared-token-77")).isEqualTo("shared-token-77");
    }

    @Test
    void theCredentialsOfAnEndpointUriAreMasked() {
        EndpointSecrets.register("https://hook-user:hook-Pass-1@hooks.example/x?authUsername=webhooks"
                + "&authPassword=RAW(p@ss+w0rd)&token=tok-Endpoint-9&timeout=5000");

        assertThat(LogSecrets.mask("hook-Pass-1 p@ss+w0rd tok-Endpoint-9 webhooks 5000"))
                .isEqualTo("**** **** **** webhooks 5000");
        assertThat(LogSecrets.mask(Base64.getEncoder().encodeToString("webhooks:p@ss+w0rd".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo("****");
    }
}
