package io.feedsync.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import io.feedsync.run.RunState;
import io.feedsync.transform.TargetRow;
import io.feedsync.transform.TransformedRecord;

/**
 * The upsert step: writes one batch of transformed records to the feed's target table in one
 * transaction. A key that repeats inside the batch is applied once, the last one winning, since
 * PostgreSQL refuses to touch one row twice in a statement. Stale records (older than the
 * watermark) and superseded repeats count as unchanged.
 */
@Component("batchWriter")
public class BatchWriter {

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final TargetTables tables;
    private final Map<String, UpsertStatement> statements = new ConcurrentHashMap<>();

    public BatchWriter(JdbcTemplate jdbc, TransactionTemplate transaction, TargetTables tables) {
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.tables = tables;
    }

    public void write(@Body List<TransformedRecord> batch, @ExchangeProperty(RunState.PROPERTY) RunState run) {
        if (run.writeFailure() != null) {
            return;
        }
        try {
            Map<String, TargetRow> latest = new LinkedHashMap<>();
            for (TransformedRecord record : batch) {
                if (!record.stale()) {
                    latest.remove(record.key());
                    latest.put(record.key(), primaryRow(record, run));
                }
            }
            TargetTable table = tables.of(run.feed().name());
            UpsertCounts counts = transaction.execute(status -> {
                UpsertCounts written = upsert(table, new ArrayList<>(latest.values()));
                if (run.request().dryRun()) {
                    // a dry run learns exactly what the upsert would do, then takes it back
                    status.setRollbackOnly();
                }
                return written;
            });
            run.recordWritten(counts.plus(new UpsertCounts(0, 0, batch.size() - latest.size())));
        } catch (RuntimeException e) {
            run.recordWriteFailure(e);
        }
    }

    private static TargetRow primaryRow(TransformedRecord record, RunState run) {
        List<TargetRow> rows = record.rows();
        if (rows.size() != 1) {
            throw new IllegalStateException("feed '" + run.feed().name() + "' mapped a record to " + rows.size()
                    + " rows; one row per record into " + run.feed().target().table() + " is supported");
        }
        return rows.get(0);
    }

    private UpsertCounts upsert(TargetTable table, List<TargetRow> rows) {
        UpsertCounts counts = UpsertCounts.NONE;
        Map<List<String>, List<TargetRow>> byColumns = new LinkedHashMap<>();
        for (TargetRow row : rows) {
            byColumns.computeIfAbsent(List.copyOf(row.values().keySet()), k -> new ArrayList<>()).add(row);
        }
        for (Map.Entry<List<String>, List<TargetRow>> group : byColumns.entrySet()) {
            UpsertStatement statement = statements.computeIfAbsent(table.name() + group.getKey(),
                    k -> new UpsertStatement(table, group.getKey()));
            List<TargetRow> sameColumns = group.getValue();
            for (int from = 0; from < sameColumns.size(); from += statement.rowsPerStatement()) {
                List<TargetRow> chunk = sameColumns.subList(from,
                        Math.min(sameColumns.size(), from + statement.rowsPerStatement()));
                counts = counts.plus(execute(statement, chunk));
            }
        }
        return counts;
    }

    private UpsertCounts execute(UpsertStatement statement, List<TargetRow> rows) {
        return jdbc.execute((ConnectionCallback<UpsertCounts>) connection -> {
            try (PreparedStatement insert = connection.prepareStatement(statement.sql(rows.size()))) {
                int index = 1;
                for (TargetRow row : rows) {
                    for (String column : statement.columns()) {
                        insert.setString(index++, row.values().get(column));
                    }
                }
                long inserted = 0;
                long updated = 0;
                try (ResultSet result = insert.executeQuery()) {
                    while (result.next()) {
                        if (result.getBoolean(1)) {
                            inserted++;
                        } else {
                            updated++;
                        }
                    }
                }
                return new UpsertCounts(inserted, updated, rows.size() - inserted - updated);
            }
        });
    }
}
