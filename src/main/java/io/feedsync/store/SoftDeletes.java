package io.feedsync.store;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;


/**
 * The full-refresh step at the end of the sync route, reached only when every page was fetched:
 * rows of the target table that the run did not see get the soft-delete timestamp (never a hard
 * delete), unless that is more than the feed's deletion guard allows and the trigger did not say
 * {@code confirm: true} — then the run fails and nothing is deleted. Nothing is deleted either when
 * a record was dead-lettered before its key was known (without {@code confirm: true}): its row
 * cannot be told apart from the rows that are really gone. The dead letters of records gone
 * upstream are settled with the rows. A dry run only counts, and so does a drift check, which
 * counts the rows the upstream lacks even for a feed without soft-delete. For a feed with a
 * {@code notify} section, each row soft-deleted makes a {@code deleted} change event, in the same
 * statement ({@link ChangeOutbox}).
 */
@Component("softDeletes")
public class SoftDeletes {

    private static final Logger log = LoggerFactory.getLogger(SoftDeletes.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final TargetTables tables;
    private final SeenKeys seenKeys;
    private final DeadLetters deadLetters;

    public SoftDeletes(JdbcTemplate jdbc, TransactionTemplate transaction, TargetTables tables, SeenKeys seenKeys,
                       DeadLetters deadLetters) {
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.tables = tables;
        this.seenKeys = seenKeys;
        this.deadLetters = deadLetters;
    }

    /** Soft-deletes what a full run did not see (a dry run or drift check only counts it); answers what it did. */
    public SoftDeleted apply(@ExchangeProperty(StoreRun.PROPERTY) StoreRun run) {
        TargetTable table = tables.of(run.feed().name());
        if (!run.full() || table.softDeleteColumn() == null && !run.drift()) {
            return SoftDeleted.NONE;
        }
        try {
            if (run.keylessRejections() > 0 && !run.drift() && !run.confirm()) {
                // any row could belong to a record that was rejected before its key was known
                log.warn("Feed {} run {}: soft-delete skipped: {} records were dead-lettered before their key was known,"
                        + " so no row can be called gone; fix or replay them, or run with confirm: true",
                        run.feed().name(), run.runId(), run.keylessRejections());
                return SoftDeleted.NONE;
            }
            // one transaction, so that the feed's statement-timeout bounds the counts and the update
            return transaction.execute(status -> {
                StatementTimeout.apply(jdbc, run.feed().statementTimeout());
                return softDelete(run, table);
            });
        } finally {
            seenKeys.forget(run.runId());
        }
    }

    /** Soft-deletes the rows the run did not see, or in a dry run counts them. */
    private SoftDeleted softDelete(StoreRun run, TargetTable table) {
        String column = table.softDeleteColumn() == null ? null : TargetTable.quoteIdentifier(table.softDeleteColumn());
        String alivePredicate = column == null ? "true" : "t." + column + " is null";
        String unseen = " from " + table.quotedName() + " t where " + alivePredicate + " and not exists"
                + " (select 1 from sync_seen_key s where s.run_id = ? and " + keyMatch(table) + ")";
        long alive = jdbc.queryForObject("select count(*) from " + table.quotedName() + " t where "
                + alivePredicate, Long.class);
        long missing = jdbc.queryForObject("select count(*)" + unseen, Long.class, run.runId());
        String keyText = String.join(", ", table.key().stream()
                .map(c -> "t." + TargetTable.quoteIdentifier(c) + "::text").toList());
        List<String> sample = jdbc.queryForList("select concat_ws('|', " + keyText + ")" + unseen + " limit "
                + RunSamples.PER_OUTCOME, String.class, run.runId());
        if (run.dryRun()) {
            return new SoftDeleted(missing, sample);
        }
        if (missing > run.feed().deletionGuard() * alive && !run.confirm()) {
            throw new RunRefusedException(String.format(
                    "deletion guard: this full run would soft-delete %d of %d rows (%.0f%%), more than the %.0f%% "
                            + "allowed; nothing was deleted. Check the upstream, then run again with confirm: true",
                    missing, alive, 100.0 * missing / alive, 100 * run.feed().deletionGuard()));
        }
        // also the letters of records that never landed: a replay must not bring back what is gone
        deadLetters.settleUnseen(run);
        if (missing == 0) {
            return SoftDeleted.NONE;
        }
        String update = "update " + table.quotedName() + " t set " + column + " = now() where t."
                + column + " is null and not exists (select 1 from sync_seen_key s where s.run_id = ? and "
                + keyMatch(table) + ")";
        long deleted = run.recordsChanges()
                // a deleted event per row, with the row before, in the same statement (see ChangeOutbox)
                ? jdbc.queryForObject("with deleted as (" + update + " returning concat_ws('|', " + keyText
                        + ") as key, " + ChangeOutbox.beforeSoftDelete("to_jsonb(t)", table.softDeleteColumn())
                        + " as row), " + ChangeOutbox.recording("deleted", "'deleted'")
                        + " select count(*) from deleted", Long.class, run.runId(), run.feed().name(), run.runId())
                : jdbc.update(update, run.runId());
        // their hashes go too, so that a record that comes back is applied (and revived)
        jdbc.update("delete from sync_record_hash h where h.feed = ? and not exists (select 1 from sync_seen_key s"
                + " where s.run_id = ? and array_to_string(s.key, '|') = h.record_key)", run.feed().name(),
                run.runId());
        log.info("Feed {} run {}: soft-deleted {} of {} rows no longer in the upstream", run.feed().name(),
                run.runId(), deleted, alive);
        return new SoftDeleted(deleted, sample);
    }

    /** {@code s.key[1]::type = t.k1 and …}: the seen text parsed exactly as the upsert casts it. */
    private static String keyMatch(TargetTable table) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < table.key().size(); i++) {
            String column = table.key().get(i);
            parts.add("cast(s.key[" + (i + 1) + "] as " + table.columnTypes().get(column) + ") = t."
                    + TargetTable.quoteIdentifier(column));
        }
        return String.join(" and ", parts);
    }
}
