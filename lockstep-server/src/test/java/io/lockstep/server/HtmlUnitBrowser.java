package io.lockstep.server;

import java.net.MalformedURLException;
import java.net.URL;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.htmlunit.BrowserVersion;
import org.htmlunit.ScriptException;
import org.htmlunit.WebClient;
import org.htmlunit.html.DomNode;
import org.htmlunit.html.DomElement;
import org.htmlunit.html.HtmlPage;
import org.htmlunit.javascript.JavaScriptErrorListener;

/** HtmlUnit as a Chrome-like browser that records every script error instead of throwing. */
final class HtmlUnitBrowser implements LivePageBrowser {
  private final WebClient client = new WebClient(BrowserVersion.CHROME);
  private final List<String> errors = new CopyOnWriteArrayList<>();
  private HtmlPage page;

  HtmlUnitBrowser() {
    client.getOptions().setThrowExceptionOnScriptError(false);
    client.getOptions().setThrowExceptionOnFailingStatusCode(true);
    client.getOptions().setCssEnabled(true);
    client.setJavaScriptErrorListener(new JavaScriptErrorListener() {
      @Override
      public void scriptException(HtmlPage p, ScriptException e) {
        errors.add("script exception: " + e.getMessage());
      }

      @Override
      public void timeoutError(HtmlPage p, long allowed, long executionTime) {
        errors.add("script timed out after " + executionTime + " ms");
      }

      @Override
      public void malformedScriptURL(HtmlPage p, String url, MalformedURLException e) {
        errors.add("malformed script URL " + url);
      }

      @Override
      public void loadScriptError(HtmlPage p, URL url, Exception e) {
        errors.add("script " + url + " did not load: " + e);
      }

      @Override
      public void warn(String message, String source, int line, String lineSource, int offset) {
        // Warnings (e.g. a deprecated API) are not errors.
      }
    });
  }

  @Override
  public void open(String url) throws Exception {
    page = client.getPage(url);
  }

  @Override
  public String text(String css) {
    synchronized (page) {
      DomNode node = page.querySelector(css);
      return node == null ? "" : node.getTextContent();
    }
  }

  @Override
  public String attribute(String css, String name) {
    synchronized (page) {
      DomNode node = page.querySelector(css);
      return node instanceof DomElement e ? e.getAttribute(name) : "";
    }
  }

  @Override
  public List<String> scriptErrors() {
    return List.copyOf(errors);
  }

  @Override
  public void close() {
    client.close();
  }
}
