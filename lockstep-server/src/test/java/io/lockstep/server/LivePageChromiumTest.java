package io.lockstep.server;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeEach;

/**
 * The live page scenario in headless Chromium through Selenium; skipped, saying why, where the
 * Debian {@code chromium} and {@code chromium-driver} packages are not installed
 * ({@code .ci/run} installs them when it can).
 */
class LivePageChromiumTest extends LivePageScenario {
  @BeforeEach
  void needsChromium() {
    assumeTrue(ChromiumBrowser.installed(), "skipped: " + ChromiumBrowser.CHROMIUM + " or "
        + ChromiumBrowser.CHROMEDRIVER + " is missing (apt-get install chromium chromium-driver)");
  }

  @Override
  LivePageBrowser browser() {
    return new ChromiumBrowser();
  }
}
