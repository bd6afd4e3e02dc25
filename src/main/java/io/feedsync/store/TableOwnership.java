package io.feedsync.store;

import java.sql.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedConfigException;
import io.feedsync.config.FeedDefinition;
import io.feedsync.transform.RecordTransformer;

/**
 * Which feed writes which table, and which tables no feed may write. A feed writes its
 * {@code target.table} and the tables its transform bean declares ({@code RecordMapper.tables()}),
 * each compared by the {@code schema.table} it resolves to on the search path, as PostgreSQL will
 * resolve it when the feed writes ({@code public.x}, {@code x} on a search path with {@code public}
 * are one table). A table that another feed writes is refused unless both feeds say
 * {@code target.shared: true}; a table in feedsync's own schema or in one of PostgreSQL's
 * ({@code pg_catalog}, {@code information_schema}, {@code pg_toast}, {@code pg_temp…}, any {@code pg_…})
 * is refused to every feed.
 * <p>
 * Configured feeds are checked against each other and against the feeds defined over the API when
 * the node starts (anything wrong stops it). A feed defined over the API is checked when it is put,
 * and its tables are recorded in {@code sync_table_owner} with the version stored, in that version's
 * transaction, under an advisory lock of each table, so that two nodes putting feeds on one table at
 * once are told apart: the second finds the first's record. A record counts while its version is
 * the feed's current one. A node follows an API feed only if it clashes with none of its configured
 * feeds, and records the tables of a version that has no record yet (one stored before tables were
 * recorded): the first feed to record a table keeps it.
 */
@Component
@DependsOnDatabaseInitialization
public class TableOwnership {

    /** The advisory lock key space feedsync's transaction-level locks share (see FeedLocks, StoredFeeds). */
    private static final int LOCKS = 1717859193;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final RecordTransformer transformer;
    private final String ownSchema;
    /** This node's configured feeds with the tables they write, resolved at startup. */
    private final Map<String, Written> configured = new LinkedHashMap<>();

    /**
     * The tables one feed writes: each as {@code schema.table} (its key) with the configuration key
     * that names it ({@code target.table}, or {@code transform.bean} for a table the bean declares).
     */
    public record Written(FeedDefinition feed, Map<String, String> tables) {

        boolean shared() {
            return feed.target().shared();
        }
    }

    /** Another feed that writes one of the tables. */
    private record Owner(String table, String feed, boolean shared, boolean overApi) {
    }

    public TableOwnership(JdbcTemplate jdbc, TransactionTemplate transactions, FeedCatalog catalog,
                          RecordTransformer transformer, @Value("${feedsync.schema:feedsync}") String ownSchema) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.transformer = transformer;
        this.ownSchema = ownSchema;
        checkConfigured(catalog.configured());
    }

    /**
     * The startup check of the configured feeds: every table they write resolved and in a schema of
     * the user's, and none written by two of them, or by one of them and a feed defined over the API,
     * unless all those feeds say {@code target.shared}.
     */
    private void checkConfigured(Collection<FeedDefinition> feeds) {
        List<FeedConfigException> problems = new ArrayList<>();
        for (FeedDefinition feed : feeds) {
            Written written;
            try {
                written = resolve(feed);
            } catch (FeedConfigException e) {
                problems.addAll(e.problems());
                continue;
            }
            List<Owner> others = new ArrayList<>();
            configured.values().forEach(earlier -> earlier.tables().keySet().stream()
                    .filter(written.tables()::containsKey)
                    .forEach(table -> others.add(new Owner(table, earlier.feed().name(), earlier.shared(), false))));
            apiOwners(written).stream().filter(owner -> !owner.feed().equals(feed.name())).forEach(others::add);
            problems.addAll(clashes(written, others));
            configured.put(feed.name(), written);
        }
        if (!problems.isEmpty()) {
            throw FeedConfigException.of(problems);
        }
    }

    /**
     * The check of a feed put over the API, before anything is stored or created: its tables resolved
     * and in a schema of the user's, none written by a configured feed of this node or by another API
     * feed unless both say {@code target.shared}. Answers the tables, for {@link #claim}. (The other
     * feed is named: only keys that see every feed may define feeds.)
     */
    public Written check(FeedDefinition feed) {
        Written written = resolve(feed);
        List<Owner> others = new ArrayList<>(configuredOwners(written));
        others.addAll(apiOwners(written));
        List<FeedConfigException> problems = clashes(written, others);
        if (!problems.isEmpty()) {
            throw FeedConfigException.of(problems);
        }
        return written;
    }

    /**
     * Records the tables of an API feed's stored {@code version}, in the caller's transaction (the one
     * that stores that version): under each table's lock, the check against the other API feeds is
     * made again, so that of two feeds put on one table at once on two nodes, the second is refused.
     */
    public void claim(Written written, int version) {
        lock(written.tables().keySet());
        List<FeedConfigException> problems = clashes(written, apiOwners(written));
        if (!problems.isEmpty()) {
            throw FeedConfigException.of(problems);
        }
        String feed = written.feed().name();
        jdbc.update("delete from sync_table_owner where feed = ?", feed);
        jdbc.batchUpdate("insert into sync_table_owner (table_name, feed, version, shared) values (?, ?, ?, ?)",
                written.tables().keySet().stream()
                        .map(table -> new Object[] {table, feed, version, written.shared()}).toList());
    }

    /**
     * Whether this node may run an API feed's {@code version}: it writes no table of this node's
     * configured feeds (unless both share it), and its tables are recorded — now, if that version has
     * no record yet and no other API feed's record stands in the way. Throws naming the clash.
     */
    public void follow(FeedDefinition feed, int version) {
        Written written = resolve(feed);
        List<FeedConfigException> problems = clashes(written, configuredOwners(written));
        if (!problems.isEmpty()) {
            throw FeedConfigException.of(problems);
        }
        Boolean recorded = jdbc.queryForObject(
                "select exists (select 1 from sync_table_owner where feed = ? and version = ?)", Boolean.class,
                feed.name(), version);
        if (!Boolean.TRUE.equals(recorded)) {
            transactions.executeWithoutResult(status -> claim(written, version));
        }
    }

    /**
     * A table a feed's rows name, before the feed first writes it: its target or a table its bean
     * declares; any other is refused (the feed's table check and ownership do not cover it).
     */
    public void checkWrites(FeedDefinition feed, String table) {
        if (!transformer.tables(feed).contains(table)) {
            throw new FeedConfigException("feedsync.feeds." + feed.name() + ".transform.bean", "its rows name table '"
                    + table + "', which bean " + feed.transform().bean() + " does not declare among its tables"
                    + " (RecordMapper.tables()); feedsync writes only tables a feed is known to write");
        }
    }

    /**
     * Why no feed may write a table in {@code schema}: feedsync's own, or one of PostgreSQL's (its
     * catalogs, information schema, TOAST and temporary schemas: every name PostgreSQL reserves,
     * {@code pg_…}); empty for a schema of the user's.
     */
    public Optional<String> refusal(String written, String schema) {
        if (ownSchema.equals(schema)) {
            return Optional.of("table '" + written + "' is one of feedsync's own (schema " + ownSchema + "); name a"
                    + " table of yours, with its schema if it is not on the search path");
        }
        if (schema.startsWith("pg_") || schema.equals("information_schema")) {
            return Optional.of("table '" + written + "' is in schema " + schema + ", which is PostgreSQL's own; name"
                    + " a table of yours, with its schema if it is not on the search path");
        }
        return Optional.empty();
    }

    /**
     * The feed's tables as {@code schema.table}: where the name resolves now on the search path
     * (PostgreSQL's own schemas first, as it looks them up), or, for a table that does not exist yet,
     * the schema written or the first schema of the search path that is not feedsync's (where
     * {@code target.create} would make it). Throws for a table in a schema no feed may write.
     */
    private Written resolve(FeedDefinition feed) {
        List<String> names = new ArrayList<>(transformer.tables(feed));
        String prefix = "feedsync.feeds." + feed.name() + ".";
        List<String> found = jdbc.execute((ConnectionCallback<List<String>>) connection -> {
            Array quoted = connection.createArrayOf("text", names.stream().map(TargetTable::quote).toArray());
            try (var query = connection.prepareStatement("""
                    select n.nspname || '.' || c.relname
                      from unnest(?::text[]) with ordinality as w(quoted, position)
                      left join pg_class c on c.oid = to_regclass(w.quoted)
                      left join pg_namespace n on n.oid = c.relnamespace
                     order by w.position""")) {
                query.setArray(1, quoted);
                List<String> rows = new ArrayList<>();
                try (var answer = query.executeQuery()) {
                    while (answer.next()) {
                        rows.add(answer.getString(1));
                    }
                }
                return rows;
            }
        });
        Map<String, String> tables = new LinkedHashMap<>();
        List<FeedConfigException> problems = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            String key = prefix + (i == 0 ? "target.table" : "transform.bean");
            String resolved = found.get(i) != null ? found.get(i)
                    : name.contains(".") ? name : defaultSchema() + "." + name;
            refusal(name, resolved.substring(0, resolved.indexOf('.')))
                    .ifPresentOrElse(problem -> problems.add(new FeedConfigException(key, problem)),
                            () -> tables.putIfAbsent(resolved, key));
        }
        if (!problems.isEmpty()) {
            throw FeedConfigException.of(problems);
        }
        return new Written(feed, tables);
    }

    /** The first schema of the search path that is not feedsync's own; feedsync's own when there is none. */
    private String defaultSchema() {
        List<String> schemas = jdbc.queryForList("""
                select s from unnest(current_schemas(false)) with ordinality as p(s, i) where s <> ? order by i limit 1""",
                String.class, ownSchema);
        return schemas.isEmpty() ? ownSchema : schemas.get(0);
    }

    private List<Owner> configuredOwners(Written written) {
        List<Owner> owners = new ArrayList<>();
        configured.values().stream().filter(other -> !other.feed().name().equals(written.feed().name()))
                .forEach(other -> other.tables().keySet().stream().filter(written.tables()::containsKey)
                        .forEach(table -> owners.add(new Owner(table, other.feed().name(), other.shared(), false))));
        return owners;
    }

    /**
     * The API feeds other than this one whose current version writes one of its tables (for a feed
     * that shares its tables, only those that do not: the others are no clash, and may be many).
     */
    private List<Owner> apiOwners(Written written) {
        String[] tables = written.tables().keySet().toArray(String[]::new);
        return jdbc.query(connection -> {
            var query = connection.prepareStatement("""
                    select o.table_name, o.feed, o.shared
                      from sync_table_owner o
                      join lateral (select d.version, d.deleted from sync_feed_definition d where d.feed = o.feed
                                     order by d.version desc limit 1) current on current.version = o.version
                     where o.table_name = any (?) and o.feed <> ? and not current.deleted and not (o.shared and ?)
                     order by o.table_name, o.feed""");
            query.setArray(1, connection.createArrayOf("text", tables));
            query.setString(2, written.feed().name());
            query.setBoolean(3, written.shared());
            return query;
        }, (rs, row) -> new Owner(rs.getString(1), rs.getString(2), rs.getBoolean(3), true));
    }

    /** A problem for each table that another feed writes, unless both share it. */
    private static List<FeedConfigException> clashes(Written written, List<Owner> others) {
        Map<String, FeedConfigException> problems = new LinkedHashMap<>();
        for (Owner other : others) {
            if (written.shared() && other.shared() || problems.containsKey(other.table())) {
                continue;
            }
            String by = "feed '" + other.feed() + "'" + (other.overApi() ? " (defined over the API)" : "");
            problems.put(other.table(), new FeedConfigException(written.tables().get(other.table()), "table '"
                    + other.table() + "' is written by " + by + " already; two feeds write one table only when both"
                    + " say target.shared: true"));
        }
        return List.copyOf(problems.values());
    }

    /** Each table's lock, in one order, until the transaction ends. */
    private void lock(Collection<String> tables) {
        for (String table : new TreeSet<>(tables)) {
            jdbc.queryForObject("select pg_advisory_xact_lock(?, hashtext('owner:' || ?))::text", String.class,
                    LOCKS, table);
        }
    }
}
