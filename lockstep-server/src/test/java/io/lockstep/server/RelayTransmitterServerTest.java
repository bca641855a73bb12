package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.client.ClientOptions;
import io.lockstep.client.KvClient;
import io.lockstep.client.LockstepClient;
import io.lockstep.client.Transmitter;
import io.lockstep.order.FailureModel;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ClusterKeys;
import io.lockstep.server.config.Service;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Java client in {@code client.transmitter=relay} mode over real TCP: four PBFT replicas with
 * keys, the client hands each request to one replica with its MAC authenticator, that replica
 * relays it to the other three, and each takes it because the client's tag for it matches. When
 * the replica the client picked is down, the request is resent to every replica and later
 * requests go through the next replica, with no more resends; when it is a backup, it names the
 * primary and later requests go there.
 */
class RelayTransmitterServerTest {
  /** Generous: a loaded 2-core machine may pause far longer than a write takes. */
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int WRITES = 20;

  @TempDir Path dir;

  private final ReplicaServer[] servers = new ReplicaServer[4];

  @AfterEach
  void stopReplicas() {
    for (ReplicaServer s : servers) {
      if (s != null) {
        s.close();
      }
    }
  }

  private ClusterConfig startCluster() throws Exception {
    ClusterConfig config = ClusterConfig.local("relay", 4, 20_000, dir.resolve("data"),
        Service.KV, TestCluster.SECRET).withReplicas(TestCluster.loopbackReplicas(4))
        .withKeys(ClusterKeys.generate(dir.resolve("keys"), List.of(1, 2, 3, 4),
            List.of("proxy", "settler")))
        .withFailureModel(FailureModel.BYZANTINE, 1, "pbft");
    for (int id = 1; id <= 4; id++) {
      servers[id - 1] = ReplicaServer.start(config, id);
    }
    return config;
  }

  /**
   * Relay-mode options; an attempt outlasts any pause of a loaded machine, since a resend here
   * would mean the relay failed.
   */
  private static ClientOptions relay(ClusterConfig config, Duration attempt) {
    return ClientOptions.fromConfig(config, "proxy").withTransmitter(Transmitter.RELAY, config)
        .withTimeouts(attempt, WAIT);
  }

  @Test
  void requestsHandedToOneReplicaAreRelayedAndTakenByTheOthersWithoutAResend()
      throws Exception {
    ClusterConfig config = startCluster();
    try (LockstepClient client = LockstepClient.connect(relay(config, Duration.ofSeconds(20)))) {
      KvClient kv = new KvClient(client);
      // The client tags only for connections already open, and dials them at its first
      // request (which therefore goes to every replica itself): write until three replicas
      // have each taken a relayed request, so every later one carries all three tags. The
      // relaying replica is the primary: replica 1, or whichever a view change at start-up
      // (four cold replicas in one JVM) made primary, and named to the client.
      int warmUp = 0;
      while (takers() < 3 && warmUp < 50) {
        kv.set("warm-up", Integer.toString(warmUp++));
        assertThat(client.retries()).as("resends while warming up").isZero();
        Thread.sleep(20);
      }
      assertThat(warmUp).as("writes until every backup took a relayed one").isLessThan(50);
      int primary = servers[0].status().leader();
      double[] taken = new double[5];
      double[] refused = new double[5];
      for (int id = 1; id <= 4; id++) {
        taken[id] = relayed(id, "taken");
        refused[id] = relayed(id, "refused");
      }
      double sent = relayed(primary, "sent");

      for (int i = 0; i < WRITES; i++) {
        kv.set("k" + i, "v" + i);
      }
      for (int i = 0; i < WRITES; i++) {
        assertThat(kv.get("k" + i)).isEqualTo("v" + i);
      }

      assertThat(client.retries()).as("resends").isZero();
      // The primary, the client's pick, relays each write to each of the three others.
      assertThat(relayed(primary, "sent") - sent).as("relayed by primary %d: %s", primary,
          views()).isGreaterThanOrEqualTo(3 * WRITES);
      for (int id = 1; id <= 4; id++) {
        int replica = id;
        double before = taken[id];
        if (id != primary) {
          // A backup may take its copy after the client has its 2t+1 replies: wait for it.
          await("replica " + id + " took every write relayed",
              () -> relayed(replica, "taken") - before >= WRITES);
        }
      }
      assertThat(relayed(primary, "taken") - taken[primary]).as("nothing is relayed to the relayer")
          .isZero();
      for (int id = 1; id <= 4; id++) {
        assertThat(relayed(id, "refused") - refused[id]).as("refused at %d", id).isZero();
      }

      // A session of the client (one per Redis connection in the proxy) is relayed too: its
      // id is the client's id/…, whose connections' keys made the tags.
      KvClient session = new KvClient(client.newSession());
      int backup = primary == 4 ? 3 : 4;
      double sessionBefore = relayed(backup, "taken");
      session.set("session-key", "session-value");
      assertThat(session.get("session-key")).isEqualTo("session-value");
      await("replica " + backup + " took the session's write relayed",
          () -> relayed(backup, "taken") > sessionBefore);
      assertThat(client.retries()).as("resends after the session's write").isZero();
    }
  }

  /**
   * A client whose first pick is a backup (listed first): that backup relays the request and
   * names the primary, whose own pre-prepares then carry the client's later requests; no
   * request is resent on the way.
   */
  @Test
  void aClientThatPickedABackupMovesToThePrimaryItNames() throws Exception {
    ClusterConfig config = startCluster();
    ClientOptions picked = relay(config, Duration.ofSeconds(20));
    // Settled first by a client that sends every replica each write: a view change at start-up
    // (four cold replicas in one JVM) may have moved the primary from replica 1.
    try (LockstepClient warm = LockstepClient.connect(ClientOptions.fromConfig(config, "settler")
        .withTransmitter(Transmitter.BROADCAST, config).withTimeouts(WAIT, WAIT))) {
      KvClient kv = new KvClient(warm);
      for (int i = 0; i < 20; i++) {
        kv.set("warm-up", Integer.toString(i));
      }
    }
    int primary = servers[0].status().leader();
    int backup = primary % 4 + 1;
    List<java.net.InetSocketAddress> backupFirst = new ArrayList<>(picked.replicas());
    List<Integer> ids = new ArrayList<>(picked.keys().replicaIds());
    List<java.security.PublicKey> keys = new ArrayList<>(picked.keys().replicaKeys());
    int slot = ids.indexOf(backup);
    for (List<?> list : List.of(backupFirst, ids, keys)) {
      java.util.Collections.swap(list, 0, slot);
    }
    ClientOptions options = new ClientOptions(picked.cluster(), backupFirst, picked.clientId(),
        picked.secret(), picked.failureModel(), picked.t(), picked.attemptTimeout(),
        picked.deadline(), new io.lockstep.client.ClientKeys(picked.keys().privateKey(), ids,
            keys), picked.oneReplicaReads(), Transmitter.RELAY);
    try (LockstepClient client = LockstepClient.connect(options)) {
      KvClient kv = new KvClient(client);
      // The first write goes to every replica (no connection is open to tag with yet); the
      // next ones are handed to the backup until it has named the primary.
      int writes = 0;
      while (relayed(primary, "sent") == 0 && writes < 50) {
        kv.set("k" + writes, "v" + writes);
        writes++;
      }
      assertThat(relayed(backup, "sent")).as("backup %d relayed the first handed write",
          backup).isPositive();
      assertThat(relayed(primary, "sent")).as("then the client moved to primary %d; %s",
          primary, views()).isPositive();
      double byBackup = relayed(backup, "sent");
      double byPrimary = relayed(primary, "sent");
      for (int i = 0; i < WRITES; i++) {
        kv.set("later" + i, "v" + i);
      }
      assertThat(relayed(primary, "sent") - byPrimary).isGreaterThanOrEqualTo(3 * WRITES);
      assertThat(relayed(backup, "sent")).as("nothing more through the backup")
          .isEqualTo(byBackup);
      assertThat(client.retries()).as("resends").isZero();
      assertThat(kv.get("later" + (WRITES - 1))).isEqualTo("v" + (WRITES - 1));
    }
  }


  @Test
  void whenThePickedReplicaIsDownTheResendGoesToEveryReplicaAndLaterWritesNeedNone()
      throws Exception {
    ClusterConfig config = startCluster();
    // Replica 1, the client's first pick (and the primary of view 0), is down from the start.
    servers[0].close();
    servers[0] = null;
    // Long enough to outlast any pause; each resend costs one attempt.
    try (LockstepClient client = LockstepClient.connect(relay(config, Duration.ofSeconds(5)))) {
      KvClient kv = new KvClient(client);
      // The first write goes to every replica (no connection is open yet to tag with); the
      // second is handed to replica 1, gets no decision and is resent to every replica.
      assertThat(kv.incr("n")).isEqualTo(1);
      assertThat(kv.incr("n")).as("the write, resent past replica 1").isEqualTo(2);
      long resends = client.retries();
      assertThat(resends).as("the second write needed a resend").isPositive();
      assertThat(kv.get("n")).as("each ran once").isEqualTo("2");

      // Later writes go through replica 2, which relays them to 3 and 4.
      double[] taken = {0, 0, 0, relayed(3, "taken"), relayed(4, "taken")};
      double sent = relayed(2, "sent");
      for (int i = 0; i < WRITES; i++) {
        kv.set("k" + i, "v" + i);
        assertThat(client.retries()).as("resends after write %d", i).isEqualTo(resends);
      }
      KvClient session = new KvClient(client.newSession());
      assertThat(session.incr("n")).isEqualTo(3);
      assertThat(client.retries()).as("resends after the session's write").isEqualTo(resends);
      assertThat(relayed(2, "sent") - sent).isGreaterThanOrEqualTo(2 * (WRITES + 1));
      for (int id = 3; id <= 4; id++) {
        int replica = id;
        double before = taken[id];
        await("replica " + id + " took the later writes relayed by replica 2",
            () -> relayed(replica, "taken") - before >= WRITES + 1);
      }
      for (int i = 0; i < WRITES; i++) {
        assertThat(kv.get("k" + i)).isEqualTo("v" + i);
      }
    }
  }

  /**
   * Sessions writing from several threads at once while the client's first pick is down: every
   * write completes. The client dials the down replica again at each request; when that dial
   * was refused before the authenticator looked at it (a refusal takes microseconds), the
   * failure was thrown out of {@code setAsync}, and the session's later writes then failed as
   * of an unknown session. Threads past the cores make that window likely enough to be hit in
   * a few seconds (dozens of times in 20,000 writes before the fix).
   */
  @Test
  void sessionsOnManyThreadsLoseNoWriteWhileThePickedReplicaIsDown() throws Exception {
    ClusterConfig config = startCluster();
    servers[0].close();
    servers[0] = null;
    try (LockstepClient client = LockstepClient.connect(relay(config, Duration.ofSeconds(2)))) {
      KvClient kv = new KvClient(client);
      kv.set("a", "1");
      // The resend past replica 1 (one 2 s attempt): replica 2 relays from now on. Resends
      // under the load below cost time only; every write must still complete.
      kv.set("a", "2");
      long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
      AtomicInteger written = new AtomicInteger();
      List<Thread> writers = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        String prefix = "t" + t + "-";
        Thread writer = new Thread(() -> {
          do { // at least one session per thread, however late it starts
            // A new session each time, as the proxy opens one per Redis connection.
            KvClient session = new KvClient(client.newSession());
            List<CompletableFuture<Void>> pending = new ArrayList<>();
            try {
              for (int i = 0; i < 16; i++) {
                pending.add(session.setAsync((prefix + i).getBytes(StandardCharsets.UTF_8),
                    Integer.toString(i).getBytes(StandardCharsets.UTF_8)));
              }
              for (CompletableFuture<Void> write : pending) {
                write.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                written.incrementAndGet();
              }
            } catch (Exception e) {
              failures.add(e);
            }
          } while (System.nanoTime() < end && failures.isEmpty());
        });
        writer.start();
        writers.add(writer);
      }
      for (Thread writer : writers) {
        writer.join();
      }
      assertThat(failures).isEmpty();
      assertThat(written.get()).isPositive();
      assertThat(kv.get("t7-15")).isEqualTo("15");
    }
  }

  /** How many replicas have taken a relayed request. */
  private int takers() {
    int n = 0;
    for (int id = 1; id <= 4; id++) {
      n += relayed(id, "taken") > 0 ? 1 : 0;
    }
    return n;
  }

  /** Each replica's view ({@code lockstep_term}), for failure messages. */
  private String views() {
    StringBuilder b = new StringBuilder();
    for (int id = 1; id <= 4; id++) {
      Matcher m = Pattern.compile("(?m)^lockstep_(term|leader)\\{[^}]*} (\\S+)$").matcher(servers[id - 1].metrics().scrape());
      b.append(id).append(':');
      while (m.find()) {
        b.append(m.group(1)).append('=').append(m.group(2)).append(' ');
      }
    }
    return b.toString();
  }

  /** {@code lockstep_relayed_requests_total} of {@code outcome} at replica {@code id}. */
  private double relayed(int id, String outcome) {
    Matcher m = Pattern.compile("(?m)^lockstep_relayed_requests_total\\{outcome=\"" + outcome
        + "\",replica=\"" + id + "\"} (\\S+)$").matcher(servers[id - 1].metrics().scrape());
    return m.find() ? Double.parseDouble(m.group(1)) : 0; // absent until the first one
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out after " + WAIT + " waiting until " + what);
      }
      Thread.sleep(20);
    }
  }
}
