package io.lockstep.timeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lockstep.sim.SimOptions;
import io.lockstep.sim.Simulation;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * A simulated run's timeline in headless Chromium through Selenium (the Debian {@code chromium}
 * and {@code chromium-driver} packages; skipped, saying why, where they are missing): it loads
 * from disk with no script error, draws, and follows a request's path on a click.
 */
class TimelineChromiumTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  @TempDir Path dir;

  @Test
  void aSimulatedRunsTimelineLoadsDrawsAndFollowsARequestInChromium() {
    assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER), "skipped: "
        + CHROMIUM + " or " + CHROMEDRIVER + " is missing (apt-get install chromium"
        + " chromium-driver)");
    Path file = dir.resolve("run.html");
    SimTimeline.run(SimOptions.defaults().withFaultPhaseMillis(2_000), 3, Simulation.raft())
        .timeline().write(file);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // --no-sandbox: tests may run as root, where Chromium's sandbox refuses to start.
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
        "--disable-gpu", "--window-size=1400,900");
    options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
    ChromeDriver driver = new ChromeDriver(service, options);
    try {
      driver.get(file.toUri().toString());
      assertThat(driver.executeScript("return DATA.lanes.length")).isEqualTo(8L);
      assertThat((Long) driver.executeScript("return timeline.state.drawn.arrows"))
          .isPositive();
      driver.executeScript("timeline.select(DATA.bars.filter(function (b) {"
          + " return b[4].indexOf(' ok write ') > 0; })[0][5])");
      assertThat(String.valueOf(driver.executeScript(
          "return document.getElementById('panel').textContent")))
          .contains("client invokes", "propose", "stable (order)", "apply", "reply");
      assertThat(severe(driver)).isEmpty();
    } finally {
      driver.quit();
    }
  }

  private static List<String> severe(ChromeDriver driver) {
    List<String> errors = new ArrayList<>();
    for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
      if (entry.getLevel().intValue() >= Level.SEVERE.intValue()) {
        errors.add(entry.getMessage());
      }
    }
    return errors;
  }
}
