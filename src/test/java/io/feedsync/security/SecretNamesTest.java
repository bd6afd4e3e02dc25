package io.feedsync.security;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.feedsync.config.SecretNames;
import io.feedsync.config.SecretPlaceholders;

import static io.feedsync.config.SecretNames.Verdict.ALLOWED;
import static io.feedsync.config.SecretNames.Verdict.NODE_SETTING;
import static io.feedsync.config.SecretNames.Verdict.NOT_LISTED;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which {@code ${NAME}} a feed defined over the API may read, without the application: the names
 * and prefixes of {@code feedsync.security.secret-names}, every spelling of one setting alike, and
 * never the node's own settings, whatever the list says.
 */
class SecretNamesTest {

    /** The node's own settings in the spellings Spring reads them by (property, environment, odd separators). */
    private static final List<String> NODE_SETTINGS = List.of(
            "SPRING_DATASOURCE_PASSWORD", "spring.datasource.password", "Spring.DataSource.Password",
            "spring_datasource_password", "SPRING__DATASOURCE__PASSWORD", ".spring.datasource.password",
            "spring.data-source.password", "spring.datasource.url",
            "feedsync.security.api-keys.ops-bot.key", "FEEDSYNC_SECURITY_APIKEYS_OPSBOT_KEY",
            "FEEDSYNC_SECURITY_API_KEYS_OPS_BOT_KEY", "feedsync.security.console-users.admin.password",
            "FEEDSYNC_CONSOLE_PASSWORD", "FEEDSYNC_OPERATOR_KEY", "FEEDSYNC_VIEWER_KEY",
            "feedsync.embedded-database.data-dir", "FEEDSYNC_EMBEDDEDDATABASE_PASSWORD",
            "FEEDSYNC_EMBEDDED_DATABASE_PASSWORD", "FEEDSYNC_SECURITY_CONSOLE_USERS_ADMIN_PASSWORD",
            "feedsync.feeds.plans-basic.source.auth.password", "server.port", "SERVER_SSL_KEY_STORE_PASSWORD",
            "management.endpoint.health.roles", "camel.component.kafka.sasl-jaas-config",
            "app.datasource.password", "DATASOURCE_PASSWORD");

    @Test
    void byDefaultOnlyFeedsyncSecretNamesInAnySpelling() {
        SecretNames names = new SecretNames(SecretNames.DEFAULT);

        assertThat(names.judge("FEEDSYNC_SECRET_PARTNER_TOKEN")).isEqualTo(ALLOWED);
        assertThat(names.judge("feedsync.secret.partner-token")).as("the property spelling of the same").isEqualTo(ALLOWED);
        assertThat(names.judge("FEEDSYNC_SECRETS_X")).as("a prefix ends at its separator").isEqualTo(NOT_LISTED);
        assertThat(names.judge("FEEDSYNC_SECRET")).isEqualTo(NOT_LISTED);
        assertThat(names.judge("HOME")).isEqualTo(NOT_LISTED);
        assertThat(names.judge("PARTNER_TOKEN")).isEqualTo(NOT_LISTED);
    }

    @Test
    void exactNamesAndPrefixesFromTheList() {
        SecretNames names = new SecretNames(List.of("PARTNER_TOKEN", "partners.*", "ACME*"));

        assertThat(names.judge("PARTNER_TOKEN")).isEqualTo(ALLOWED);
        assertThat(names.judge("partner.token")).isEqualTo(ALLOWED);
        assertThat(names.judge("PARTNER_TOKEN_2")).as("an exact name is not a prefix").isEqualTo(NOT_LISTED);
        assertThat(names.judge("PARTNERS_EXPORT_KEY")).isEqualTo(ALLOWED);
        assertThat(names.judge("ACMEKEY")).isEqualTo(ALLOWED);
        assertThat(names.judge("ACME_KEY")).isEqualTo(ALLOWED);
        assertThat(names.judge("FEEDSYNC_SECRET_X")).as("the default is replaced by the list").isEqualTo(NOT_LISTED);
        assertThat(new SecretNames(List.of()).judge("FEEDSYNC_SECRET_X")).as("an empty list allows none")
                .isEqualTo(NOT_LISTED);
    }

    @Test
    void theNodesOwnSettingsAreNeverReadableWhateverTheListSays() {
        SecretNames everything = new SecretNames(List.of("*"));
        SecretNames listedByName = new SecretNames(NODE_SETTINGS);

        assertThat(everything.judge("HOME")).isEqualTo(ALLOWED);
        for (String setting : NODE_SETTINGS) {
            assertThat(everything.judge(setting)).as(setting).isEqualTo(NODE_SETTING);
            assertThat(listedByName.judge(setting)).as(setting + ", even listed").isEqualTo(NODE_SETTING);
            assertThat(new SecretNames(SecretNames.DEFAULT).judge(setting)).as(setting).isEqualTo(NODE_SETTING);
        }
        assertThat(new SecretNames(List.of("SPRING_*")).judge("SPRING_DATASOURCE_PASSWORD")).isEqualTo(NODE_SETTING);
        assertThat(new SecretNames(List.of("*")).judge("FEEDSYNC_SECRET_DB_PASSWORD")).as("a secret of the list's own")
                .isEqualTo(ALLOWED);
    }

    @Test
    void aPlaceholderIsAPlainNameWithoutDefaultOrNesting() {
        assertThat(SecretPlaceholders.wellFormed("https://h/x?token=${FEEDSYNC_SECRET_HOOK}&a=${A.b-c}")).isTrue();
        assertThat(SecretPlaceholders.names("https://h/${A}/x?token=${B}")).containsExactly("A", "B");
        assertThat(SecretPlaceholders.wellFormed("${A:fallback}")).isFalse();
        assertThat(SecretPlaceholders.wellFormed("${${A}}")).isFalse();
        assertThat(SecretPlaceholders.wellFormed("${A")).isFalse();
        assertThat(SecretPlaceholders.wellFormed("${}")).isFalse();
    }
}
