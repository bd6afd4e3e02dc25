package io.feedsync.security;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.util.FileSystemUtils;

import io.feedsync.FeedsyncApplication;
import io.feedsync.config.EmbeddedDatabases;
import io.feedsync.config.EmbeddedDatabases.EmbeddedDatabase;
import io.feedsync.support.Api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The embedded PostgreSQL opens to feedsync alone: feedsync started with no datasource URL on a
 * fresh data folder (one node for the whole class), then probed as another local user would —
 * without a password, with a wrong one, over replication — and as a feed's SQL would, through
 * feedsync's own connection. The command line beside that node finds the credentials and listens on
 * no port; a data folder of an earlier feedsync (trusting every local connection) is secured at its
 * next start.
 */
@ExtendWith(OutputCaptureExtension.class)
class EmbeddedDatabaseSecurityTest {

    private static final String SAMPLE_BESIDE_THE_SERVER =
            "feed epa-clients run \\d+ SUCCEEDED: pages=3 fetched=24 inserted=0 updated=0 unchanged=24 deleted=0 deadLettered=0 watermark=null";

    private static Path workDir;
    private static Path dataDir;
    private static ConfigurableApplicationContext server;
    private static int serverPort;
    private static int databasePort;

    @BeforeAll
    static void feedsyncOnAFreshDataFolder() throws IOException {
        workDir = Files.createTempDirectory("feedsync-embedded-security");
        dataDir = workDir.resolve(".feedsync/pgdata");
        try (ServerSocket socket = new ServerSocket(0)) {
            serverPort = socket.getLocalPort();
        }
        server = new SpringApplicationBuilder(FeedsyncApplication.class)
                .profiles("demo")
                .run("--spring.datasource.url=",
                        "--feedsync.embedded-database.data-dir=" + dataDir,
                        "--server.port=" + serverPort,
                        // its first run at startup, no timer fire while the test runs the command line
                        "--feedsync.feeds.epa-clients.schedule=0 0 3 1 1 ?",
                        "--feedsync.security.api-keys.ops-bot.key=" + Api.OPERATOR_KEY,
                        "--feedsync.security.console-users.admin.password=" + Api.CONSOLE_PASSWORD);
        Api api = new Api(serverPort);
        await().atMost(Duration.ofSeconds(90)).until(() ->
                "SUCCEEDED".equals(api.get("/api/feeds").json().at("/0/lastRun/status").asText()));
        databasePort = Integer.parseInt(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(3).trim());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        FileSystemUtils.deleteRecursively(workDir.toFile());
    }

    @Test
    void noConnectionWithoutTheRightPasswordNorAnyReplication() throws Exception {
        List<String> hosts = new ArrayList<>(List.of("127.0.0.1"));
        if (listens("::1", databasePort)) {
            hosts.add("[::1]");
        }
        for (String host : hosts) {
            String url = "jdbc:postgresql://" + host + ":" + databasePort + "/postgres";
            for (String user : List.of("postgres", "feedsync")) {
                assertRefused(url, user, null);
                assertRefused(url, user, "wrong-password");
            }
            assertThatThrownBy(() -> DriverManager.getConnection(url, replication("postgres", "true")).close())
                    .as("a physical replication connection, even with the superuser's password, on " + host)
                    .isInstanceOf(SQLException.class).hasMessageContaining("replication");
            assertThatThrownBy(() -> DriverManager.getConnection(url, replication("feedsync", "database")).close())
                    .as("a logical replication connection of feedsync's role on " + host)
                    .isInstanceOf(SQLException.class).hasMessageContaining("WAL sender");
            try (Connection feedsync = DriverManager.getConnection(url, "feedsync", credentials().getProperty("feedsync"))) {
                assertThat(feedsync.isValid(5)).as("the right password gets in on " + host).isTrue();
            }
        }
        assertThat(Path.of("/tmp/.s.PGSQL." + databasePort)).as("no Unix socket for local users to knock on").doesNotExist();
    }

    @Test
    void thePasswordsAreKeptOwnerOnlyBesideTheDataAndNeverLogged(CapturedOutput output) throws Exception {
        Path file = dataDir.resolveSibling("pgdata-credentials");

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        Properties credentials = credentials();
        assertThat(credentials.getProperty("postgres")).hasSizeGreaterThanOrEqualTo(40);
        assertThat(credentials.getProperty("feedsync")).hasSizeGreaterThanOrEqualTo(40)
                .isNotEqualTo(credentials.getProperty("postgres"));
        assertThat(output.getAll()).contains(file.toString())
                .doesNotContain(credentials.getProperty("postgres")).doesNotContain(credentials.getProperty("feedsync"));
        try (var leftOver = Files.list(file.getParent())) {
            assertThat(leftOver.map(path -> path.getFileName().toString()))
                    .as("initdb's password file is gone").noneMatch(name -> name.contains("pwfile"));
        }
    }

    @Test
    void feedsyncConnectsAsARoleThatCanRunNoProgramAndChangeNoRole() {
        JdbcTemplate feedsync = new JdbcTemplate(server.getBean(DataSource.class));
        Path ran = workDir.resolve("ran-a-program");

        assertThat(feedsync.queryForObject("select current_user", String.class)).isEqualTo("feedsync");
        assertThat(feedsync.queryForObject("select rolsuper or rolcreaterole or rolcreatedb or rolreplication or rolbypassrls"
                + " from pg_roles where rolname = current_user", Boolean.class)).isFalse();
        assertThatThrownBy(() -> feedsync.execute("copy (select 1) to program 'id > " + ran + "'"))
                .rootCause().hasMessageContaining("permission denied");
        assertThat(ran).as("no program ran").doesNotExist();
        assertThatThrownBy(() -> feedsync.execute("copy (select 1) to '" + ran + "'"))
                .rootCause().hasMessageContaining("permission denied");
        assertThatThrownBy(() -> feedsync.execute("alter role feedsync superuser"))
                .rootCause().hasMessageContaining("permission denied");
        assertThatThrownBy(() -> feedsync.execute("alter role postgres password 'taken-over'"))
                .rootCause().hasMessageContaining("permission denied");
        assertThat(feedsync.queryForObject("select pg_get_userbyid(nspowner) from pg_namespace where nspname = 'feedsync'",
                String.class)).as("owner of its schema").isEqualTo("feedsync");
        assertThat(feedsync.queryForList("select distinct tableowner from pg_tables where schemaname in ('feedsync', 'public')",
                String.class)).as("owner of the tables it created, the demo's included").containsExactly("feedsync");
        assertThat(feedsync.queryForObject("select count(*) from public.epa_plans", Integer.class))
                .as("the sample feed synced as that role").isEqualTo(24);
    }

    @Test
    void theCommandLineBesideTheServerUsesItsDatabaseWithTheSavedPasswordAndListensOnNoPort() throws Exception {
        List<String> command = List.of(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "io.feedsync.FeedsyncApplication", "run", "epa-clients");
        Path out = workDir.resolve("cli-out.txt");
        Path err = workDir.resolve("cli-err.txt");
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        // as README has it: the server's port (the sample feed's export) comes from the same environment
        builder.environment().put("PORT", Integer.toString(serverPort));
        builder.environment().remove("SPRING_DATASOURCE_URL");
        Process cli = builder.start();
        Set<String> listening = new HashSet<>();
        int looks = 0;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (cli.isAlive() && System.nanoTime() < deadline) {
            listening.addAll(listeningSockets(cli.pid()));
            looks++;
            Thread.sleep(20);
        }
        if (cli.isAlive()) {
            cli.destroyForcibly();
            throw new AssertionError("the command line did not end within 3 minutes");
        }
        List<String> printed = Files.readAllLines(out, StandardCharsets.UTF_8);
        String errors = Files.readString(err, StandardCharsets.UTF_8);

        assertThat(cli.exitValue()).as(printed + errors).isZero();
        assertThat(printed).hasSize(1);
        assertThat(printed.get(0)).matches(SAMPLE_BESIDE_THE_SERVER);
        assertThat(errors).as("no warning: not the superuser, not an open database").isEmpty();
        assertThat(looks).as("looked while it ran").isGreaterThan(10);
        assertThat(listening).as("no listening socket in the command line's JVM").isEmpty();
        JdbcTemplate feedsync = new JdbcTemplate(server.getBean(DataSource.class));
        assertThat(feedsync.queryForObject("select trigger from sync_run order by id desc limit 1", String.class))
                .isEqualTo("cli");
    }

    @Test
    void aDataFolderOfAnEarlierFeedsyncIsSecuredAtItsNextStart() throws Exception {
        Path oldDir = workDir.resolve("old/pgdata");
        // as feedsync did until now: initdb trusting every local connection, feedsync connected as the superuser
        try (EmbeddedPostgres old = EmbeddedPostgres.builder().setDataDirectory(oldDir).setCleanDataDirectory(false).start()) {
            String url = old.getJdbcUrl("postgres", "postgres");
            Flyway.configure().dataSource(url, "postgres", "").schemas("feedsync").defaultSchema("feedsync")
                    .locations("classpath:db/migration", "classpath:db/demo").load().migrate();
            try (Connection db = DriverManager.getConnection(url); Statement sql = db.createStatement()) {
                sql.execute("create table public.members (id serial primary key, email text)");
                sql.execute("create schema sales");
                sql.execute("create table sales.orders (id bigint generated always as identity primary key)");
                sql.execute("insert into feedsync.sync_run (feed, trigger, mode, status) values ('members', 'rest', 'full', 'SUCCEEDED')");
            }
        }

        EmbeddedDatabase secured = EmbeddedDatabases.open(oldDir, 0, "feedsync");
        try {
            String url = secured.jdbcUrl();
            assertRefused(url, "postgres", null);
            assertRefused(url, "feedsync", null);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(oldDir.resolveSibling("pgdata-credentials"))))
                    .isEqualTo("rw-------");
            assertThat(secured.username()).isEqualTo("feedsync");
            JdbcTemplate feedsync = new JdbcTemplate(new DriverManagerDataSource(url, secured.username(), secured.password()));
            assertThat(feedsync.queryForObject("select rolsuper from pg_roles where rolname = current_user", Boolean.class)).isFalse();
            assertThat(feedsync.queryForList("""
                    select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
                     where n.nspname in ('feedsync', 'public', 'sales') and c.relowner <> 'feedsync'::regrole""", String.class))
                    .as("the superuser's tables, sequences and indexes handed over").isEmpty();
            assertThat(feedsync.queryForList("select pg_get_userbyid(nspowner) from pg_namespace where nspname in ('feedsync', 'sales')",
                    String.class)).containsOnly("feedsync");
            // what the next start and its runs do as feedsync's role
            Flyway.configure().dataSource(url, secured.username(), secured.password()).schemas("feedsync").defaultSchema("feedsync")
                    .locations("classpath:db/migration", "classpath:db/demo").load().migrate();
            feedsync.execute("insert into public.members (email) values ('ada@example.org')");
            feedsync.execute("alter table public.members add column plan text");
            feedsync.execute("insert into sales.orders default values");
            assertThat(feedsync.queryForObject("select count(*) from feedsync.sync_run", Integer.class)).isEqualTo(1);
        } finally {
            secured.close();
        }

        EmbeddedDatabase again = EmbeddedDatabases.open(oldDir, 0, "feedsync");
        try {
            assertRefused(again.jdbcUrl(), "postgres", null);
            try (Connection db = DriverManager.getConnection(again.jdbcUrl(), again.username(), again.password())) {
                assertThat(db.isValid(5)).as("the next start takes the saved passwords").isTrue();
            }
        } finally {
            again.close();
        }

        Path credentials = oldDir.resolveSibling("pgdata-credentials");
        Files.move(credentials, workDir.resolve("credentials-elsewhere"));
        assertThatThrownBy(() -> EmbeddedDatabases.open(oldDir, 0, "feedsync"))
                .as("without its passwords the folder does not start, nor get new ones")
                .hasMessageContaining("takes passwords only").hasMessageContaining(credentials.toString());
        assertThat(credentials).doesNotExist();
    }

    private static void assertRefused(String url, String user, String password) {
        assertThatThrownBy(() -> DriverManager.getConnection(url, user, password).close())
                .as("%s at %s with %s", user, url, password == null ? "no password" : "a wrong password")
                .isInstanceOf(SQLException.class)
                .satisfies(refused -> assertThat(((SQLException) refused).getSQLState()).isIn("28P01", "28000", "08004"));
    }

    /** A replication connection ({@code replication}: {@code true} physical, {@code database} logical) with the user's password. */
    private static Properties replication(String user, String replication) throws IOException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", credentials().getProperty(user));
        properties.setProperty("replication", replication);
        properties.setProperty("assumeMinServerVersion", "9.4");
        properties.setProperty("preferQueryMode", "simple");
        return properties;
    }

    private static Properties credentials() throws IOException {
        Properties credentials = new Properties();
        try (var reader = Files.newBufferedReader(dataDir.resolveSibling("pgdata-credentials"))) {
            credentials.load(reader);
        }
        return credentials;
    }

    private static boolean listens(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1000);
            return true;
        } catch (IOException nothing) {
            return false;
        }
    }

    /** The TCP sockets of process {@code pid} in state LISTEN: its socket inodes matched in /proc/net/tcp and tcp6. */
    private static Set<String> listeningSockets(long pid) {
        Set<String> inodes = new HashSet<>();
        Set<String> listening = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring("socket:[".length(), target.length() - 1));
                    }
                } catch (IOException closedMeanwhile) {
                    // the descriptor went away while we looked
                }
            }
            for (String table : List.of("tcp", "tcp6")) {
                Path file = Path.of("/proc", Long.toString(pid), "net", table);
                for (String line : Files.readAllLines(file).stream().skip(1).toList()) {
                    String[] fields = line.trim().split("\\s+");
                    if ("0A".equals(fields[3]) && inodes.contains(fields[9])) {
                        listening.add(table + " " + fields[1]);
                    }
                }
            }
        } catch (IOException processEnded) {
            // it ended while we looked
        }
        return listening;
    }
}
