package io.feedsync.bench;

import java.time.Instant;

/**
 * The benchmark's records, generated from their index and never stored: a text key, six columns
 * and a small JSON object. Generation {@code g > 0} changes 1 % of them (every 100th index; every
 * {@link #changedEvery(int)}th once set, e.g. every 10th for 10 %): a new name and a later {@code updated_at}. The same values come out as JSON (for the upstream) and as
 * a COPY text row (for the limit), so both paths load exactly the same rows.
 */
final class BenchRecords {

    static final String COLUMNS = "id, name, email, amount, qty, active, updated_at, attrs";
    static final Instant BASE = Instant.parse("2024-01-01T00:00:00Z");
    static final Instant CHANGED = Instant.parse("2024-06-01T00:00:00Z");

    /** A generation above 0 changes every this-many-th record (100: 1 %). */
    private static volatile int changedEvery = 100;

    private BenchRecords() {
    }

    /** From now on, generations above 0 change {@code percent} % of the records (a divisor of 100). */
    static void changedPercent(int percent) {
        if (percent < 1 || percent > 100 || 100 % percent != 0) {
            throw new IllegalArgumentException("--changed must divide 100 (1, 2, 5, 10, 20, 25, 50, 100), not " + percent);
        }
        changedEvery = 100 / percent;
    }

    static int changedEvery() {
        return changedEvery;
    }

    static String ddl(String table) {
        return "create table " + table + " (id text primary key, name text not null, email text,"
                + " amount numeric(12,2), qty integer, active boolean, updated_at timestamptz, attrs jsonb)";
    }

    static boolean changed(long i, int generation) {
        return generation > 0 && i % changedEvery == 0;
    }

    static Instant updatedAt(long i, int generation) {
        return changed(i, generation) ? CHANGED.plusSeconds(86_400L * generation) : BASE.plusSeconds(i % 86_400);
    }

    static String id(long i) {
        return String.format("k%09d", i);
    }

    static String name(long i, int generation) {
        return changed(i, generation) ? "Customer " + i + " v" + generation : "Customer " + i;
    }

    static String amount(long i) {
        long cents = (i * 7919) % 1_000_000;
        return (cents / 100) + "." + String.format("%02d", cents % 100);
    }

    static int qty(long i) {
        return (int) (i % 1000);
    }

    static boolean active(long i) {
        return i % 3 != 0;
    }

    static String attrs(long i) {
        return "{\"tier\":\"" + (i % 5 == 0 ? "gold" : "silver") + "\",\"score\":" + (i % 997)
                + ",\"tags\":[\"t" + (i % 7) + "\",\"r" + (i % 11) + "\"]}";
    }

    /** One record as a JSON object. */
    static void json(StringBuilder out, long i, int generation) {
        out.append("{\"id\":\"").append(id(i))
                .append("\",\"name\":\"").append(name(i, generation))
                .append("\",\"email\":\"customer").append(i).append("@example.org")
                .append("\",\"amount\":").append(amount(i))
                .append(",\"qty\":").append(qty(i))
                .append(",\"active\":").append(active(i))
                .append(",\"updated_at\":\"").append(updatedAt(i, generation))
                .append("\",\"attrs\":").append(attrs(i))
                .append('}');
    }

    /** One record as a row of COPY's text format (no value needs escaping). */
    static void copyRow(StringBuilder out, long i, int generation) {
        out.append(id(i)).append('\t').append(name(i, generation)).append('\t')
                .append("customer").append(i).append("@example.org").append('\t')
                .append(amount(i)).append('\t').append(qty(i)).append('\t').append(active(i)).append('\t')
                .append(updatedAt(i, generation)).append('\t').append(attrs(i)).append('\n');
    }
}
