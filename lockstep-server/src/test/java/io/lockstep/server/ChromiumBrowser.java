package io.lockstep.server;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * Headless Chromium through Selenium, with the Debian packages' binaries ({@code chromium},
 * {@code chromium-driver}); naming both paths keeps Selenium from trying to download a driver.
 */
final class ChromiumBrowser implements LivePageBrowser {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private final ChromeDriver driver;
  private final List<String> errors = new CopyOnWriteArrayList<>();

  ChromiumBrowser() {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // --no-sandbox: the tests may run as root (CI does), where Chromium's sandbox refuses to start.
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
        "--disable-gpu", "--window-size=1280,1000");
    options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
    driver = new ChromeDriver(service, options);
  }

  /** Whether the Debian packages are installed (the Chromium test is skipped otherwise). */
  static boolean installed() {
    return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
  }

  @Override
  public void open(String url) {
    driver.get(url);
  }

  /**
   * Read in one script call: the page rebuilds its table on every refresh, so an element found
   * by one WebDriver call may be gone by the next.
   */
  @Override
  public String text(String css) {
    return String.valueOf(driver.executeScript(
        "var e = document.querySelector(arguments[0]); return e ? e.textContent : '';", css));
  }

  @Override
  public String attribute(String css, String name) {
    return String.valueOf(driver.executeScript("var e = document.querySelector(arguments[0]);"
        + " var v = e && e.getAttribute(arguments[1]); return v === null ? '' : v;", css, name));
  }

  /**
   * Severe console entries other than failed requests: a replica that is down makes the
   * browser log its refused connection, which is the page working, not a script error.
   */
  @Override
  public List<String> scriptErrors() {
    for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
      String message = entry.getMessage();
      if (entry.getLevel().intValue() >= Level.SEVERE.intValue()
          && !message.contains("net::ERR_") && !message.contains("Failed to load resource")) {
        errors.add(message);
      }
    }
    return List.copyOf(errors);
  }

  /** A PNG of the window as it is now. */
  byte[] screenshot() {
    return driver.getScreenshotAs(org.openqa.selenium.OutputType.BYTES);
  }

  @Override
  public void close() {
    driver.quit();
  }
}
