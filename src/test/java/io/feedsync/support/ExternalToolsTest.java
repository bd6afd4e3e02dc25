package io.feedsync.support;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A missing tool skips its test on a bare machine, and fails it where CI says the tools must be there. */
class ExternalToolsTest {

    private static final Path NOWHERE = Path.of("/nonexistent/feedsync-tool");

    @Test
    void aMissingToolSkipsOrFailsAsTheMachineIsToldToHaveIt() {
        if (ExternalTools.required()) {
            assertThatThrownBy(() -> ExternalTools.require("a tool", "install it", NOWHERE))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining(ExternalTools.REQUIRE + "=true");
        } else {
            assertThatThrownBy(() -> ExternalTools.require("a tool", "install it", NOWHERE))
                    .isInstanceOf(TestAbortedException.class)
                    .hasMessageContaining("a tool is not installed (install it)");
        }
    }

    @Test
    void aToolThatIsThereIsUsed() {
        assertThat(ExternalTools.requireOnPath("sh", "a POSIX shell")).isExecutable();
    }
}
