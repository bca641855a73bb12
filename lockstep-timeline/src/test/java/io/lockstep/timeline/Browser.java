package io.lockstep.timeline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.htmlunit.BrowserVersion;
import org.htmlunit.ScriptException;
import org.htmlunit.WebClient;
import org.htmlunit.html.HtmlPage;
import org.htmlunit.javascript.DefaultJavaScriptErrorListener;

/**
 * A timeline page loaded in HtmlUnit (a Java browser with a JavaScript engine), with every script
 * error collected so a test can insist there were none. HtmlUnit is given no network: the page
 * must be self-contained.
 */
public final class Browser implements AutoCloseable {
  private final WebClient client = new WebClient(BrowserVersion.FIREFOX);
  private final List<String> errors = new ArrayList<>();
  private final HtmlPage page;

  /** Loads {@code file}. */
  public Browser(Path file) throws IOException {
    client.getOptions().setThrowExceptionOnScriptError(false);
    client.getOptions().setCssEnabled(true);
    client.setJavaScriptErrorListener(new DefaultJavaScriptErrorListener() {
      @Override
      public void scriptException(HtmlPage p, ScriptException e) {
        errors.add(e.getMessage());
      }

      @Override
      public void loadScriptError(HtmlPage p, java.net.URL url, Exception e) {
        errors.add("cannot load " + url + ": " + e);
      }

      @Override
      public void malformedScriptURL(HtmlPage p, String url, java.net.MalformedURLException e) {
        errors.add("malformed script url " + url);
      }
    });
    page = client.getPage(file.toUri().toURL());
    client.waitForBackgroundJavaScript(2_000);
  }

  /** Evaluates {@code script} in the page and returns its result as text. */
  public String eval(String script) {
    Object result = page.executeJavaScript(script).getJavaScriptResult();
    return String.valueOf(result);
  }

  /** Evaluates {@code script} as a number. */
  public double number(String script) {
    return Double.parseDouble(eval("(" + script + ")+0"));
  }

  public List<String> errors() {
    return errors;
  }

  public HtmlPage page() {
    return page;
  }

  @Override
  public void close() {
    client.close();
  }
}
