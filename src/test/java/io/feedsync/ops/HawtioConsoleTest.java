package io.feedsync.ops;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.util.FileSystemUtils;

import io.feedsync.support.Api;
import io.feedsync.support.ExternalTools;


/**
 * The Hawtio console as an operator sees it, in Debian's headless Chromium (installed by .ci/run;
 * skipped loudly where the machine has none, see {@link ExternalTools}):
 * signed in with basic auth, the Camel tree shows the feed routes, and the Route Diagram of
 * every route of a feed draws.
 */
class HawtioConsoleTest extends SteeredFeedTest {

    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    /** The Camel plugin's tree (context, its routes folder opened, the routes). */
    private static final String TREE = "[role='tree']";

    /** One browser for the class, started once (a Chromium start costs seconds on a busy machine). */
    private static ChromeDriver browser;
    private static Path profile;

    @BeforeAll
    static void openBrowser() throws IOException {
        ExternalTools.require("Debian's chromium", "apt-get install chromium chromium-driver", Path.of(CHROMIUM));
        ExternalTools.require("Debian's chromium-driver", "apt-get install chromium-driver", Path.of(CHROMEDRIVER));
        // given explicitly, so that Selenium Manager never looks for (or downloads) a driver or browser
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER);
        profile = Files.createTempDirectory("feedsync-chromium");
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM)
                .addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                        // nothing but the app under test: every other host name fails to resolve
                        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                        "--window-size=1400,1000", "--user-data-dir=" + profile);
        // the console's own log, for a failure message that says why
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        ChromeDriverService driver = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort()
                .withTimeout(Duration.ofSeconds(30)).build();
        browser = new ChromeDriver(driver, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30)).scriptTimeout(Duration.ofSeconds(10));
        String credentials = Base64.getEncoder().encodeToString(
                (Api.CONSOLE_USER + ":" + Api.CONSOLE_PASSWORD).getBytes(StandardCharsets.UTF_8));
        // what a browser sends after the user answered its basic-auth prompt
        browser.executeCdpCommand("Network.enable", Map.of());
        browser.executeCdpCommand("Network.setExtraHTTPHeaders",
                Map.of("headers", Map.of("Authorization", "Basic " + credentials)));
    }

    /** Each test starts from a page of its own, signed in as before: no state of the other test's. */
    @BeforeEach
    void blankPage() {
        browser.get("about:blank");
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
        if (profile != null) {
            FileSystemUtils.deleteRecursively(profile.toFile());
        }
    }

    @Test
    @Timeout(120)
    void camelTreeShowsTheRoutesOfEveryFeed() throws IOException {
        browser.get("http://127.0.0.1:" + port + "/actuator/hawtio/camel/routes");

        try {
            waitUpTo(Duration.ofSeconds(40)).until(page -> {
                String tree = treeText();
                return tree.contains("feed-timer") && tree.contains("feed-sync") && tree.contains("feed-fetch");
            });
        } catch (TimeoutException e) {
            Path shot = Files.createTempFile("hawtio-console-failure", ".png");
            Files.write(shot, browser.getScreenshotAs(OutputType.BYTES));
            throw new AssertionError("the Camel tree did not show the feed routes (screenshot: " + shot.toAbsolutePath()
                    + "); tree: [" + treeText() + "]; page: " + browser.findElement(By.tagName("body")).getText(), e);
        }
    }

    /** Every route a run is made of, as Hawtio's Route Diagram draws it. */
    @Test
    @Timeout(300)
    void routeDiagramOfEveryFeedRouteDraws() {
        browser.get("http://127.0.0.1:" + port + "/actuator/hawtio/camel/routes");
        waitUpTo(Duration.ofSeconds(40)).until(page -> treeText().contains("feed-sync"));
        for (String route : List.of("feed-timer", "feed-sync", "feed-page", "feed-fetch", "feed-write", "dead-letter")) {
            assertRouteDiagramDraws(route);
        }
    }

    private void assertRouteDiagramDraws(String route) {
        String failure = null;
        try {
            WebDriverWait wait = waitUpTo(Duration.ofSeconds(30));
            wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                    .until(page -> click(By.xpath("//*[@role='tree']//*[normalize-space(text())='" + route + "']")));
            wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                    .until(page -> click(By.xpath("//*[self::a or self::button][normalize-space(.)='Route Diagram']")));
            // the page names the route's MBean: the diagram on screen is this route's
            wait.until(page -> bodyText().contains("name=\"" + route + "\"") && (drawingFailed() || diagramNodes() > 1));
            if (drawingFailed()) {
                failure = "the Route Diagram of " + route + " says: An error occurred during drawing of the diagram";
            }
        } catch (TimeoutException e) {
            failure = "the Route Diagram of " + route + " did not draw";
        }
        if (failure != null) {
            Path shot;
            try {
                shot = Files.createTempFile("hawtio-diagram-failure", ".png");
                Files.write(shot, browser.getScreenshotAs(OutputType.BYTES));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            throw new AssertionError(failure + " (screenshot: " + shot.toAbsolutePath() + "); console errors: "
                    + browser.manage().logs().get("browser").getAll().stream()
                            .filter(entry -> entry.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue())
                            .map(entry -> entry.getMessage()).toList());
        }
    }

    /** A wait that looks every 100 ms rather than WebDriverWait's 500: each diagram takes a few such waits. */
    private static WebDriverWait waitUpTo(Duration timeout) {
        WebDriverWait wait = new WebDriverWait(browser, timeout);
        wait.pollingEvery(Duration.ofMillis(100));
        return wait;
    }

    private boolean click(By element) {
        List<WebElement> found = browser.findElements(element);
        if (found.isEmpty() || !found.get(0).isDisplayed()) {
            return false;
        }
        found.get(0).click();
        return true;
    }

    private boolean drawingFailed() {
        return bodyText().contains("An error occurred during drawing of the diagram");
    }

    private String bodyText() {
        return browser.findElement(By.tagName("body")).getText();
    }

    private int diagramNodes() {
        return browser.findElements(By.cssSelector(".react-flow__node")).size();
    }

    private String treeText() {
        StringBuilder text = new StringBuilder();
        for (WebElement tree : browser.findElements(By.cssSelector(TREE))) {
            try {
                text.append(tree.getText()).append('\n');
            } catch (RuntimeException stale) {
                // re-rendered while read; the next poll reads it again
            }
        }
        return text.toString();
    }
}
