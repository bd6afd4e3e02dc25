package io.feedsync.support;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.assertj.core.api.SoftAssertions;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What must hold for a feed after any fault, once its runs are over (the fault-injection suite
 * ends every case with {@link #check}):
 * <ol>
 *   <li>every upstream record is in the target table exactly once, with its latest content (and,
 *       with {@link #deletionsApplied()}, no live row is missing upstream); a record that carries
 *       one of the feed's {@link #deleteMarker delete markers} has its row soft-deleted, or none;</li>
 *   <li>the watermark covers no record that is not committed: every record whose cursor is below
 *       it is in the table with its latest content (or, if bad, in the dead letters);</li>
 *   <li>every bad record is in the dead letters, and nothing else is (a record without its key
 *       is always bad, known in the dead letters by its payload; a letter replayed into the
 *       table is no longer one);</li>
 *   <li>the run rows tell the truth: none left QUEUED or RUNNING, every failure classed, the counts of a
 *       successful run add up to what it fetched (a marked record that deleted a row counts as
 *       deleted; a full run's deleted also holds the rows missing upstream), no failed run moved the
 *       watermark, and the rows the runs say they inserted are the rows in the table.</li>
 * </ol>
 * It assumes the target table started empty and only this feed (and those of
 * {@link #tableSharedWith}) writes to it, as in a {@link FeedsyncTest}.
 */
public final class Invariants {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final JdbcTemplate jdbc;
    private final String feed;
    private final String table;
    private final String keyColumn;
    /** Target column to the JSON pointer it is mapped from, the key column first. */
    private final Map<String, String> columns;
    private String cursorPointer;
    private String softDeleteColumn;
    private boolean deletionsApplied;
    private Set<String> badKeys = Set.of();
    private List<String> otherWriters = List.of();
    private final List<Map.Entry<String, JsonNode>> deleteMarkers = new ArrayList<>();

    public Invariants(JdbcTemplate jdbc, String feed, String table, Map<String, String> columns) {
        this.jdbc = jdbc;
        this.feed = feed;
        this.table = table;
        this.columns = new LinkedHashMap<>(columns);
        this.keyColumn = columns.keySet().iterator().next();
    }

    /** A feed of the test plan mapping into {@code test_plans} (application-test.yaml). */
    public static Invariants plans(JdbcTemplate jdbc, String feed) {
        Map<String, String> columns = new LinkedHashMap<>();
        columns.put("epa_type", "/key");
        columns.put("ncpdp_version", "/version");
        columns.put("gateway_id", "/id");
        columns.put("outgoing_url", "/outgoing_url");
        return new Invariants(jdbc, feed, "test_plans", columns).cursor("/last_validated_at");
    }

    /** The JSON pointer of the records' cursor (ISO-8601 timestamps), for the watermark check. */
    public Invariants cursor(String pointer) {
        this.cursorPointer = pointer;
        return this;
    }

    /** The table's soft-delete column: the row of an upstream record must be live. */
    public Invariants softDelete(String column) {
        this.softDeleteColumn = column;
        return this;
    }

    /** Also, after a full run: the rows of records gone upstream are soft-deleted. */
    public Invariants deletionsApplied() {
        this.deletionsApplied = true;
        return this;
    }

    /**
     * The feed's {@code source.delete-marker}: a record whose value at {@code pointer} is
     * {@code value} (compared as JSON: {@code true} is not {@code "true"}) is deleted upstream.
     */
    public Invariants deleteMarker(String pointer, Object value) {
        deleteMarkers.add(Map.entry(pointer, JSON.valueToTree(value)));
        return this;
    }

    /** Records (by key) that cannot be applied: they belong in the dead letters, not the table. */
    public Invariants badRecords(String... keys) {
        this.badKeys = Set.of(keys);
        return this;
    }

    /**
     * Other feeds that write to the same table: the rows the runs of all of them say they
     * inserted are the rows in the table.
     */
    public Invariants tableSharedWith(String... feeds) {
        this.otherWriters = List.of(feeds);
        return this;
    }

    /** Checks all four invariants against the upstream's records as they are now. */
    public void check(List<ObjectNode> upstream) {
        SoftAssertions softly = new SoftAssertions();
        everyRecordOnceWithLatestContent(softly, upstream);
        watermarkCoversOnlyCommitted(softly, upstream);
        badRecordsDeadLettered(softly, upstream);
        runsTellTheTruth(softly);
        softly.assertAll();
    }

    /**
     * Checks what must hold even right after a run that the upstream changed under, before the
     * next run catches up: all but the table holding every record's latest content.
     */
    public void checkConsistent(List<ObjectNode> upstream) {
        SoftAssertions softly = new SoftAssertions();
        watermarkCoversOnlyCommitted(softly, upstream);
        badRecordsDeadLettered(softly, upstream);
        runsTellTheTruth(softly);
        softly.assertAll();
    }

    /** The feed's watermark, or null. */
    public String watermark() {
        return jdbc.queryForList("select value from sync_watermark where feed = ?", String.class, feed).stream()
                .findFirst().orElse(null);
    }

    private void everyRecordOnceWithLatestContent(SoftAssertions softly, List<ObjectNode> upstream) {
        Map<String, List<Map<String, Object>>> rows = rowsByKey();
        Set<String> upstreamKeys = new HashSet<>();
        for (ObjectNode record : upstream) {
            String key = record.at(columns.get(keyColumn)).asText();
            upstreamKeys.add(key);
            if (isBad(record)) {
                continue;
            }
            List<Map<String, Object>> found = rows.getOrDefault(key, List.of());
            if (isMarked(record)) {
                softly.assertThat(found).as("rows of upstream record %s, marked deleted", key).hasSizeLessThanOrEqualTo(1);
                softly.assertThat(found).as("row of upstream record %s, marked deleted, is soft-deleted", key)
                        .noneMatch(row -> Boolean.TRUE.equals(row.get("alive")));
                continue;
            }
            softly.assertThat(found).as("rows of upstream record %s", key).hasSize(1);
            if (found.size() == 1) {
                softly.assertThat(found.get(0)).as("row of upstream record %s", key).isEqualTo(expectedRow(record));
            }
        }
        if (deletionsApplied) {
            rows.forEach((key, found) -> softly.assertThat(upstreamKeys.contains(key) || found.stream()
                            .noneMatch(row -> Boolean.TRUE.equals(row.get("alive"))))
                    .as("row %s is gone upstream, so it is soft-deleted", key).isTrue());
        }
    }

    private void watermarkCoversOnlyCommitted(SoftAssertions softly, List<ObjectNode> upstream) {
        String watermark = watermark();
        if (watermark == null || cursorPointer == null) {
            return;
        }
        Map<String, List<Map<String, Object>>> rows = rowsByKey();
        Set<Object> deadLettered = deadLettered();
        for (ObjectNode record : upstream) {
            JsonNode cursor = record.at(cursorPointer);
            if (cursor.isMissingNode() || Instant.parse(cursor.asText()).compareTo(Instant.parse(watermark)) >= 0) {
                continue;
            }
            String key = record.at(columns.get(keyColumn)).asText();
            List<Map<String, Object>> found = rows.getOrDefault(key, List.of());
            boolean committed = isMarked(record)
                    ? found.size() <= 1 && found.stream().noneMatch(row -> Boolean.TRUE.equals(row.get("alive")))
                    : found.size() == 1 && found.get(0).equals(expectedRow(record));
            softly.assertThat(committed || deadLettered.contains(identity(record)))
                    .as("record %s (cursor %s) is below the watermark %s, so it is committed", key, cursor.asText(),
                            watermark)
                    .isTrue();
        }
    }

    private void badRecordsDeadLettered(SoftAssertions softly, List<ObjectNode> upstream) {
        Set<Object> bad = new HashSet<>(badKeys);
        upstream.stream().filter(record -> !hasKey(record)).forEach(bad::add);
        softly.assertThat(deadLettered()).as("the feed's dead letters not replayed (keys, or payloads without one)")
                .isEqualTo(bad);
    }

    private void runsTellTheTruth(SoftAssertions softly) {
        List<Map<String, Object>> runs = jdbc.queryForList(
                "select * from sync_run where feed = ? and not dry_run order by id", feed);
        String watermarkBefore = null;
        long inserted = 0;
        boolean abandoned = false;
        for (Map<String, Object> run : runs) {
            Object id = run.get("id");
            String status = (String) run.get("status");
            long fetched = number(run, "fetched");
            long outcomes = number(run, "inserted") + number(run, "updated") + number(run, "unchanged")
                    + number(run, "dead_lettered");
            inserted += number(run, "inserted");
            softly.assertThat(status).as("run %s status", id).isIn("SUCCEEDED", "FAILED", "ABANDONED", "SKIPPED", "CANCELLED");
            softly.assertThat(run.get("finished_at")).as("run %s finished_at", id).isNotNull();
            switch (status) {
                case "SUCCEEDED" -> {
                    softly.assertThat(run.get("error_class")).as("run %s error class", id).isNull();
                    if (deleteMarkers.isEmpty()) {
                        softly.assertThat(outcomes).as("run %s: inserted + updated + unchanged + deadLettered", id)
                                .isEqualTo(fetched);
                    } else if ("incremental".equals(run.get("mode"))) {
                        softly.assertThat(outcomes + number(run, "deleted"))
                                .as("run %s: inserted + updated + unchanged + deadLettered + deleted (by markers)", id)
                                .isEqualTo(fetched);
                    } else {
                        // a full run's deleted are its marker deletes and the rows missing upstream
                        softly.assertThat(fetched - outcomes).as("run %s: fetched - (inserted + updated + unchanged"
                                + " + deadLettered), the marker deletes", id).isBetween(0L, number(run, "deleted"));
                    }
                    watermarkBefore = (String) run.get("watermark");
                }
                case "FAILED" -> {
                    softly.assertThat(run.get("error_class")).as("run %s error class", id)
                            .isIn("TRANSIENT", "PERMANENT");
                    softly.assertThat(run.get("error_message")).as("run %s error message", id).isNotNull();
                    softly.assertThat(outcomes).as("run %s outcomes", id).isLessThanOrEqualTo(fetched);
                    softly.assertThat(run.get("watermark")).as("run %s failed, so the watermark stayed", id)
                            .isEqualTo(watermarkBefore);
                }
                case "CANCELLED" -> {
                    softly.assertThat(run.get("error_class")).as("run %s error class", id).isEqualTo("TRANSIENT");
                    softly.assertThat(run.get("cancel_requested_by")).as("run %s: who cancelled it", id).isNotNull();
                    softly.assertThat(run.get("watermark")).as("run %s was cancelled, so the watermark stayed", id)
                            .isEqualTo(watermarkBefore);
                }
                case "SKIPPED" -> {
                    softly.assertThat(run.get("error_message")).as("run %s: why it was skipped", id).isNotNull();
                    softly.assertThat(fetched).as("run %s never ran", id).isZero();
                }
                case "ABANDONED" -> {
                    abandoned = true;
                    softly.assertThat(run.get("error_class")).as("run %s error class", id).isEqualTo("TRANSIENT");
                }
                default -> {
                }
            }
        }
        softly.assertThat(watermark()).as("the watermark is the one the last successful run left")
                .isEqualTo(watermarkBefore);
        if (!otherWriters.isEmpty()) {
            Object feeds = otherWriters.toArray(String[]::new);
            Map<String, Object> others = jdbc.queryForMap("""
                    select coalesce(sum(inserted), 0) as inserted, coalesce(bool_or(status = 'ABANDONED'), false)
                           as abandoned
                      from sync_run where feed = any(?) and not dry_run""", feeds);
            inserted += number(others, "inserted");
            abandoned |= (Boolean) others.get("abandoned");
        }
        long rows = jdbc.queryForObject("select count(*) from " + table, Long.class);
        if (abandoned) {
            // an abandoned run's counts are its last progress row, saved once a page's writes are
            // committed: they may lag behind its commits, never run ahead of them
            softly.assertThat(inserted).as("rows the runs say they inserted, one abandoned").isLessThanOrEqualTo(rows);
        } else {
            softly.assertThat(inserted).as("rows the runs say they inserted").isEqualTo(rows);
        }
    }

    private Map<String, Object> expectedRow(ObjectNode record) {
        Map<String, Object> row = new HashMap<>();
        columns.forEach((column, pointer) -> {
            JsonNode value = record.at(pointer);
            row.put(column, value.isMissingNode() || value.isNull() ? null : value.asText());
        });
        row.put("alive", true);
        return row;
    }

    private Map<String, List<Map<String, Object>>> rowsByKey() {
        StringBuilder select = new StringBuilder("select ");
        columns.keySet().forEach(column -> select.append('"').append(column).append("\"::text as \"").append(column)
                .append("\", "));
        select.append(softDeleteColumn == null ? "true" : "\"" + softDeleteColumn + "\" is null").append(" as alive from ")
                .append(table);
        Map<String, List<Map<String, Object>>> rows = new HashMap<>();
        for (Map<String, Object> row : jdbc.queryForList(select.toString())) {
            Map<String, Object> values = new HashMap<>(row);
            rows.computeIfAbsent((String) row.get(keyColumn), k -> new ArrayList<>()).add(values);
        }
        return rows;
    }

    private boolean isMarked(ObjectNode record) {
        return deleteMarkers.stream().anyMatch(marker -> marker.getValue().equals(record.at(marker.getKey())));
    }

    private boolean hasKey(ObjectNode record) {
        JsonNode key = record.at(columns.get(keyColumn));
        return !key.isMissingNode() && !key.isNull();
    }

    private boolean isBad(ObjectNode record) {
        return !hasKey(record) || badKeys.contains(record.at(columns.get(keyColumn)).asText());
    }

    /** How a record is known in the dead letters: by its key, or by its payload when it has none. */
    private Object identity(ObjectNode record) {
        return hasKey(record) ? record.at(columns.get(keyColumn)).asText() : record;
    }

    /** The identities of the feed's dead letters not replayed into the table. */
    private Set<Object> deadLettered() {
        String[] path = columns.get(keyColumn).substring(1).split("/");
        Set<Object> found = new HashSet<>();
        jdbc.query("""
                select coalesce(record_key, payload #>> cast(? as text[])) as key, payload::text as payload
                  from sync_dead_letter where feed = ? and replayed_at is null""", row -> {
            String key = row.getString("key");
            try {
                found.add(key != null ? key : JSON.readTree(row.getString("payload")));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a dead letter of " + feed + " holds no JSON", e);
            }
        }, path, feed);
        return found;
    }

    private static long number(Map<String, Object> run, String column) {
        Object value = run.get(column);
        return value == null ? 0 : ((Number) value).longValue();
    }
}
