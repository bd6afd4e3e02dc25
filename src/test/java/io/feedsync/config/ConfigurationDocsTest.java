package io.feedsync.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * docs/configuration.md and the keys a feed may have agree: every key its "Every key" table names is
 * one feedsync knows, and every key feedsync knows is documented there, by its full name in the
 * table or, for a key of a group with a section of its own ({@code source.auth.token-url}), by its
 * name in that section.
 */
class ConfigurationDocsTest {

    private static final Path DOC = Path.of("..", "docs", "configuration.md");
    private static final Pattern TABLE_KEY = Pattern.compile("^\\| `([a-z][a-z0-9.-]*)` \\|");
    /** A row of a key table: the key and its default. */
    private static final Pattern TABLE_ROW = Pattern.compile("^\\| `([a-z][a-z0-9.-]*)` \\| ([^|]*) \\|");

    @Test
    void everyKeyOfTheTableIsAKeyFeedsyncKnows() throws IOException {
        List<String> named = tableKeys();

        assertThat(named).as("keys in the table").hasSizeGreaterThan(30);
        for (String key : named) {
            assertThatCode(() -> KnownKeys.check("feedsync.feeds.x", key)).as(key).doesNotThrowAnyException();
        }
    }

    @Test
    void everyKeyFeedsyncKnowsIsDocumented() throws IOException {
        String doc = Files.readString(docPath());
        List<String> table = tableKeys();
        List<String> undocumented = new ArrayList<>();
        for (String key : FeedSchema.keys().stream().map(SchemaKey.Named::path).toList()) {
            boolean inTable = table.contains(key) || table.stream().anyMatch(group -> key.startsWith(group + "."));
            String leaf = key.substring(key.lastIndexOf('.') + 1);
            boolean inItsSection = table.stream().anyMatch(group -> key.startsWith(group + "."))
                    && (doc.contains("`" + leaf + "`") || doc.contains("`" + leaf + ":") || doc.contains(leaf + ":"));
            if (!inTable || table.stream().anyMatch(group -> key.startsWith(group + ".")) && !inItsSection) {
                undocumented.add(key);
            }
        }
        assertThat(undocumented).as("feed keys docs/configuration.md does not name").isEmpty();
    }

    /**
     * The default the table gives a key is the schema's ({@link FeedSchema}), which the checks apply:
     * {@code `30s`} where the schema says 30s, and "none", "required" or "–" where it has none.
     */
    @Test
    void everyDefaultOfTheTablesIsTheSchemas() throws IOException {
        List<String> wrong = new ArrayList<>();
        int compared = 0;
        for (String line : Files.readAllLines(docPath())) {
            Matcher row = TABLE_ROW.matcher(line);
            if (!row.find() || !FeedValidator.isKnownKey(row.group(1))) {
                continue;
            }
            String key = row.group(1);
            String documented = row.group(2).trim();
            SchemaKey schema = FeedSchema.at(key);
            String expected = switch (schema.kind()) {
                case VARIANTS -> "`{ type: " + schema.defaultValue() + " }`";
                case LIST -> key.startsWith("notify.") ? "`[]`" : null;
                default -> schema.defaultValue() == null ? null
                        : "`" + (schema.defaultValue().isEmpty() ? "\"\"" : schema.defaultValue()) + "`";
            };
            compared++;
            if (expected == null ? documented.startsWith("`") && !key.equals("target.soft-delete-after")
                    : !documented.equals(expected)) {
                wrong.add(key + ": the docs say " + documented + ", the schema " + (expected == null ? "none" : expected));
            }
        }
        assertThat(compared).as("rows compared").isGreaterThan(35);
        assertThat(wrong).as("defaults docs/configuration.md and FeedSchema disagree on").isEmpty();
    }

    private static List<String> tableKeys() throws IOException {
        List<String> keys = new ArrayList<>();
        boolean inTable = false;
        for (String line : Files.readAllLines(docPath())) {
            if (line.startsWith("## Every key")) {
                inTable = true;
            } else if (inTable && line.startsWith("## ")) {
                break;
            }
            Matcher key = TABLE_KEY.matcher(line);
            if (inTable && key.find()) {
                keys.add(key.group(1));
            }
        }
        return keys;
    }

    /** Tests run in target/ (see the pom); the docs are the project's. */
    private static Path docPath() {
        return Files.exists(DOC) ? DOC : Path.of("docs", "configuration.md");
    }
}
