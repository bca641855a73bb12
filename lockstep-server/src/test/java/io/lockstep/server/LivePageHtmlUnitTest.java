package io.lockstep.server;

/** The live page scenario in HtmlUnit, which needs nothing installed: it always runs. */
class LivePageHtmlUnitTest extends LivePageScenario {
  @Override
  LivePageBrowser browser() {
    return new HtmlUnitBrowser();
  }
}
