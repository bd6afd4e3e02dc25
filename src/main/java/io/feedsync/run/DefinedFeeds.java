package io.feedsync.run;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.camel.CamelContext;
import org.quartz.SchedulerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedConfigException;
import io.feedsync.config.FeedDefinition;
import io.feedsync.config.FeedLimits;
import io.feedsync.config.FeedValidator;
import io.feedsync.config.StoredFeeds;
import io.feedsync.store.TableOwnership;
import io.feedsync.store.TargetTables;

/**
 * Keeps this node's feeds defined over the API in step with the database: a feed's current
 * definition goes into the {@link FeedCatalog} (runs admitted from then on use it), its timer is
 * stored ({@link FeedTimers}) and its http component replaced ({@link FeedUpstreams}); a deleted
 * feed leaves the catalog, its http component and its Quartz trigger. Called for one feed when its change is announced ({@link DefinitionChanges}),
 * for all of them every {@code feedsync.definitions.reconcile-interval} (ms) as the safety net, and
 * whenever the listener (re)connects.
 * <p>
 * The http component is only replaced or removed while no run of the feed is under way on this node
 * (and none is admitted here meanwhile): a change made during a run applies to the feed's next run,
 * and its component is replaced at the first reconcile after the run.
 */
@Component("definedFeeds")
public class DefinedFeeds {

    private static final Logger log = LoggerFactory.getLogger(DefinedFeeds.class);

    private final StoredFeeds stored;
    private final FeedCatalog catalog;
    private final FeedUpstreams upstreams;
    private final FeedTimers timers;
    private final CamelContext camel;
    private final RunGuard guard;
    private final TargetTables tables;
    private final TableOwnership ownership;
    private final Environment environment;
    private final RefusedDefinitions refused;
    private final FeedLimits limits;
    /** The version of each API feed whose http component this node has. */
    private final Map<String, Integer> installed = new HashMap<>();
    /**
     * The version each feed's definition failed at on this node (a check it fails, an unset
     * placeholder), logged once.
     */
    private final Map<String, Integer> failed = new HashMap<>();

    public DefinedFeeds(StoredFeeds stored, FeedCatalog catalog, FeedUpstreams upstreams, FeedTimers timers,
                        CamelContext camel, RunGuard guard, TargetTables tables, TableOwnership ownership,
                        Environment environment, RefusedDefinitions refused, FeedLimits limits) {
        this.limits = limits;
        this.stored = stored;
        this.catalog = catalog;
        this.upstreams = upstreams;
        this.timers = timers;
        this.camel = camel;
        this.guard = guard;
        this.tables = tables;
        this.ownership = ownership;
        this.environment = environment;
        this.refused = refused;
    }

    /** Every API feed as the database has it now. */
    public synchronized void reconcile() {
        Map<String, StoredFeeds.Version> current = stored.current();
        for (StoredFeeds.Version version : current.values()) {
            try {
                follow(version);
            } catch (RuntimeException e) {
                log.warn("Feed {}: could not follow version {} yet ({}); the next reconcile tries again",
                        version.feed(), version.version(), e.getMessage());
            }
        }
        for (String feed : Set.copyOf(installed.keySet())) {
            if (!current.containsKey(feed)) {
                retire(feed);
            }
        }
        for (String feed : Set.copyOf(failed.keySet())) {
            if (!current.containsKey(feed)) {
                forgetFailure(feed);
            }
        }
    }

    /**
     * One feed as the database has it now (its change was announced, or is being stored: called in
     * the transaction that stores it, a failure here rolls it back).
     */
    public synchronized void reconcile(String feed) {
        Optional<StoredFeeds.Version> current = stored.current(feed);
        if (current.isPresent()) {
            follow(current.get());
        } else {
            forgetFailure(feed);
            if (installed.containsKey(feed) || catalog.contains(feed) && !catalog.isConfigured(feed)) {
                retire(feed);
            }
        }
    }

    /**
     * Starts the Quartz scheduler, if the feed has a timer and it is not started yet, before the
     * transaction that stores the feed's version follows it: Quartz's first cluster check-in commits
     * (or rolls back) on the starting thread's connection, which would take that transaction with it.
     */
    public void prepare(FeedDefinition feed) throws SchedulerException {
        if (feed.scheduled()) {
            timers.start();
        }
    }

    /**
     * The transaction that was to store a version of the feed was rolled back ({@code cause}): this node
     * goes back to the version stored, whatever it had followed of the other meanwhile.
     */
    public synchronized void rolledBack(String feed, RuntimeException cause) {
        forgetFailure(feed);
        try {
            reconcile(feed);
        } catch (RuntimeException e) {
            // the next reconcile installs the stored version afresh
            installed.remove(feed);
            cause.addSuppressed(e);
        }
    }

    private void follow(StoredFeeds.Version version) {
        String name = version.feed();
        if (installed.getOrDefault(name, 0) == version.version()
                || failed.getOrDefault(name, 0) == version.version()) {
            return;
        }
        if (catalog.isConfigured(name)) {
            log.warn("Feed {} is defined in this node's configuration and over the API (version {}); this node"
                    + " keeps its configured one", name, version.version());
            failed.put(name, version.version());
            return;
        }
        FeedDefinition feed;
        try {
            feed = FeedValidator.define(name, version.definition(), environment, limits);
            // not on a table this node's configured feeds write, nor on one another API feed took first
            ownership.follow(feed, version.version());
        } catch (FeedConfigException e) {
            // a definition stored before a check it fails, or naming a secret this node lacks: not run here
            List<String> problems = e.problems().stream().map(Throwable::getMessage).toList();
            log.warn("Feed {} version {} is refused on this node and does not run{}: {}", name, version.version(),
                    installed.containsKey(name) ? " (version " + installed.get(name) + " runs on)" : "",
                    String.join("; ", problems));
            failed.put(name, version.version());
            refused.refuse(name, new RefusedDefinitions.Refusal(version.version(), problems));
            return;
        }
        Change install = () -> {
            upstreams.add(camel, feed);
            installed.put(name, version.version());
            forgetFailure(name);
            log.info("Feed {}: version {} by {} runs on this node", name, version.version(), version.changedBy());
        };
        try {
            catalog.define(feed);
            tables.forget(name);
            // the trigger is the cluster's, not this node's: followed at once, run or no run here
            apply(name, () -> timers.follow(feed));
            if (installed.containsKey(name)) {
                unlessRunningHere(name, install);
            } else {
                // no component of it here yet, so no run of it here to disturb
                apply(name, install);
            }
        } catch (RuntimeException e) {
            // its component is not known to be in place: the next follow installs it afresh
            installed.remove(name);
            throw e;
        }
    }

    private void forgetFailure(String feed) {
        failed.remove(feed);
        refused.forget(feed);
    }

    private void retire(String name) {
        catalog.forget(name);
        apply(name, () -> timers.unschedule(name));
        unlessRunningHere(name, () -> {
            upstreams.remove(camel, name);
            installed.remove(name);
            log.info("Feed {}: deleted; its http component and timer are gone from this node", name);
        });
    }

    /**
     * Runs the change unless the feed runs on this node (its http component is not changed under a
     * run); then the change is left to the first reconcile after the run. Runs elsewhere do not
     * matter: this node's component of the feed is idle.
     */
    private void unlessRunningHere(String feed, Change change) {
        if (!guard.unlessRunningHere(feed, () -> apply(feed, change))) {
            log.info("Feed {} is running on this node; its http component changes at the first reconcile after the run", feed);
        }
    }

    private static void apply(String feed, Change change) {
        try {
            change.apply();
        } catch (Exception e) {
            throw new IllegalStateException("could not change feed " + feed + " on this node: " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface Change {
        void apply() throws Exception;
    }
}
