package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.lockstep.client.KvClient;
import io.lockstep.server.config.ReplicaAddresses;
import io.lockstep.server.config.Service;
import io.lockstep.storage.DiskFaults;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live cluster page in a real browser against a real three-replica cluster (sockets, disks):
 * what it shows must be what the replicas report, and it must keep working with any one replica
 * down, including the one that served it. Each browser's test extends this class.
 */
abstract class LivePageScenario {
  private static final Duration WAIT = Duration.ofSeconds(40);

  @TempDir Path dir;

  /** A fresh browser. */
  abstract LivePageBrowser browser() throws Exception;

  @Test
  void thePageShowsEachReplicasFiguresAndKeepsGoingWithAnyOneReplicaDown() throws Exception {
    try (TestCluster cluster = TestCluster.started(dir, 3, Service.KV);
        LivePageBrowser browser = browser()) {
      int leader = cluster.awaitLeader(Duration.ofSeconds(15));
      int follower = leader % 3 + 1;
      browser.open("http://127.0.0.1:" + httpPort(cluster, leader) + "/?refresh=300");

      ratesShowUnderLoad(cluster, browser);
      positionsAndRolesMatchTheReplicas(cluster, browser, leader);
      long term = cluster.server(leader).status().term();
      assertThat(browser.text("#leader-line"))
          .isEqualTo("replica " + leader + " leads term/view " + term);
      assertThat(browser.text("#leader-changes"))
          .contains("replica " + leader + " leads term/view " + term);
      assertThat(browser.text("#combining"))
          .isEqualTo("combining condition: voters 1, 2, 3; margin 1 (1 more may fail)");
      long writesShown = Long.parseLong(browser.attribute("#rate-chart", "data-writes"));
      assertThat(writesShown).as("writes in the chart").isPositive();

      cluster.stop(follower);
      awaitShown(browser, "replica " + follower + " shown down", () ->
          browser.text("#replica-" + follower + " .state").equals("down")
          && browser.text("#summary").contains("2 of 3 replicas answer"));
      assertThat(browser.text("#replica-" + follower + " .health"))
          .contains("127.0.0.1:" + httpPort(cluster, follower));
      assertThat(browser.text("#replica-" + leader + " .state")).isEqualTo("up");
      awaitShown(browser, "the combining condition thin with a voter silent", () ->
          browser.text("#combining").contains("margin 0 — THIN"));
      cluster.start(follower);
      awaitShown(browser, "replica " + follower + " back up", () ->
          browser.text("#replica-" + follower + " .state").equals("up"));

      cluster.stop(leader); // the replica that served the page
      int next = cluster.awaitLeader(Duration.ofSeconds(15));
      long nextTerm = cluster.server(next).status().term();
      awaitShown(browser, "the serving replica down, the new leader shown by the others",
          () -> browser.text("#replica-" + leader + " .state").equals("down")
          && browser.text("#leader-line").equals("replica " + next + " leads term/view "
              + nextTerm)
          && browser.text("#leader-changes").contains("replica " + next + " leads term/view "
              + nextTerm));
      assertThat(Long.parseLong(browser.attribute("#rate-chart", "data-writes")))
          .as("the stopped leader's writes stay in the chart").isGreaterThanOrEqualTo(writesShown);
      assertThat(browser.scriptErrors()).as("script errors").isEmpty();
    }
  }

  @Test
  void anUnhealthyReplicaIsShownWithItsReason() throws Exception {
    DiskFaults[] disks = new DiskFaults[3];
    try (TestCluster cluster = DiskFaultClusterTest.startWithSwitches(dir, disks);
        LivePageBrowser browser = browser()) {
      int leader = cluster.awaitLeader(Duration.ofSeconds(15));
      int follower = leader % 3 + 1;
      browser.open("http://127.0.0.1:" + httpPort(cluster, leader) + "/?refresh=300");
      disks[follower - 1].set(DiskFaults.Mode.SYNC_ERROR);
      try (KvClient kv = new KvClient(cluster.client())) {
        kv.set("k", "v"); // the follower's fsync of this entry fails: it stops, /health says why
      }
      String row = "#replica-" + follower;
      awaitShown(browser, "replica " + follower + " unhealthy with its reason", () ->
          browser.attribute(row, "class").equals("up unhealthy"));
      String reason = cluster.server(follower).healthProblem().orElseThrow();
      assertThat(reason).startsWith("stopped: storage failed");
      assertThat(browser.text(row + " .health")).isEqualTo("unhealthy: " + reason);
      assertThat(browser.text("#replica-" + leader + " .health")).isEqualTo("healthy");
      assertThat(browser.scriptErrors()).as("script errors").isEmpty();
    }
  }

  /**
   * The cluster file lists 0.0.0.0, which the page replaces by the host it came from. On one
   * machine 0.0.0.0 also reaches the replicas, so this shows the rewritten address works, not
   * that a remote browser needed it.
   */
  @Test
  void replicasBoundToEveryInterfaceAreAllPolled() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3, Service.KV, config -> config.withReplicas(
            config.replicas().stream().map(r -> new ReplicaAddresses(r.id(), r.peer(), r.client(),
                r.redis(), new InetSocketAddress("0.0.0.0", r.metrics().getPort()))).toList()));
        LivePageBrowser browser = browser()) {
      for (int id = 1; id <= 3; id++) {
        cluster.start(id);
      }
      int leader = cluster.awaitLeader(Duration.ofSeconds(15));
      browser.open("http://127.0.0.1:" + httpPort(cluster, leader) + "/?refresh=300");
      awaitShown(browser, "every replica answers", () ->
          browser.text("#summary").contains("3 of 3 replicas answer"));
      assertThat(browser.scriptErrors()).as("script errors").isEmpty();
    }
  }

  @Test
  void aPortAnsweringSomethingElseIsShownDownWithWhy() throws Exception {
    TestCluster cluster = new TestCluster(dir, 3, Service.KV);
    HttpServer impostor = HttpServer.create(
        cluster.config.replica(3).orElseThrow().metrics(), 4);
    impostor.createContext("/", exchange -> {
      byte[] body = "{\"hello\":\"not a replica\"}".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Access-Control-Allow-Origin", "*");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    impostor.start();
    try (cluster; LivePageBrowser browser = browser()) {
      cluster.start(1);
      cluster.start(2);
      int leader = cluster.awaitLeader(Duration.ofSeconds(15));
      browser.open("http://127.0.0.1:" + httpPort(cluster, leader) + "/?refresh=300");
      awaitShown(browser, "replica 3 down with the reason", () ->
          browser.text("#replica-3 .state").equals("down")
          && browser.text("#replica-3 .health").startsWith("answer is not a replica's figures")
          && browser.text("#replica-" + leader + " .role").equals("leader"));
      assertThat(browser.scriptErrors()).as("script errors").isEmpty();
    } finally {
      impostor.stop(0);
    }
  }

  /** Writes and reads run until the page's newest two-second bucket shows both above zero. */
  private void ratesShowUnderLoad(TestCluster cluster, LivePageBrowser browser) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong done = new AtomicLong();
    Thread load = new Thread(() -> {
      try (KvClient kv = new KvClient(cluster.client())) {
        for (long i = 0; !stop.get(); i++) {
          kv.set("key" + (i % 100), "value" + i);
          kv.get("key" + (i % 100));
          done.incrementAndGet();
        }
      }
    }, "live-page-load");
    load.start();
    try {
      awaitShown(browser, "write and read rates above zero", () ->
          leadingNumber(browser.text("#write-rate")) > 0
          && leadingNumber(browser.text("#read-rate")) > 0);
    } finally {
      stop.set(true);
      load.join(10_000);
    }
    assertThat(done.get()).isPositive();
    assertThat(browser.attribute("#rate-chart polyline", "points")).isNotEmpty();
  }

  private void positionsAndRolesMatchTheReplicas(TestCluster cluster, LivePageBrowser browser,
      int leader) throws Exception {
    awaitShown(browser, "every replica's commit and applied positions and role", () -> {
      for (int id = 1; id <= 3; id++) {
        StatusView s = cluster.server(id).status();
        String row = "#replica-" + id;
        if (!browser.text(row + " .commit").equals(Long.toString(s.commitIndex()))
            || !browser.text(row + " .applied").equals(Long.toString(s.applied()))
            || !browser.text(row + " .lag").equals("0")
            || !browser.text(row + " .role").equals(id == leader ? "leader" : "follower")
            || !browser.text(row + " .health").equals("healthy")) {
          return false;
        }
      }
      return true;
    });
    assertThat(Long.parseLong(browser.text("#replica-" + leader + " .commit")))
        .as("the load's writes are committed").isGreaterThan(10);
  }

  private static int polls(LivePageBrowser browser) {
    String polls = browser.attribute("body", "data-polls");
    return polls.isEmpty() ? 0 : Integer.parseInt(polls);
  }

  private static double leadingNumber(String text) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("^[0-9.]+").matcher(text);
    return m.find() ? Double.parseDouble(m.group()) : 0;
  }

  private static int httpPort(TestCluster cluster, int id) {
    return cluster.config.replica(id).orElseThrow().metrics().getPort();
  }

  /** Waits for {@code shown}; on time-out the failure quotes the page's table and summary. */
  private static void awaitShown(LivePageBrowser browser, String what,
      java.util.function.BooleanSupplier shown) throws InterruptedException {
    long end = System.nanoTime() + WAIT.toNanos();
    while (!shown.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("page did not show, within " + WAIT + ": " + what
            + "\nsummary: " + browser.text("#summary") + "\ntable: "
            + browser.text("#replicas tbody") + "\nrates: " + browser.text("#rates")
            + "\nscript errors: " + browser.scriptErrors());
      }
      Thread.sleep(100);
    }
  }
}
