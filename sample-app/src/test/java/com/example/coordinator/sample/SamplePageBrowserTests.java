package com.example.coordinator.sample;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import dev.coordinator.test.NatsServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample's page in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}): the page
 * of one node shows a write made through another node's REST endpoint, and a node killed with SIGKILL leaving,
 * with a new leader.
 *
 * <p>With {@code -Dsample.screenshot=docs/images/sample-page.png} (a path relative to the repository root, or
 * absolute) it saves a screenshot of the page at the end.
 */
class SamplePageBrowserTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	static final NatsServerExtension server = new NatsServerExtension();

	private final List<SampleNode> nodes = new ArrayList<>();

	private WebDriver browser;

	private Path browserProfile;

	@AfterEach
	void stop() throws IOException {
		if (this.browser != null) {
			this.browser.quit();
		}
		this.nodes.forEach(SampleNode::close);
		if (this.browserProfile != null) {
			try (Stream<Path> paths = Files.walk(this.browserProfile)) {
				paths.sorted((a, b) -> b.compareTo(a)).forEach((path) -> path.toFile().delete());
			}
		}
	}

	@Test
	void thePageOfOneNodeShowsWritesThroughAnotherAndAKilledLeaderLeaving() throws Exception {
		Path childOutput = Files.createTempFile("sample-node-", ".log");
		SampleNode leader = SampleNode.inChildJvm(server.url(), "page", "sample-2", childOutput);
		this.nodes.add(leader);
		await("sample-2 leading").atMost(WAIT).until(() -> leader.get("/leader").contains("\"leader\":\"sample-2\""));
		SampleNode first = node("sample-1");
		SampleNode third = node("sample-3");

		this.browser = chromium();
		this.browser.get(first.url() + "/");
		waitFor("three members and sample-2 leading", () -> members().equals(List.of("sample-1", "sample-2", "sample-3"))
				&& leaderOnPage().equals("sample-2"));
		assertThat(this.browser.findElement(By.id("node")).getText()).isEqualTo("sample-1");
		assertThat(this.browser.findElement(By.id("locks")).getText()).contains("leader/sample held by sample-2");

		assertThat(third.send("PUT", "/kv/demo/greeting", "written through sample-3").statusCode()).isEqualTo(200);
		waitFor("the write through sample-3 on sample-1's page",
				() -> events().contains("/demo/greeting = 'written through sample-3' by sample-3"));

		leader.kill();
		waitFor("sample-2 gone from the members and a new leader",
				() -> members().equals(List.of("sample-1", "sample-3")) && !leaderOnPage().isEmpty()
						&& !leaderOnPage().equals("sample-2"));
		waitFor("the removal of sample-2 among the events",
				() -> events().contains("sample-2 stopped renewing its lease: removed"));
		assertThat(this.browser.findElement(By.id("connection")).getText()).isEqualTo("live");
		saveScreenshotIfAsked();
		Files.deleteIfExists(childOutput);
	}

	private SampleNode node(String nodeId) {
		SampleNode node = SampleNode.inThisJvm(server.url(), "page", nodeId);
		this.nodes.add(node);
		return node;
	}

	private List<String> members() {
		return this.browser.findElements(By.cssSelector("#members li"))
			.stream()
			.map((item) -> item.getDomAttribute("data-node"))
			.toList();
	}

	private String leaderOnPage() {
		String node = this.browser.findElement(By.id("leader")).getDomAttribute("data-node");
		return (node != null) ? node : "";
	}

	private String events() {
		return this.browser.findElement(By.id("events")).getText();
	}

	private void waitFor(String what, BooleanSupplier condition) {
		// The page redraws its lists on every server-sent event: an element read a moment later may be gone.
		new WebDriverWait(this.browser, WAIT).ignoring(StaleElementReferenceException.class)
			.withMessage(() -> what + "; the page shows:\n" + this.browser.findElement(By.tagName("body")).getText())
			.until((driver) -> condition.getAsBoolean());
	}

	private void saveScreenshotIfAsked() throws IOException {
		String target = System.getProperty("sample.screenshot");
		if (target == null || target.isBlank()) {
			return;
		}
		Path path = Path.of(target);
		if (!path.isAbsolute()) {
			// Surefire runs in the module's folder; the path is meant from the repository root.
			path = Path.of("..").resolve(path);
		}
		Files.createDirectories(path.toAbsolutePath().getParent());
		File screenshot = ((ChromeDriver) this.browser).getScreenshotAs(OutputType.FILE);
		Files.copy(screenshot.toPath(), path, StandardCopyOption.REPLACE_EXISTING);
		System.out.println("Screenshot of the sample page saved to " + path.toAbsolutePath().normalize());
	}

	private WebDriver chromium() throws IOException {
		Path binary = executable("CHROMIUM_BIN", "/usr/bin/chromium");
		Path driver = executable("CHROMEDRIVER_BIN", "/usr/bin/chromedriver");
		this.browserProfile = Files.createTempDirectory("sample-chromium-");
		ChromeOptions options = new ChromeOptions();
		options.setBinary(binary.toFile());
		// Everything that would reach the internet is off: only the loopback node is visited.
		options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
				"--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--disable-dev-shm-usage", "--window-size=1280,1000", "--user-data-dir=" + this.browserProfile);
		// The driver is named, so Selenium Manager has nothing to look up or download.
		System.setProperty("webdriver.chrome.driver", driver.toString());
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver.toFile())
			.usingAnyFreePort()
			.build();
		return new ChromeDriver(service, options);
	}

	private static Path executable(String variable, String debianPath) {
		String configured = System.getenv(variable);
		Path path = Path.of((configured != null && !configured.isBlank()) ? configured : debianPath);
		if (!Files.isExecutable(path)) {
			throw new IllegalStateException(path + " was not found: the sample's browser test needs Chromium and its "
					+ "driver (Debian/Ubuntu: 'apt-get install chromium chromium-driver'; .ci/run installs them), or "
					+ "set " + variable + " to the executable");
		}
		return path;
	}

}
