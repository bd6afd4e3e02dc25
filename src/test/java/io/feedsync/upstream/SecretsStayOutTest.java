package io.feedsync.upstream;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.feedsync.support.FeedsyncTest;
import io.feedsync.support.UpstreamSecrets;

import static org.assertj.core.api.Assertions.assertThat;

/** Credentials of every auth type, and the tokens they earn, never reach logs, run rows or API answers. */
@ExtendWith(OutputCaptureExtension.class)
class SecretsStayOutTest extends FeedsyncTest {

    @Test
    void noSecretOrTokenAppearsAnywhereAfterGoodAndBadRuns(CapturedOutput output) {
        UpstreamSecrets.Runs runs = UpstreamSecrets.runEveryAuthType(api, upstream);

        String runRows = jdbc.queryForList("select * from sync_run").stream().map(Map::toString).toList().toString();
        assertThat(runs.issuedTokens()).as("the OAuth2 feed was given tokens").isNotEmpty();
        for (String secret : Stream.concat(UpstreamSecrets.CONFIGURED.stream(), runs.issuedTokens().stream()).toList()) {
            assertThat(output.getAll()).as("logs").doesNotContain(secret);
            assertThat(runRows).as("sync_run").doesNotContain(secret);
            assertThat(runs.answers()).as("API answers").doesNotContain(secret);
        }
        assertThat(runRows).contains("api_key=****");
        assertThat(output.getAll()).as("the capture sees the run logs").contains("Feed plans-basic run")
                .contains("Feed plans-oauth2 run");
    }
}
