package io.lockstep.server;

import java.util.List;

/** A browser the live page scenario drives: HtmlUnit, or headless Chromium through Selenium. */
interface LivePageBrowser extends AutoCloseable {
  /** Loads {@code url}; the page's script then keeps running in the background. */
  void open(String url) throws Exception;

  /** The text content of the first element matching {@code css}, "" if there is none. */
  String text(String css);

  /** An attribute of the first element matching {@code css}, "" if absent. */
  String attribute(String css, String name);

  /** Script errors the page raised since it was opened (network failures are not errors). */
  List<String> scriptErrors();

  @Override
  void close();
}
