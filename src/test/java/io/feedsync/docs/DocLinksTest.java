package io.feedsync.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README.md and docs/*.md link to each other with relative paths and heading anchors; a page
 * renamed or a heading reworded must not leave a link pointing nowhere. And the README stays a
 * doorway: at most 12 KB, the rest lives in docs/.
 */
class DocLinksTest {

    private static final Path PROJECT = projectRoot();
    private static final long README_LIMIT = 12 * 1024;

    @Test
    void everyRelativeLinkOfTheReadmeAndTheDocsResolvesToAFileAndHeading() throws IOException {
        MarkdownLinks links = new MarkdownLinks(PROJECT);
        List<MarkdownLinks.Broken> broken = new ArrayList<>();
        for (Path page : pages()) {
            broken.addAll(links.broken(page));
        }
        assertThat(broken).as("broken links").isEmpty();
    }

    @Test
    void readmeIsAtMostTwelveKilobytes() throws IOException {
        assertThat(Files.size(PROJECT.resolve("README.md"))).isLessThanOrEqualTo(README_LIMIT);
    }

    @Test
    void aMissingFileOrHeadingIsReported(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("docs"));
        Files.writeString(dir.resolve("README.md"), """
                # Project

                See [the guide](docs/guide.md#getting-started), [gone](docs/gone.md),
                [a heading](docs/guide.md#no-such-heading) and [this](#project).

                ```
                [inside a code block](docs/ignored.md)
                ```
                """);
        Files.writeString(dir.resolve("docs/guide.md"), """
                # Guide

                ## Getting started

                Back to the [README](../README.md#project), the [web](https://example.org/x).
                """);

        MarkdownLinks links = new MarkdownLinks(dir);

        assertThat(links.broken(Path.of("README.md"))).map(Object::toString).containsExactly(
                "README.md: docs/gone.md (no such file)",
                "README.md: docs/guide.md#no-such-heading (no heading with anchor #no-such-heading in docs/guide.md)");
        assertThat(links.broken(Path.of("docs/guide.md"))).isEmpty();
    }

    @Test
    void anchorsAreGitHubSlugs() {
        assertThat(MarkdownLinks.slug("Authentication (`source.auth`)")).isEqualTo("authentication-sourceauth");
        assertThat(MarkdownLinks.slug("Against RFC 9110 §7")).isEqualTo("against-rfc-9110-7");
        assertThat(MarkdownLinks.slug("Modes: incremental and full")).isEqualTo("modes-incremental-and-full");
        assertThat(MarkdownLinks.slug("See [the API](api.md)")).isEqualTo("see-the-api");
    }

    /** Surefire runs the tests in target/: the project is the nearest directory up with the pom. */
    private static Path projectRoot() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("pom.xml"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no pom.xml above " + System.getProperty("user.dir"));
        }
        return dir;
    }

    private static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> docs = Files.list(PROJECT.resolve("docs"))) {
            docs.filter(path -> path.toString().endsWith(".md")).sorted()
                    .map(PROJECT::relativize).forEach(pages::add);
        }
        return pages;
    }
}
