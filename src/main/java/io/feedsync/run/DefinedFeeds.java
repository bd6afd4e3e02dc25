package io.feedsync.run;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.camel.CamelContext;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.TriggerKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
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
 * definition goes into the {@link FeedCatalog} (runs admitted from then on use it) and its routes
 * and timer are replaced from the route templates; a deleted feed leaves the catalog, its routes and
 * its Quartz trigger. Called for one feed when its change is announced ({@link DefinitionChanges}),
 * for all of them every {@code feedsync.definitions.reconcile-interval} (ms) as the safety net, and
 * whenever the listener (re)connects.
 * <p>
 * Routes are only replaced or removed while no run of the feed is under way on this node (and none
 * is admitted here meanwhile): a change made during a run applies to the feed's next run, and its
 * routes are replaced at the first reconcile after the run.
 */
@Component("definedFeeds")
public class DefinedFeeds {

    private static final Logger log = LoggerFactory.getLogger(DefinedFeeds.class);

    private final StoredFeeds stored;
    private final FeedCatalog catalog;
    private final FeedRoutes routes;
    private final CamelContext camel;
    private final RunGuard guard;
    private final TargetTables tables;
    private final TableOwnership ownership;
    private final Environment environment;
    private final RefusedDefinitions refused;
    private final FeedLimits limits;
    private final ObjectProvider<Scheduler> quartz;
    private final boolean scheduling;
    /** The version of each API feed whose routes this node runs. */
    private final Map<String, Integer> installed = new HashMap<>();
    /**
     * The version each feed's definition failed at on this node (a check it fails, an unset
     * placeholder), logged once.
     */
    private final Map<String, Integer> failed = new HashMap<>();

    public DefinedFeeds(StoredFeeds stored, FeedCatalog catalog, FeedRoutes routes, CamelContext camel,
                        RunGuard guard, TargetTables tables, TableOwnership ownership, Environment environment,
                        RefusedDefinitions refused, FeedLimits limits, ObjectProvider<Scheduler> quartz,
                        @Value("${feedsync.scheduling.enabled:true}") boolean scheduling) {
        this.limits = limits;
        this.stored = stored;
        this.catalog = catalog;
        this.routes = routes;
        this.camel = camel;
        this.guard = guard;
        this.tables = tables;
        this.ownership = ownership;
        this.environment = environment;
        this.refused = refused;
        this.quartz = quartz;
        this.scheduling = scheduling;
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
        Scheduler scheduler = scheduling && feed.scheduled() ? quartz.getIfAvailable() : null;
        if (scheduler != null && !scheduler.isStarted()) {
            scheduler.start();
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
            // the routes of the version installed, or what a failed install left
            if (routes.installed(camel, name)) {
                routes.remove(camel, name);
            }
            routes.add(camel, feed);
            if (!feed.scheduled()) {
                unschedule(name);
            }
            installed.put(name, version.version());
            forgetFailure(name);
            log.info("Feed {}: version {} by {} runs on this node", name, version.version(), version.changedBy());
        };
        try {
            catalog.define(feed);
            tables.forget(name);
            if (installed.containsKey(name)) {
                unlessRunningHere(name, install);
            } else {
                // no routes of it here yet, so no run of it here to disturb
                apply(name, install);
            }
        } catch (RuntimeException e) {
            // none of its routes are known to run here: the next follow installs them afresh
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
        unlessRunningHere(name, () -> {
            routes.remove(camel, name);
            unschedule(name);
            installed.remove(name);
            log.info("Feed {}: deleted; its routes and timer are gone from this node", name);
        });
    }

    /**
     * Runs the change unless the feed runs on this node (its routes are not changed under a run);
     * then the change is left to the first reconcile after the run. Runs elsewhere do not matter:
     * this node's routes of the feed are idle.
     */
    private void unlessRunningHere(String feed, Change change) {
        if (!guard.unlessRunningHere(feed, () -> apply(feed, change))) {
            log.info("Feed {} is running on this node; its routes change at the first reconcile after the run", feed);
        }
    }

    private static void apply(String feed, Change change) {
        try {
            change.apply();
        } catch (Exception e) {
            throw new IllegalStateException("could not change the routes of feed " + feed, e);
        }
    }

    private void unschedule(String feed) throws SchedulerException {
        Scheduler scheduler = scheduling ? quartz.getIfAvailable() : null;
        if (scheduler != null && scheduler.unscheduleJob(TriggerKey.triggerKey(feed, RetiredFeedTimers.TRIGGER_GROUP))) {
            log.info("Feed {}: removed its stored trigger", feed);
        }
    }

    @FunctionalInterface
    private interface Change {
        void apply() throws Exception;
    }
}
