package io.feedsync.support;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;

/**
 * Tests that drive a tool from outside the JVM (Debian's Chromium, promtool, an npm linter) use it
 * when the machine has it. Where it is missing, the test is skipped with a loud reason, so that
 * README's test command passes on a machine with nothing but a JDK; CI ({@code .ci/run}) installs
 * the tools and sets {@code FEEDSYNC_REQUIRE_EXTERNAL_TOOLS=true}, which turns a missing tool into a
 * failure, so that no such test can silently disappear there.
 */
public final class ExternalTools {

    public static final String REQUIRE = "FEEDSYNC_REQUIRE_EXTERNAL_TOOLS";

    private ExternalTools() {
    }

    /** The first of {@code candidates} that is an executable file; skips or fails the test when none is. */
    public static Path require(String tool, String installHint, Path... candidates) {
        for (Path candidate : candidates) {
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        String reason = tool + " is not installed (" + installHint + "); looked for "
                + java.util.Arrays.toString(candidates);
        if (required()) {
            throw new AssertionError(reason + ", and " + REQUIRE + "=true says this machine must have it");
        }
        System.err.println("SKIPPED: " + reason + ". Set " + REQUIRE + "=true to make this a failure.");
        Assumptions.abort(reason);
        return null;
    }

    /** The executable named {@code command} on the PATH, as {@link #require} does for fixed paths. */
    public static Path requireOnPath(String command, String installHint) {
        String path = System.getenv().getOrDefault("PATH", "");
        return require(command, installHint, java.util.Arrays.stream(path.split(java.io.File.pathSeparator))
                .filter(dir -> !dir.isBlank())
                .map(dir -> Path.of(dir, command))
                .toArray(Path[]::new));
    }

    static boolean required() {
        return "true".equalsIgnoreCase(System.getenv(REQUIRE));
    }
}
