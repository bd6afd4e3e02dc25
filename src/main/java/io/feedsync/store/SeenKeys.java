package io.feedsync.store;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.postgresql.PGConnection;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import io.feedsync.transform.TargetRow;
import io.feedsync.transform.TransformedRecord;

/**
 * The keys of every record a full run sees, streamed into {@code sync_seen_key} with COPY (one
 * round trip per chunk), for {@link SoftDeletes} to compare with the target table at the end.
 */
@Component
public class SeenKeys {

    private final JdbcTemplate jdbc;

    public SeenKeys(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public void record(StoreRun run, Collection<TransformedRecord> records) {
        List<String> keyColumns = run.feed().target().key();
        List<List<String>> keys = new ArrayList<>(records.size());
        for (TransformedRecord record : records) {
            TargetRow row = record.rows().stream()
                    .filter(r -> r.table().equals(run.feed().target().table())).findFirst().orElseThrow();
            keys.add(keyColumns.stream().map(column -> row.values().get(column)).toList());
        }
        recordKeys(run, keys);
    }

    /** Records keys given as the values of the target's key columns, in order. */
    public void recordKeys(StoreRun run, List<List<String>> keys) {
        run.keysSeen(!keys.isEmpty());
        copy("copy sync_seen_key (run_id, key) from stdin", run.runId(), keys);
    }

    /**
     * Records the parents a full run of a child feed fetched whole, each as its {@code for-each.columns}
     * values in order (null for SQL NULL): only their children may be soft-deleted at the run's end.
     */
    public void recordParents(long runId, List<List<String>> parents) {
        if (!parents.isEmpty()) {
            copy("copy sync_seen_parent (run_id, columns) from stdin", runId, parents);
        }
    }

    private void copy(String statement, long runId, List<List<String>> arrays) {
        StringBuilder copy = new StringBuilder(arrays.size() * 32);
        for (List<String> array : arrays) {
            copy.append(runId).append('\t').append('{');
            for (int i = 0; i < array.size(); i++) {
                copy.append(i == 0 ? "" : ",");
                if (array.get(i) == null) {
                    copy.append("NULL");
                } else {
                    copy.append('"').append(copyEscape(arrayEscape(array.get(i)))).append('"');
                }
            }
            copy.append("}\n");
        }
        jdbc.execute((ConnectionCallback<Long>) connection -> {
            try {
                return connection.unwrap(PGConnection.class).getCopyAPI().copyIn(statement,
                        new StringReader(copy.toString()));
            } catch (IOException e) {
                throw new DataAccessResourceFailureException("could not copy the keys seen", e);
            }
        });
    }

    /**
     * The keys (and parents) run {@code from} saw become run {@code to}'s: a run that resumes an
     * unfinished one. Answers how many keys.
     */
    public int adopt(long from, long to) {
        jdbc.update("update sync_seen_parent set run_id = ? where run_id = ?", to, from);
        return jdbc.update("update sync_seen_key set run_id = ? where run_id = ?", to, from);
    }

    /** Whether run {@code runId} has keys recorded. */
    public boolean any(long runId) {
        return Boolean.TRUE.equals(jdbc.queryForObject(
                "select exists (select 1 from sync_seen_key where run_id = ?)", Boolean.class, runId));
    }

    public void forget(long runId) {
        jdbc.update("delete from sync_seen_key where run_id = ?", runId);
        jdbc.update("delete from sync_seen_parent where run_id = ?", runId);
    }

    /** Drops what finished runs of the feed left behind (a node that died mid-run cannot clean up). */
    public void forgetFinished(String feed) {
        jdbc.update("delete from sync_seen_key s using sync_run r where s.run_id = r.id and r.feed = ?"
                + " and r.status <> 'RUNNING'", feed);
        jdbc.update("delete from sync_seen_parent s using sync_run r where s.run_id = r.id and r.feed = ?"
                + " and r.status <> 'RUNNING'", feed);
    }

    /** Inside a quoted array element, backslash and double quote are escaped with a backslash. */
    private static String arrayEscape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** COPY's text format gives backslash, tab, newline and carriage return a meaning of their own. */
    private static String copyEscape(String value) {
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }

}
