package io.feedsync.api;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import io.feedsync.run.DefinedFeeds;
import io.feedsync.api.security.FeedScope;
import io.feedsync.config.ApiDefinitionRules;
import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedConfigException;
import io.feedsync.config.FeedFamilies;
import io.feedsync.config.FeedDefinition;
import io.feedsync.config.FeedLimits;
import io.feedsync.config.FeedValidator;
import io.feedsync.config.FeedsyncProperties;
import io.feedsync.config.StoredFeeds;
import io.feedsync.run.FeedLock;
import io.feedsync.run.FeedLocks;
import io.feedsync.run.FeedPauses;
import io.feedsync.run.RunCancels;
import io.feedsync.run.RunLedger;
import io.feedsync.store.TableOwnership;
import io.feedsync.store.TargetTables;
import io.feedsync.transform.RecordTransformer;

/**
 * Feeds defined over the API: {@code PUT}, {@code GET …/definition}, {@code GET …/history} and
 * {@code DELETE} of {@code /api/feeds/{feed}}. A definition is checked as the configuration is at
 * startup ({@link FeedValidator}, then its transform bean and target table) before anything is stored; each change is stored as a new version and
 * followed by this node before the answer (by the others as it is announced). The version, its audit
 * row, the table {@code target.create} makes and this node's routes of it are one transaction: a
 * definition refused or failing at any of them leaves nothing stored.
 */
@Component("apiFeedDefinitions")
public class FeedDefinitionsApi {

    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };
    /** Configured secrets are never answered (relaxed key names: lower case, no '-'). */
    private static final Set<String> SECRETS = Set.of("password", "token", "key", "clientsecret");
    /**
     * How long a deletion waits for the feed's cancelled runs to end (one waiting to retry ends within a
     * second, one in a page at its end) before it deletes the feed anyway.
     */
    private static final Duration RUNS_END_WAIT = Duration.ofSeconds(5);

    private final FeedCatalog catalog;
    private final StoredFeeds stored;
    private final DefinedFeeds defined;
    private final FeedLocks locks;
    private final RunLedger ledger;
    private final RecordTransformer transformer;
    private final TargetTables tables;
    private final TableOwnership ownership;
    private final FeedsyncProperties properties;
    private final Environment environment;
    private final ObjectMapper mapper;
    private final ObjectMapper kebab;
    private final AuditTrail audit;
    private final FeedPauses pauses;
    private final FeedLimits limits;
    private final RunCancels cancels;

    public FeedDefinitionsApi(FeedCatalog catalog, StoredFeeds stored, DefinedFeeds defined, FeedLocks locks,
                              RunLedger ledger, RecordTransformer transformer, TargetTables tables,
                              TableOwnership ownership,
                              FeedsyncProperties properties, Environment environment, ObjectMapper mapper,
                              AuditTrail audit, FeedPauses pauses, FeedLimits limits, RunCancels cancels) {
        this.limits = limits;
        this.cancels = cancels;
        this.ownership = ownership;
        this.audit = audit;
        this.pauses = pauses;
        this.transformer = transformer;
        this.tables = tables;
        this.catalog = catalog;
        this.stored = stored;
        this.defined = defined;
        this.locks = locks;
        this.ledger = ledger;
        this.properties = properties;
        this.environment = environment;
        this.mapper = mapper;
        this.kebab = mapper.copy().setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
                .setSerializationInclusion(JsonInclude.Include.NON_NULL);
    }

    /** {@code PUT /api/feeds/{feed}}: 201 when the feed is new, 200 when changed or sent unchanged (no new version). */
    public FeedDefinitionView put(@ExchangeProperty("feed") String feed, @ExchangeProperty("caller") String caller,
                                  Exchange exchange) throws org.quartz.SchedulerException {
        if (catalog.isConfigured(feed)) {
            throw new FeedConfiguredException(feed);
        }
        JsonNode definition = definition(exchange);
        FeedDefinition checked = FeedValidator.define(feed, definition, environment, limits);
        // a parent the caller's key does not see is no feed to it: a child feed reads its parent's rows
        FeedScope scope = exchange.getProperty("scope", FeedScope.ALL, FeedScope.class);
        List<FeedConfigException> family = new java.util.ArrayList<>(FeedFamilies.problems(checked,
                name -> catalog.find(name).filter(parent -> scope.sees(parent.name()))));
        family.addAll(ApiDefinitionRules.of(environment).parent(checked, catalog::isConfigured));
        if (!family.isEmpty()) {
            throw FeedConfigException.of(family);
        }
        transformer.check(checked);
        // no other feed's table, no schema of PostgreSQL's or feedsync's
        TableOwnership.Written written = ownership.check(checked);
        defined.prepare(checked);
        StoredFeeds.Saved saved;
        try {
            saved = audit.together(exchange, () -> {
                StoredFeeds.Saved version = stored.save(feed, definition, caller);
                ownership.claim(written, version.version().version());
                tables.check(checked);
                // before the version commits: routes this node cannot build roll it back
                defined.reconcile(feed);
                return version;
            }, version -> version.outcome() == StoredFeeds.Outcome.CREATED ? 201 : 200);
        } catch (RuntimeException refused) {
            defined.rolledBack(feed, refused);
            throw refused;
        }
        boolean created = saved.outcome() == StoredFeeds.Outcome.CREATED;
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, created ? 201 : 200);
        if (created) {
            exchange.getMessage().setHeader("Location", "/api/feeds/" + feed + "/definition");
        }
        return view(saved.version());
    }

    /** {@code GET /api/feeds/{feed}/definition}. */
    public FeedDefinitionView definition(@ExchangeProperty("feed") String feed) {
        if (catalog.isConfigured(feed)) {
            return new FeedDefinitionView(feed, FeedCatalog.Source.CONFIG.value(), null, null, null,
                    masked(kebab.convertValue(properties.feeds().get(feed), OBJECT), false), pause(feed));
        }
        return stored.current(feed).map(this::view).orElseThrow(() -> unknown(feed));
    }

    /** {@code GET /api/feeds/{feed}/history}: every version, newest first (none for a configured feed). */
    public List<FeedVersionView> history(@ExchangeProperty("feed") String feed) {
        List<StoredFeeds.Version> versions = stored.history(feed);
        if (versions.isEmpty() && !catalog.isConfigured(feed)) {
            throw unknown(feed);
        }
        return versions.stream().map(version -> new FeedVersionView(feed, version.version(),
                version.deleted() ? "deleted" : version.version() == 1 || deletedBefore(versions, version) ? "created" : "changed",
                version.changedBy(), version.changedAt(), object(version.definition()))).toList();
    }

    /**
     * {@code DELETE /api/feeds/{feed}}: cancels its QUEUED and RUNNING runs (on every node), waits up to
     * {@link #RUNS_END_WAIT} for them to end, and deletes it — also if a run is still finishing its page:
     * that run ends CANCELLED at its next page, and its node drops the feed's routes after it. Its runs,
     * rows and history stay.
     */
    public FeedVersionView delete(@ExchangeProperty("feed") String feed, @ExchangeProperty("caller") String caller,
                                  Exchange exchange) {
        if (catalog.isConfigured(feed)) {
            throw new FeedConfiguredException(feed);
        }
        if (stored.current(feed).isEmpty()) {
            throw unknown(feed);
        }
        List<String> children = FeedFamilies.childrenOf(feed, catalog.all());
        if (!children.isEmpty()) {
            throw new FeedHasChildrenException(feed, children);
        }
        String reason = "cancelled: " + caller + " deleted the feed";
        cancels.cancelFeed(feed, caller, reason);
        Optional<StoredFeeds.Version> deletion;
        Optional<FeedLock> idle = locks.lockWithin(feed, RUNS_END_WAIT);
        try {
            // queued by a node that died since: nothing to cancel, it is abandoned
            ledger.abandonQueuedByDeadNodes(feed);
            deletion = audit.together(exchange, () -> stored.delete(feed, caller), deleted -> deleted.isPresent() ? 200 : 404);
        } finally {
            idle.ifPresent(FeedLock::close);
        }
        // a run admitted meanwhile, by a node that had not yet followed the deletion, goes the same way
        cancels.cancelFeed(feed, caller, reason);
        defined.reconcile(feed);
        StoredFeeds.Version version = deletion.orElseThrow(() -> unknown(feed));
        // the pause stays, deliberately: a feed defined again under this name is held back until resumed
        PauseView pause = pause(feed);
        return new FeedVersionView(feed, version.version(), "deleted", version.changedBy(), version.changedAt(), null,
                pause.paused() ? pause : null);
    }

    private FeedDefinitionView view(StoredFeeds.Version version) {
        return new FeedDefinitionView(version.feed(), FeedCatalog.Source.API.value(), version.version(),
                version.changedBy(), version.changedAt(), object(version.definition()), pause(version.feed()));
    }

    private PauseView pause(String feed) {
        return PauseView.of(feed, pauses.of(feed).orElse(null));
    }

    private static boolean deletedBefore(List<StoredFeeds.Version> newestFirst, StoredFeeds.Version version) {
        return newestFirst.stream().filter(v -> v.version() == version.version() - 1).anyMatch(StoredFeeds.Version::deleted);
    }

    /** The definition sent, as the REST binding read it ({@link ApiJson}): a JSON object. */
    private JsonNode definition(Exchange exchange) {
        FeedDefinitionBody body = ApiJson.body(exchange, FeedDefinitionBody.class, "", "", field -> "");
        if (body == null) {
            throw new BadRequestException("send the feed's definition as a JSON object with the keys of feedsync.feeds.<name>");
        }
        if (!body.definition().isObject()) {
            throw new BadRequestException("body must be a JSON object with the keys of feedsync.feeds.<name>");
        }
        return body.definition();
    }

    private Map<String, Object> object(JsonNode json) {
        return json == null ? null : mapper.convertValue(json, OBJECT);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> masked(Map<String, Object> tree, boolean auth) {
        Map<String, Object> masked = new LinkedHashMap<>();
        tree.forEach((key, value) -> {
            String relaxed = key.toLowerCase(java.util.Locale.ROOT).replace("-", "").replace("_", "");
            masked.put(key, value instanceof Map<?, ?> child ? masked((Map<String, Object>) child, "auth".equals(key))
                    : auth && SECRETS.contains(relaxed) && value != null ? "*****" : value);
        });
        return masked;
    }

    private static NotFoundException unknown(String feed) {
        return new NotFoundException("no feed named '" + feed + "'");
    }
}
