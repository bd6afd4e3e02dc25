package io.feedsync.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import io.feedsync.run.RunSamples;
import io.feedsync.run.RunState;
import io.feedsync.transform.RecordDigest;
import io.feedsync.transform.TargetRow;
import io.feedsync.transform.TransformedRecord;

/**
 * The upsert step: writes one batch of transformed records to the feed's target table in one
 * transaction. A key that repeats inside the batch is applied once, the last one winning, since
 * PostgreSQL refuses to touch one row twice in a statement. Records already applied unchanged
 * (idempotent consumer), stale records (older than the watermark) and superseded repeats count as
 * unchanged; the content hashes of the others are saved in the same transaction, and the dead
 * letters of earlier runs for the keys applied (or already applied) are settled. A batch that
 * fails on bad data is retried row by row and only the rows PostgreSQL rejects are dead-lettered;
 * any other failure (see {@link DatabaseFailure}) fails the run. Each statement is bounded by the
 * feed's {@code statement-timeout}.
 */
@Component("batchWriter")
public class BatchWriter {

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final TargetTables tables;
    private static final int HASH_ROWS_PER_STATEMENT = 5_000;

    private final DeadLetters deadLetters;
    private final SeenKeys seenKeys;
    private final Map<String, UpsertStatement> statements = new ConcurrentHashMap<>();

    public BatchWriter(JdbcTemplate jdbc, TransactionTemplate transaction, TargetTables tables,
                       DeadLetters deadLetters, SeenKeys seenKeys) {
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.tables = tables;
        this.deadLetters = deadLetters;
        this.seenKeys = seenKeys;
    }

    public void write(@Body List<TransformedRecord> batch, @ExchangeProperty(RunState.PROPERTY) RunState run) {
        if (run.writeFailure() != null) {
            return;
        }
        Map<String, TransformedRecord> latest = new LinkedHashMap<>();
        List<String> alreadyApplied = new ArrayList<>();
        for (TransformedRecord record : batch) {
            if (!record.toApply()) {
                run.samples().add(RunSamples.UNCHANGED, record.key());
                if (record.disposition() == TransformedRecord.Disposition.UNCHANGED) {
                    alreadyApplied.add(record.key());
                }
            } else {
                latest.remove(record.key());
                latest.put(record.key(), record);
            }
        }
        run.recordWritten(new UpsertCounts(0, 0, batch.size() - latest.size()));
        try {
            if (seenKeys.wanted(run)) {
                seenKeys.record(run, batch);
            }
            deadLetters.settle(run, alreadyApplied);
            run.recordWritten(inTransaction(run, latest.values()));
        } catch (RuntimeException batchFailure) {
            if (!DatabaseFailure.isBadData(batchFailure)) {
                // the database's fault (lost connection, timeout, deadlock, ...), not the rows':
                // the run fails, and a later one writes them
                run.recordWriteFailure(batchFailure);
                return;
            }
            // one bad row sinks the whole statement: apply the batch row by row, so that only
            // the bad rows go to the dead letters
            for (TransformedRecord record : latest.values()) {
                try {
                    run.recordWritten(inTransaction(run, List.of(record)));
                } catch (RuntimeException rowFailure) {
                    if (!DatabaseFailure.isBadData(rowFailure)) {
                        run.recordWriteFailure(rowFailure);
                        return;
                    }
                    deadLetters.store(run, record.source(), record.key(), rowFailure);
                }
            }
        }
    }

    /** Writes one record now, for a replay: a failure is thrown, not dead-lettered again. */
    public UpsertCounts writeNow(RunState run, TransformedRecord record) {
        return inTransaction(run, List.of(record));
    }

    private UpsertCounts inTransaction(RunState run, Collection<TransformedRecord> records) {
        String primary = run.feed().target().table();
        Map<String, List<TargetRow>> byTable = rowsByTable(records);
        return transaction.execute(status -> {
            StatementTimeout.apply(jdbc, run.feed().statementTimeout());
            UpsertCounts written = UpsertCounts.NONE;
            for (Map.Entry<String, List<TargetRow>> table : byTable.entrySet()) {
                if (table.getKey().equals(primary)) {
                    written = upsert(tables.of(run.feed().name()), table.getValue(), run.samples());
                } else {
                    TargetTable secondary = tables.of(run.feed().name(), table.getKey(), table.getValue().get(0).key());
                    upsert(secondary, latestPerKey(secondary, table.getValue()), new RunSamples());
                }
            }
            saveHashes(run, records);
            deadLetters.settle(run, records.stream().map(TransformedRecord::key).toList());
            if (run.request().dryRun()) {
                // a dry run learns exactly what the upsert would do, then takes it back
                status.setRollbackOnly();
            }
            return written;
        });
    }

    /** Remembers what was applied, for the idempotent consumer of later runs (see {@link RecordHashes}). */
    private void saveHashes(RunState run, Collection<TransformedRecord> records) {
        List<TransformedRecord> all = List.copyOf(records);
        for (int from = 0; from < all.size(); from += HASH_ROWS_PER_STATEMENT) {
            List<TransformedRecord> chunk = all.subList(from, Math.min(all.size(), from + HASH_ROWS_PER_STATEMENT));
            String[] keys = new String[chunk.size()];
            Long[] keyHashes = new Long[chunk.size()];
            Long[] contentHashes = new Long[chunk.size()];
            for (int i = 0; i < keys.length; i++) {
                RecordDigest digest = chunk.get(i).digest();
                keys[i] = chunk.get(i).key();
                keyHashes[i] = digest.keyHash();
                contentHashes[i] = digest.contentHash();
            }
            jdbc.update(connection -> {
                PreparedStatement insert = connection.prepareStatement("""
                        insert into sync_record_hash (feed, record_key, key_hash, content_hash)
                        select ?, k, kh, ch from unnest(cast(? as text[]), cast(? as bigint[]), cast(? as bigint[])) as u(k, kh, ch)
                        on conflict (feed, record_key) do update set key_hash = excluded.key_hash,
                                                                     content_hash = excluded.content_hash""");
                insert.setString(1, run.feed().name());
                insert.setArray(2, connection.createArrayOf("text", keys));
                insert.setArray(3, connection.createArrayOf("bigint", keyHashes));
                insert.setArray(4, connection.createArrayOf("bigint", contentHashes));
                return insert;
            });
        }
    }

    /**
     * The batch's rows grouped by table, parents before children: mappers list a record's rows
     * parents first, so a table goes after every table that stood before it in some record.
     */
    private static Map<String, List<TargetRow>> rowsByTable(Collection<TransformedRecord> records) {
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

    private UpsertCounts upsert(TargetTable table, List<TargetRow> rows, RunSamples samples) {
        UpsertCounts counts = UpsertCounts.NONE;
        // rows grouped by the columns they set (values are bound by column name, so order does not matter)
        Map<Set<String>, List<TargetRow>> byColumns = new LinkedHashMap<>();
        Set<String> lastColumns = null;
        List<TargetRow> lastGroup = null;
        for (TargetRow row : rows) {
            Set<String> columns = row.values().keySet();
            if (lastGroup == null || !sameInOrder(lastColumns, columns)) {
                lastColumns = columns;
                lastGroup = byColumns.computeIfAbsent(columns, k -> new ArrayList<>());
            }
            lastGroup.add(row);
        }
        for (Map.Entry<Set<String>, List<TargetRow>> group : byColumns.entrySet()) {
            List<String> columns = List.copyOf(group.getKey());
            UpsertStatement statement = statements.computeIfAbsent(table.name() + "/" + table.softDeleteColumn() + columns,
                    k -> new UpsertStatement(table, columns));
            List<TargetRow> sameColumns = group.getValue();
            for (int from = 0; from < sameColumns.size(); from += statement.rowsPerStatement()) {
                List<TargetRow> chunk = sameColumns.subList(from,
                        Math.min(sameColumns.size(), from + statement.rowsPerStatement()));
                counts = counts.plus(execute(statement, chunk, samples));
            }
        }
        return counts;
    }

    /** Cheaper than set equality for the usual case: the same column names (the same strings) in the same order. */
    private static boolean sameInOrder(Set<String> these, Set<String> those) {
        if (these.size() != those.size()) {
            return false;
        }
        Iterator<String> other = those.iterator();
        for (String column : these) {
            String next = other.next();
            if (column != next && !column.equals(next)) {
                return false;
            }
        }
        return true;
    }

    private UpsertCounts execute(UpsertStatement statement, List<TargetRow> rows, RunSamples samples) {
        return jdbc.execute((ConnectionCallback<UpsertCounts>) connection -> {
            try (PreparedStatement insert = connection.prepareStatement(statement.sql())) {
                List<String> columns = statement.columns();
                for (int c = 0; c < columns.size(); c++) {
                    String[] values = new String[rows.size()];
                    for (int r = 0; r < values.length; r++) {
                        values[r] = rows.get(r).values().get(columns.get(c));
                    }
                    insert.setArray(c + 1, connection.createArrayOf("text", values));
                }
                long inserted = 0;
                long updated = 0;
                try (ResultSet result = insert.executeQuery()) {
                    while (result.next()) {
                        if (result.getBoolean(1)) {
                            inserted++;
                            samples.add(RunSamples.INSERTED, result.getString(2));
                        } else {
                            updated++;
                            samples.add(RunSamples.UPDATED, result.getString(2));
                        }
                    }
                }
                return new UpsertCounts(inserted, updated, rows.size() - inserted - updated);
            }
        });
    }
}
