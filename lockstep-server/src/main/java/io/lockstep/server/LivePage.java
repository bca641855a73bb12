package io.lockstep.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The live cluster page on a replica's HTTP port: {@code GET /} answers one self-contained HTML
 * page (its script and style inline, nothing fetched from elsewhere, so it works on a machine
 * without Internet access) and {@code GET /replica.json} this replica's figures.
 *
 * <p>The page polls {@code /replica.json} on every replica listed in the cluster file, from the
 * browser, rather than asking the serving replica to gather its peers' figures: a replica that
 * is down or slow then costs one failed request in the browser and never holds up the serving
 * replica's single HTTP thread, and the page keeps polling the others from the list it has if
 * the replica that served it stops. So the JSON allows any origin's {@code GET}: it carries only
 * what {@code /metrics} already shows to anyone who reaches the port.
 */
final class LivePage {
  /** The page, read once from the class path. */
  private static final byte[] PAGE = load("live.html");

  private LivePage() {}

  /** Adds the page and its JSON to {@code server}. */
  static void serve(HttpServer server, Supplier<String> replicaJson) {
    server.createContext("/", LivePage::page);
    server.createContext("/replica.json", exchange -> {
      if (allowed(exchange)) {
        exchange.getResponseHeaders().set("Access-Control-Allow-Origin", "*");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        send(exchange, 200, "application/json",
            replicaJson.get().getBytes(StandardCharsets.UTF_8));
      }
    });
  }

  /**
   * {@code /} is also the context of every path no other context takes: those get a 404 rather
   * than the page, so a mistyped address is not mistaken for a working one.
   */
  private static void page(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    if (!path.equals("/") && !path.equals("/index.html")) {
      send(exchange, 404, "text/plain; charset=utf-8", ("no such page: " + path
          + "; this replica serves /, /replica.json, /health and /metrics\n")
          .getBytes(StandardCharsets.UTF_8));
    } else if (allowed(exchange)) {
      send(exchange, 200, "text/html; charset=utf-8", PAGE);
    }
  }

  /** Only GET and HEAD: anything else is answered 405 with the methods allowed. */
  private static boolean allowed(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    if (method.equals("GET") || method.equals("HEAD")) {
      return true;
    }
    exchange.getResponseHeaders().set("Allow", "GET, HEAD");
    send(exchange, 405, "text/plain; charset=utf-8",
        ("method " + method + " not allowed; use GET\n").getBytes(StandardCharsets.UTF_8));
    return false;
  }

  private static void send(HttpExchange exchange, int code, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(code, head ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      if (!head) {
        out.write(body);
      }
    }
  }

  private static byte[] load(String name) {
    try (InputStream in = LivePage.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("the live page " + name + " is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the live page " + name, e);
    }
  }
}
