package io.lockstep.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The replica's HTTP endpoint: {@code GET /metrics} (Prometheus text), {@code GET /health}
 * (200 with the role as JSON while the loop is live and storage healthy; 503 otherwise, with
 * the reason in the JSON's {@code "reason"}, e.g. a full disk), and the live cluster page:
 * {@code GET /} (a self-contained HTML page, {@link LivePage}) and {@code GET /replica.json}
 * (this replica's figures, {@link LiveJson}), which pages served by the other replicas read too.
 */
final class HealthHttp implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;

  private HealthHttp(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Serves on {@code address}; a replica running a test-only lying behaviour
   * ({@code testBehaviour}, the behaviour's name, or null) says so in every /health answer
   * ({@code "testBehaviour"}), so nobody mistakes it for an honest replica.
   */
  static HealthHttp start(InetSocketAddress address, int replica, ServerMetrics metrics,
      Supplier<StatusView> status, Supplier<Optional<String>> problem,
      Supplier<String> replicaJson, String testBehaviour) throws IOException {
    String marker = testBehaviour == null ? ""
        : ",\"testBehaviour\":\"" + StatusView.jsonEscape(testBehaviour) + "\"";
    HttpServer server = HttpServer.create(address, 16);
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "lockstep-http-" + replica);
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4",
        metrics.scrape()));
    server.createContext("/health", ex -> {
      Optional<String> reason = problem.get();
      String json = status.get().toJson(reason.isEmpty(), reason.orElse(null));
      respond(ex, reason.isEmpty() ? 200 : 503, "application/json",
          json.substring(0, json.length() - 1) + marker + "}");
    });
    LivePage.serve(server, replicaJson);
    server.start();
    return new HealthHttp(server, executor);
  }

  int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange exchange, int code, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
