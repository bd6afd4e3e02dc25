package io.feedsync.store;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Identifiers reach SQL quoted, a double quote inside one doubled: it cannot close the quote. */
class TargetTableTest {

    @Test
    void identifiersAreQuotedAndTheirQuotesDoubled() {
        assertThat(TargetTable.quoteIdentifier("plans")).isEqualTo("\"plans\"");
        assertThat(TargetTable.quoteIdentifier("x\" = now() --")).isEqualTo("\"x\"\" = now() --\"");
        assertThat(TargetTable.quote("sync.plans")).isEqualTo("\"sync\".\"plans\"");
    }
}
