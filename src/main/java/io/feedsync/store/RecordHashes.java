package io.feedsync.store;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.ExchangeProperty;
import org.postgresql.PGStatement;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;


/**
 * The repository of the sync route's idempotent consumer ({@link ChunkIdempotentConsumer}), backed by {@code sync_record_hash}:
 * a record whose key and content hash match what was last applied is a duplicate, counted as
 * unchanged and never written. At run start the feed's hashes are loaded once into a compact
 * in-memory index, so the check costs no database round trip per record; the hashes of applied
 * records are saved by {@link ChunkTransaction} in the transaction that writes them, so a failed chunk
 * leaves no claim behind. A record repeated with the same content inside one export is applied once.
 */
@Component("recordHashes")
public class RecordHashes extends ServiceSupport implements IdempotentRepository {

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final Map<Long, HashIndex> runs = new ConcurrentHashMap<>();
    /** Runs whose index holds every hash stored for the feed (a drift check's starts empty). */
    private final Set<Long> complete = ConcurrentHashMap.newKeySet();

    public RecordHashes(JdbcTemplate jdbc, TransactionTemplate transaction) {
        this.jdbc = jdbc;
        this.transaction = transaction;
    }

    /**
     * The SQL condition that {@code feed} wrote the row {@code alias} of {@code table}: it applied a
     * record under that row's key (a hash is stored for it), the key compared as text, as a record's
     * key is kept ({@code 'a|b'}). What a feed with {@code target.shared} soft-deletes is limited to that.
     * The feed's name is a validated feed name (lower-case letters, digits, '-'), written as a literal.
     */
    static String writtenBy(String feed, TargetTable table, String alias) {
        return "exists (select 1 from sync_record_hash own where own.feed = '" + feed.replace("'", "''")
                + "' and own.record_key = concat_ws('|', " + String.join(", ", table.key().stream()
                .map(c -> alias + "." + TargetTable.quoteIdentifier(c) + "::text").toList()) + "))";
    }

    /** Loads the feed's hashes for a run that starts. */
    public void load(@ExchangeProperty(StoreRun.PROPERTY) StoreRun run) {
        if (run.drift()) {
            // a drift check compares with the table itself, not with what feedsync last applied
            runs.put(run.runId(), new HashIndex(16));
            return;
        }
        int expected = jdbc.queryForObject("select count(*) from sync_record_hash where feed = ?", Integer.class,
                run.feed().name());
        HashIndex index = new HashIndex(expected);
        // in a (read-only) transaction: outside one, PostgreSQL's driver ignores the fetch size and
        // reads the whole result into memory first (1M hashes nearly exhausted a 256 MB heap)
        transaction.executeWithoutResult(status -> jdbc.query(connection -> {
            var statement = connection.prepareStatement(
                    "select key_hash, content_hash from sync_record_hash where feed = ?");
            statement.setFetchSize(10_000);
            // the two bigints come as 8 bytes each, not as text for the driver to parse
            statement.unwrap(PGStatement.class).setPrepareThreshold(-1);
            statement.setString(1, run.feed().name());
            return statement;
        }, row -> {
            index.put(row.getLong(1), row.getLong(2));
        }));
        runs.put(run.runId(), index);
        complete.add(run.runId());
    }

    /** Forgets a finished run's index. */
    public void release(StoreRun run) {
        runs.remove(run.runId());
        complete.remove(run.runId());
    }

    @Override
    public boolean contains(String messageId) {
        long[] id = parse(messageId);
        HashIndex index = runs.get(id[0]);
        return index != null && index.get(id[1], 0L) == id[2] && id[2] != 0L;
    }

    @Override
    public boolean add(String messageId) {
        long[] id = parse(messageId);
        return add(id[0], id[1], id[2]);
    }

    /**
     * {@link #add(String)} without the text: whether the record (key hash, content hash) is new to
     * the run's index, which from now on holds it — a repeat of it later in the export is a duplicate.
     */
    public boolean add(long runId, long keyHash, long contentHash) {
        return offer(runId, keyHash, contentHash) != Offer.DUPLICATE;
    }

    /** What {@link #offer} found. */
    public enum Offer {
        /** Applied already with this content: a duplicate. */
        DUPLICATE,
        /** New content for a key that has (or may have) a stored hash. */
        CHANGED,
        /**
         * A key with no stored hash: none when the run's index was loaded, and none offered by the
         * run since, so no row of {@code sync_record_hash} holds it.
         */
        UNSEEN_KEY
    }

    /**
     * What the run's index says of a record, claiming nothing: {@link #claim} records the chunk's
     * records once the chunk is on its way to the writer.
     */
    public Offer check(long runId, long keyHash, long contentHash) {
        HashIndex index = runs.get(runId);
        if (index == null) {
            return Offer.CHANGED;
        }
        synchronized (index) {
            long stored = index.get(keyHash, 0L);
            if (stored == contentHash) {
                return Offer.DUPLICATE;
            }
            return stored == 0L && complete.contains(runId) ? Offer.UNSEEN_KEY : Offer.CHANGED;
        }
    }

    /**
     * The chunk just queued for the writer: its records ({@link ChunkIdempotentConsumer#CLAIMS}) count
     * as applied for the rest of the run, so a repeat of one later in the export is a duplicate.
     */
    public void claim(@ExchangeProperty(StoreRun.PROPERTY) StoreRun run,
                      @ExchangeProperty(ChunkIdempotentConsumer.CLAIMS) long[] claims) {
        HashIndex index = runs.get(run.runId());
        if (index == null || claims == null) {
            return;
        }
        synchronized (index) {
            for (int i = 0; i < claims.length; i += 2) {
                index.put(claims[i], claims[i + 1]);
            }
        }
    }

    /** {@link #add(long, long, long)}, telling also whether the key is one the feed has no stored hash for. */
    public Offer offer(long runId, long keyHash, long contentHash) {
        HashIndex index = runs.get(runId);
        if (index == null) {
            return Offer.CHANGED;
        }
        synchronized (index) {
            Offer found = check(runId, keyHash, contentHash);
            if (found != Offer.DUPLICATE) {
                index.put(keyHash, contentHash);
            }
            return found;
        }
    }

    @Override
    public boolean remove(String messageId) {
        return true;
    }

    @Override
    public boolean confirm(String messageId) {
        return true;
    }

    @Override
    public void clear() {
        runs.clear();
        complete.clear();
    }

    private static long[] parse(String messageId) {
        String[] parts = messageId.split(":");
        return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2])};
    }
}
