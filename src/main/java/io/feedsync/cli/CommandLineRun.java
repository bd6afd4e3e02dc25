package io.feedsync.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;

import io.feedsync.config.FeedCatalog;
import io.feedsync.config.FeedConfigException;
import io.feedsync.config.UnknownFeedException;
import io.feedsync.ops.logging.LogEscapes;
import io.feedsync.run.FeedBusyException;
import io.feedsync.run.FeedPausedException;
import io.feedsync.run.RunLedger;
import io.feedsync.run.RunRange;
import io.feedsync.config.RunMode;
import io.feedsync.run.RunRecord;
import io.feedsync.run.RunRequest;
import io.feedsync.run.RunState;
import io.feedsync.run.RunStatus;
import io.feedsync.run.RunStop;
import io.feedsync.run.RunStops;
import io.feedsync.run.RunTrigger;
import io.feedsync.upstream.FailureClass;

/**
 * {@code java -jar feedsync.jar run <feed> [--full] [--dry-run] [--restart] [--since=<cursor> [--until=<cursor>]]}:
 * one sync in the foreground (with {@code --since}, a selective run of that cursor range), for
 * cron and other external schedulers: a feed of the configuration or one defined over the
 * API (loaded from the database at startup). No timers. Prints the run's one-line summary on
 * standard output — the only line written there — and exits 0 when the run succeeded, 1 on a
 * permanent failure (bad config, unknown feed, a 4xx), 2 on a transient one (upstream or database
 * down, feed already running) — so a scheduler knows whether trying again later can help. Logs go
 * to standard error, warnings and errors only ({@code logback-cli.xml}; {@code --verbose} for all).
 * A run cancelled by an operator meanwhile ends CANCELLED and exits 2 (its next run resumes it).
 * <p>
 * Ctrl-C (SIGINT) or SIGTERM cancels the run: it stops at its next page, or at once if it waits to
 * retry (a page request still under way after half of {@code spring.lifecycle.timeout-per-shutdown-phase}
 * is aborted), its row ends CANCELLED, its line is printed, and the process exits 130 (143 for SIGTERM),
 * as a process ended by that signal does.
 * <p>
 * It serves nothing: no web server, no API, no console, no port. The {@code demo} profile's sample
 * feed fetches its export from the feedsync server on {@code server.port}, which must be running.
 */
public final class CommandLineRun {

    public static final int SUCCEEDED = 0;
    public static final int PERMANENT = 1;
    public static final int TRANSIENT = 2;
    /** How long an interrupted command line waits, once its run has stopped, for its result line. */
    private static final Duration ANSWER_WAIT = Duration.ofSeconds(5);
    private static final String USAGE = "usage: java -jar feedsync.jar run <feed> [--full] [--dry-run] [--restart] [--since=<cursor> [--until=<cursor>]] [--verbose] [--spring.property=value ...]";

    private CommandLineRun() {
    }

    public static boolean handles(String[] args) {
        return args.length > 0 && "run".equals(args[0]);
    }

    /** One run as {@code args} ask, in a new context of {@code application} (the Spring Boot application). */
    public static int run(Class<?> application, String[] args, PrintStream out, PrintStream err) {
        String feed = null;
        RunMode mode = null;
        boolean dryRun = false;
        boolean restart = false;
        boolean verbose = false;
        String since = null;
        String until = null;
        List<String> springArgs = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--full" -> mode = RunMode.FULL;
                case "--dry-run" -> dryRun = true;
                case "--restart" -> restart = true;
                case "--verbose" -> verbose = true;
                case "--since" -> since = i + 1 < args.length ? args[++i] : "";
                case "--until" -> until = i + 1 < args.length ? args[++i] : "";
                default -> {
                    if (args[i].startsWith("--since=")) {
                        since = args[i].substring("--since=".length());
                    } else if (args[i].startsWith("--until=")) {
                        until = args[i].substring("--until=".length());
                    } else if (args[i].startsWith("--")) {
                        springArgs.add(args[i]);
                    } else if (feed == null) {
                        feed = args[i];
                    } else {
                        err.println(USAGE);
                        return PERMANENT;
                    }
                }
            }
        }
        if (feed == null || "".equals(since) || "".equals(until)) {
            err.println(USAGE);
            return PERMANENT;
        }
        // no web server, whatever the configuration or the environment says
        springArgs.removeIf(arg -> arg.startsWith("--spring.main.web-application-type"));
        springArgs.add("--spring.main.web-application-type=none");
        springArgs.add("--feedsync.scheduling.enabled=false");
        // nor its routes (routes/api-rest.yaml, routes/api-routes.yaml). Camel matches the pattern against
        // where it found each file (file:/…/routes/…, jar:file:/…!/routes/…), not the classpath: include
        springArgs.add("--camel.main.routes-exclude-pattern=classpath:routes/api-*.yaml,**/routes/api-*.yaml");
        // it serves no API: a key made up for it is of no use to anyone, so it is neither saved nor logged
        springArgs.add("--feedsync.security.announce-generated-key=false");
        if (!verbose) {
            springArgs.add("--logging.config=classpath:logback-cli.xml");
        }
        ConfigurableApplicationContext context;
        CountDownLatch answered = new CountDownLatch(1);
        try {
            context = new SpringApplicationBuilder(application)
                    .web(WebApplicationType.NONE)
                    .listeners(new Interrupted(answered))
                    .run(springArgs.toArray(String[]::new));
        } catch (RuntimeException e) {
            err.println("feedsync: could not start: " + rootMessage(e));
            return rootCause(e) instanceof FeedConfigException ? PERMANENT : TRANSIENT;
        }
        try (context) {
            try {
                return runFeed(context, feed, mode, dryRun, restart, since, until, out, err);
            } finally {
                answered.countDown();
            }
        }
    }

    /**
     * Ctrl-C or SIGTERM: Spring's shutdown hook closes the context while the run goes on in the main
     * thread. Before anything stops, the run is cancelled (as any cancel: it stops at its next page or
     * retry wait, CANCELLED, resumable) and the main thread prints its line; then the context closes.
     * When the run ended by itself, the main thread has answered already and nothing is left to stop.
     */
    private static final class Interrupted implements ApplicationListener<ApplicationEvent> {

        private final CountDownLatch answered;

        Interrupted(CountDownLatch answered) {
            this.answered = answered;
        }

        @Override
        public void onApplicationEvent(ApplicationEvent event) {
            if (!(event instanceof ContextClosedEvent closed) || answered.getCount() == 0) {
                return;
            }
            ApplicationContext context = closed.getApplicationContext();
            Duration within = context.getEnvironment().getProperty("spring.lifecycle.timeout-per-shutdown-phase",
                    Duration.class, Duration.ofSeconds(30));
            context.getBean(RunStops.class).stopAll(RunStop.cancel("cli", "cancelled: the command line was interrupted"),
                    within);
            try {
                answered.await(ANSWER_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int runFeed(ConfigurableApplicationContext context, String feed, RunMode mode, boolean dryRun,
                               boolean restart, String since, String until, PrintStream out, PrintStream err) {
        FeedCatalog catalog = context.getBean(FeedCatalog.class);
        if (!catalog.contains(feed)) {
            err.println("feedsync: no feed named '" + feed + "' (in the configuration or defined over the API: "
                    + String.join(", ", catalog.all().stream().map(f -> f.name()).toList()) + ")");
            return PERMANENT;
        }
        RunRange range = null;
        if (since != null || until != null) {
            if (mode == RunMode.FULL) {
                err.println("feedsync: --since and --until make an incremental run; leave out --full");
                return PERMANENT;
            }
            try {
                range = RunRange.of(catalog.get(feed), since, until);
            } catch (IllegalArgumentException e) {
                err.println("feedsync: " + e.getMessage().replace("'since'", "--since").replace("'until'", "--until"));
                return PERMANENT;
            }
            mode = RunMode.INCREMENTAL;
        }
        RunRequest request = new RunRequest(feed, RunTrigger.CLI, mode == null ? catalog.get(feed).mode() : mode,
                dryRun, false, restart, range);
        Exchange done = context.getBean(ProducerTemplate.class)
                .send("direct:run-now", exchange -> exchange.getMessage().setBody(request));
        if (done.getException() != null) {
            Throwable cause = done.getException();
            if (cause instanceof FeedBusyException busy) {
                err.println("feedsync: " + busy.getMessage() + "; try again later");
                return TRANSIENT;
            }
            if (cause instanceof FeedPausedException paused) {
                err.println("feedsync: " + paused.getMessage());
                return TRANSIENT;
            }
            if (cause instanceof UnknownFeedException unknown) {
                err.println("feedsync: " + unknown.getMessage());
                return PERMANENT;
            }
            err.println("feedsync: run could not start: " + rootMessage(cause));
            return TRANSIENT;
        }
        long runId = done.getProperty(RunState.PROPERTY, RunState.class).runId();
        RunRecord run = context.getBean(RunLedger.class).find(runId).orElseThrow();
        String line = "feed " + run.feed() + " run " + run.runId() + " " + run.status() + (run.dryRun() ? " (dry run)" : "")
                + (run.resumedFrom() == null ? "" : " (resumed run " + run.resumedFrom() + ")")
                + (run.range() == null ? "" : " since=" + run.range().since()
                        + (run.range().until() == null ? "" : " until=" + run.range().until()))
                + ": pages=" + run.pages() + " fetched=" + run.counts().fetched() + " inserted=" + run.counts().inserted()
                + " updated=" + run.counts().updated() + " unchanged=" + run.counts().unchanged()
                + " deleted=" + run.counts().deleted() + " deadLettered=" + run.counts().deadLettered()
                + (run.counts().pendingDeletes() == 0 ? "" : " pendingDeletes=" + run.counts().pendingDeletes())
                + (run.parents() == null ? "" : " parents=" + run.parents().total() + " parentsFetched="
                        + run.parents().fetched() + " parentsNotFound=" + run.parents().notFound() + " parentsFailed="
                        + run.parents().failed())
                + " watermark=" + run.watermark();
        if (run.status() == RunStatus.SUCCEEDED) {
            out.println(line);
            return SUCCEEDED;
        }
        // one line whatever the error repeats from upstream data
        out.println(line + " error=" + run.error().failureClass() + ": " + LogEscapes.escape(run.error().message()));
        return run.error().failureClass() == FailureClass.PERMANENT ? PERMANENT : TRANSIENT;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = rootCause(e);
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
