package io.feedsync.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import io.feedsync.transform.TargetRow;
import io.feedsync.transform.TransformedRecord;

/**
 * Records written in one transaction, all or nothing: their rows merged into the target tables,
 * parents before children ({@link TargetTableWrites}), the rows of delete markers soft-deleted in
 * the feed's table, their content hashes saved (for the idempotent consumer of later runs, see
 * {@link RecordHashes}) and the dead letters of earlier runs for their keys settled. Each statement
 * is bounded by the feed's {@code statement-timeout}; a dry run's transaction is rolled back once
 * it has counted what it would do. A failure is thrown, the transaction rolled back.
 */
@Component
class ChunkTransaction {

    private static final String HASH_STAGE = "feedsync_stage_hashes";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final TargetTables tables;
    private final TargetTableWrites writes;
    private final DeadLetters deadLetters;

    ChunkTransaction(JdbcTemplate jdbc, TransactionTemplate transaction, TargetTables tables, TargetTableWrites writes,
                     DeadLetters deadLetters) {
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.tables = tables;
        this.writes = writes;
        this.deadLetters = deadLetters;
    }

    /**
     * Writes the records (one each per key) and answers what that did to the feed's table; a few keys
     * of each outcome go to {@code samples}. {@code unseenKeysByCopy}: the hashes of keys with none
     * stored go straight in by {@code COPY} (see {@link #saveHashes}).
     */
    UpsertCounts write(StoreRun run, Collection<TransformedRecord> records, RunSamples samples,
                       boolean unseenKeysByCopy) {
        String primary = run.feed().target().table();
        List<TransformedRecord> marked = records.stream().filter(TransformedRecord::deleteMarker).toList();
        Map<String, List<TargetRow>> byTable = rowsByTable(marked.isEmpty() ? records
                : records.stream().filter(record -> !record.deleteMarker()).toList());
        return transaction.execute(status -> {
            StatementTimeout.apply(jdbc, run.feed().statementTimeout());
            UpsertCounts written = UpsertCounts.NONE;
            for (Map.Entry<String, List<TargetRow>> table : byTable.entrySet()) {
                if (table.getKey().equals(primary)) {
                    written = writes.merge(tables.of(run.feed().name()), table.getValue(), samples, run);
                } else {
                    TargetTable secondary = tables.of(run.feed().name(), table.getKey(), table.getValue().get(0).key());
                    writes.merge(secondary, latestPerKey(secondary, table.getValue()), new RunSamples(), null);
                }
            }
            if (!marked.isEmpty()) {
                written = written.plus(writes.softDelete(run, tables.of(run.feed().name()), marked, samples));
            }
            saveHashes(run, records, unseenKeysByCopy);
            deadLetters.settle(run, records.stream().map(TransformedRecord::key).toList());
            if (run.dryRun()) {
                // a dry run learns exactly what the merge would do, then takes it back
                status.setRollbackOnly();
            }
            return written;
        });
    }

    /**
     * Remembers what was applied, for the idempotent consumer of later runs (see {@link RecordHashes}).
     * The hashes of keys that have none stored yet ({@link TransformedRecord#unseenKey()}: all of a
     * first load's) are {@code COPY}ed straight into {@code sync_record_hash}, which costs PostgreSQL
     * less than a merge; the others replace theirs through a staging table and {@code ON CONFLICT}.
     */
    private void saveHashes(StoreRun run, Collection<TransformedRecord> records, boolean unseenKeysByCopy) {
        String feed = run.feed().name();
        CopyText unseen = new CopyText(0);
        CopyText known = new CopyText(0);
        boolean anyUnseen = false;
        boolean anyKnown = false;
        for (TransformedRecord record : records) {
            if (unseenKeysByCopy && record.unseenKey()) {
                unseen.value(feed).tab();
                hashRow(unseen, record);
                anyUnseen = true;
            } else {
                hashRow(known, record);
                anyKnown = true;
            }
        }
        if (anyUnseen) {
            unseen.copyInto(jdbc, "COPY sync_record_hash (feed, record_key, key_hash, content_hash) FROM STDIN");
        }
        if (!anyKnown) {
            return;
        }
        jdbc.execute("CREATE TEMP TABLE IF NOT EXISTS " + HASH_STAGE
                + " (record_key text, key_hash bigint, content_hash bigint) ON COMMIT DELETE ROWS");
        known.copyInto(jdbc, "COPY " + HASH_STAGE + " FROM STDIN");
        jdbc.update("""
                insert into sync_record_hash (feed, record_key, key_hash, content_hash)
                select ?, record_key, key_hash, content_hash from feedsync_stage_hashes
                on conflict (feed, record_key) do update set key_hash = excluded.key_hash,
                                                             content_hash = excluded.content_hash,
                                                             changed_xid = pg_current_xact_id()""",
                feed);
    }

    private static void hashRow(CopyText lines, TransformedRecord record) {
        lines.value(record.key()).tab().value(record.digest().keyHash()).tab().value(record.digest().contentHash())
                .endRow();
    }

    /**
     * The records' rows grouped by table, parents before children: mappers list a record's rows
     * parents first, so a table goes after every table that stood before it in some record.
     */
    static Map<String, List<TargetRow>> rowsByTable(Collection<TransformedRecord> records) {
        Map<String, List<TargetRow>> byTable = new LinkedHashMap<>();
        Map<String, Integer> depth = new HashMap<>();
        for (TransformedRecord record : records) {
            for (int i = 0; i < record.rows().size(); i++) {
                TargetRow row = record.rows().get(i);
                byTable.computeIfAbsent(row.table(), t -> new ArrayList<>()).add(row);
                depth.merge(row.table(), i, Math::max);
            }
        }
        Map<String, List<TargetRow>> ordered = new LinkedHashMap<>();
        byTable.keySet().stream().sorted(Comparator.comparing(depth::get))
                .forEach(table -> ordered.put(table, byTable.get(table)));
        return ordered;
    }

    /** Rows of a shared parent (one partner for many plans) come once per key, the last winning. */
    private static List<TargetRow> latestPerKey(TargetTable table, List<TargetRow> rows) {
        Map<List<String>, TargetRow> latest = new LinkedHashMap<>();
        for (TargetRow row : rows) {
            List<String> key = table.key().stream().map(row.values()::get).toList();
            latest.remove(key);
            latest.put(key, row);
        }
        return new ArrayList<>(latest.values());
    }
}
