package io.feedsync.run;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The {@code sync_batch} and {@code sync_batch_entry} tables: the batches of runs started together
 * (POST /api/runs), each feed they named with the run it started or why none started. In the
 * database, so that any node answers for a batch another node started.
 */
@Component
public class RunBatches {

    /** Why a batch started no run of a feed. */
    public enum NotStarted {
        RUNNING, PAUSED, NOT_FOUND;

        public String value() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One feed of a batch: its run, or why it has none ({@code reason}). */
    public record Entry(String feed, Long runId, NotStarted reason) {

        public static Entry started(String feed, long runId) {
            return new Entry(feed, runId, null);
        }

        public static Entry notStarted(String feed, NotStarted reason) {
            return new Entry(feed, null, reason);
        }
    }

    /** A batch as stored, each entry with its run's current status (null for a run not started). */
    public record Batch(long id, Instant createdAt, String createdBy, boolean scoped, List<Shown> entries) {
    }

    public record Shown(String feed, Long runId, String reason, RunStatus status) {
    }

    private final JdbcTemplate jdbc;

    public RunBatches(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Stores a batch and its entries; call inside the transaction that audits it. */
    public long store(String createdBy, boolean scoped, String request, List<Entry> entries) {
        long id = jdbc.queryForObject("""
                insert into sync_batch (created_by, scoped, request) values (?, ?, cast(? as jsonb)) returning id""",
                Long.class, createdBy, scoped, request);
        jdbc.batchUpdate("insert into sync_batch_entry (batch_id, position, feed, run_id, reason) values (?, ?, ?, ?, ?)",
                java.util.stream.IntStream.range(0, entries.size()).mapToObj(i -> new Object[] {id, i, entries.get(i).feed(),
                        entries.get(i).runId(), entries.get(i).reason() == null ? null : entries.get(i).reason().value()})
                        .toList());
        return id;
    }

    public Optional<Batch> find(long id) {
        return jdbc.query("select id, created_at, created_by, scoped from sync_batch where id = ?", (rs, n) ->
                new Batch(rs.getLong("id"), rs.getTimestamp("created_at").toInstant(), rs.getString("created_by"),
                        rs.getBoolean("scoped"), entries(id)), id).stream().findFirst();
    }

    private List<Shown> entries(long batch) {
        return jdbc.query("""
                select e.feed, e.run_id, e.reason, r.status from sync_batch_entry e
                  left join sync_run r on r.id = e.run_id
                 where e.batch_id = ? order by e.position""", (rs, n) -> new Shown(rs.getString("feed"),
                (Long) rs.getObject("run_id"), rs.getString("reason"),
                rs.getString("status") == null ? null : RunStatus.valueOf(rs.getString("status"))), batch);
    }

}
