package io.feedsync.store;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.QueryTimeoutException;

import io.feedsync.config.FeedDefinition;
import io.feedsync.config.RunMode;
import io.feedsync.transform.Chunk;
import io.feedsync.transform.TargetRow;
import io.feedsync.transform.TransformedRecord;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bisection's rules, without a database: bad data splits the records in halves until only the
 * refused ones are left, and those alone are dead-lettered; any other failure stops the writes,
 * dead-letters nothing and is answered; a hash stored by someone else during the run makes the
 * records go again with every hash through ON CONFLICT.
 */
class ChunkBisectionTest {

    private static final StoreRun RUN = new StoreRun(7, new FeedDefinition("items", null, RunMode.INCREMENTAL, false,
            null, null, null, 100, null, 0.5, null, null, null, List.of()), RunMode.INCREMENTAL, false, false, false,
            false, false);

    /** Dead letters kept in memory: the key of each record stored, with why. */
    private static class Letters extends DeadLetters {
        final List<String> keys = new ArrayList<>();

        Letters() {
            super(null, null, null);
        }

        @Override
        public void store(StoreRun run, JsonNode payload, String key, Throwable failure,
                          java.util.Map<String, String> parent) {
            keys.add(key);
        }
    }

    /** A database that refuses, as bad data, any transaction holding one of {@code bad}, and counts the attempts. */
    private static final class Database implements ChunkBisection.Attempt {
        final Set<String> bad;
        final List<Integer> attempts = new ArrayList<>();

        Database(String... bad) {
            this.bad = Set.of(bad);
        }

        @Override
        public UpsertCounts write(List<TransformedRecord> records, boolean unseenKeysByCopy) {
            attempts.add(records.size());
            if (records.stream().anyMatch(record -> bad.contains(record.key()))) {
                throw new DataIntegrityViolationException("check violated", new SQLException("check violated", "23514"));
            }
            return new UpsertCounts(records.size(), 0, 0);
        }
    }

    @Test
    void badDataIsSplitUntilOnlyTheRefusedRecordsAreLeftAndThoseAreDeadLettered() {
        Letters letters = new Letters();
        Database database = new Database("k2", "k5");

        ChunkBisection.Result result = new ChunkBisection(letters).write(RUN, records(8), database);

        assertThat(result.failure()).isNull();
        assertThat(result.counts()).isEqualTo(new UpsertCounts(6, 0, 0));
        assertThat(letters.keys).containsExactly("k2", "k5");
        assertThat(result.deadLettered()).extracting(Chunk.Rejection::key).containsExactly("k2", "k5");
        // 8 -> 4 + 4 -> (2 + 2) + (2 + 2) -> single records only where a half failed
        assertThat(database.attempts).containsExactly(8, 4, 2, 2, 1, 1, 4, 2, 1, 1, 2);
    }

    @Test
    void aChunkThatLandsIsWrittenOnce() {
        Database database = new Database();

        ChunkBisection.Result result = new ChunkBisection(new Letters()).write(RUN, records(5), database);

        assertThat(result.counts()).isEqualTo(new UpsertCounts(5, 0, 0));
        assertThat(result.deadLettered()).isEmpty();
        assertThat(database.attempts).containsExactly(5);
    }

    @Test
    void aFailureThatIsNotTheDatasStopsTheWritesAndIsAnswered() {
        Letters letters = new Letters();
        List<Integer> attempts = new ArrayList<>();
        QueryTimeoutException timeout = new QueryTimeoutException("statement timeout");
        ChunkBisection.Attempt database = (records, byCopy) -> {
            attempts.add(records.size());
            if (records.stream().anyMatch(record -> record.key().equals("k1"))) {
                throw new DataIntegrityViolationException("bad", new SQLException("bad", "22P02"));
            }
            throw timeout;
        };

        ChunkBisection.Result result = new ChunkBisection(letters).write(RUN, records(4), database);

        // the first half is split for its bad record; the timeout of its good half stops everything after it
        assertThat(result.failure()).isSameAs(timeout);
        assertThat(result.deadLettered()).isEmpty();
        assertThat(letters.keys).isEmpty();
        assertThat(result.counts()).isEqualTo(UpsertCounts.NONE);
        assertThat(attempts).containsExactly(4, 2, 1);
    }

    @Test
    void aHashStoredBySomeoneElseMakesTheRecordsGoAgainThroughOnConflict() {
        List<Boolean> byCopy = new ArrayList<>();
        ChunkBisection.Attempt database = (records, unseenKeysByCopy) -> {
            byCopy.add(unseenKeysByCopy);
            if (unseenKeysByCopy) {
                throw new DataIntegrityViolationException("duplicate key", new PSQLException(new ServerErrorMessage(
                        "SERROR\0C23505\0Mduplicate key value violates unique constraint\0tsync_record_hash\0")));
            }
            return new UpsertCounts(0, records.size(), 0);
        };
        Letters letters = new Letters();

        ChunkBisection.Result result = new ChunkBisection(letters).write(RUN, records(3), database);

        assertThat(result.failure()).isNull();
        assertThat(result.counts()).isEqualTo(new UpsertCounts(0, 3, 0));
        assertThat(letters.keys).isEmpty();
        assertThat(byCopy).containsExactly(true, false);
    }

    @Test
    void aUniqueViolationInTheTargetTableIsBadData() {
        Letters letters = new Letters();
        ChunkBisection.Attempt database = (records, unseenKeysByCopy) -> {
            throw new DataIntegrityViolationException("duplicate key", new PSQLException(new ServerErrorMessage(
                    "SERROR\0C23505\0Mduplicate key value violates unique constraint\0titems\0")));
        };

        ChunkBisection.Result result = new ChunkBisection(letters).write(RUN, records(2), database);

        assertThat(result.failure()).isNull();
        assertThat(letters.keys).containsExactly("k0", "k1");
    }

    @Test
    void deadLettersThatCannotBeStoredFailTheWrites() {
        IllegalStateException unavailable = new IllegalStateException("no connection");
        DeadLetters letters = new Letters() {
            @Override
            public void store(StoreRun run, JsonNode payload, String key, Throwable failure,
                          java.util.Map<String, String> parent) {
                if (key.equals("k3")) {
                    throw unavailable;
                }
                super.store(run, payload, key, failure, parent);
            }
        };

        ChunkBisection.Result result = new ChunkBisection(letters).write(RUN, records(4), new Database("k0", "k3"));

        assertThat(result.failure()).isSameAs(unavailable);
        // what was done before it stays in the answer: k0 dead-lettered, k1 and k2 written
        assertThat(result.deadLettered()).extracting(Chunk.Rejection::key).containsExactly("k0");
        assertThat(result.counts()).isEqualTo(new UpsertCounts(2, 0, 0));
    }

    private static List<TransformedRecord> records(int n) {
        return IntStream.range(0, n).mapToObj(i -> new TransformedRecord("k" + i,
                List.of(new TargetRow("items", Map.of("id", "k" + i))), JsonNodeFactory.instance.objectNode()
                        .put("id", "k" + i))).toList();
    }
}
