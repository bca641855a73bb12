package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.check.History;
import io.lockstep.check.LinearizabilityChecker;
import io.lockstep.check.Op;
import io.lockstep.client.ClientOptions;
import io.lockstep.client.KvClient;
import io.lockstep.client.LockstepClient;
import io.lockstep.client.Transmitter;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.Service;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Java client in {@code client.transmitter=one-replica} mode over real TCP (paper §3.1): it
 * signs each request and hands it to one replica of a Byzantine {@code replica-uid} cluster,
 * votes on t+1 identical replies that every replica sends it, and when the replica it picked
 * does not carry the request (here: it is down), the same signed request goes through the next
 * and runs once.
 */
class OneReplicaTransmitterServerTest {
  @TempDir Path dir;

  @Test
  void aOneReplicaClientWritesAndReadsAndItsResendThroughTheNextReplicaRunsOnce()
      throws Exception {
    try (ByzantineUidCluster cluster = new ByzantineUidCluster(dir, List.of("carol"))) {
      ClientOptions options = ClientOptions.fromConfig(cluster.config, "carol")
          .withTransmitter(Transmitter.ONE_REPLICA, cluster.config)
          .withTimeouts(Duration.ofSeconds(8), Duration.ofSeconds(90));
      // The first replica the client picks (its first slot, replica 1) is down from the start.
      cluster.stop(1);
      try (LockstepClient client = LockstepClient.connect(options)) {
        KvClient kv = new KvClient(client);
        assertThat(kv.incr("n")).as("the write, resent past replica 1").isEqualTo(1);
        long resends = client.retries();
        assertThat(resends).as("the first write needed a resend").isPositive();
        assertThat(kv.get("n")).as("it ran once").isEqualTo("1");
        assertThat(kv.incr("n")).isEqualTo(2);
        // The replica that carried the first write stays the transmitter: no more time-outs
        // (an attempt is 8 s, several times what a write takes once replica 1 is detected).
        assertThat(client.retries()).as("resends after the first write").isEqualTo(resends);
        // A session of the client (as the proxy opens one per Redis connection) signs with
        // the client's key and gets every replica's reply on the client's connections.
        KvClient session = new KvClient(client.newSession());
        assertThat(session.incr("n")).isEqualTo(3);
        assertThat(client.retries()).as("resends after the session's write").isEqualTo(resends);
      }
    }
  }

  /**
   * The mode under a lying replica that is up: replica 1, the client's first pick, runs the
   * test-only lie {@code drops-handed} (it takes the requests handed to it and disseminates
   * none). Three sessions of the client write and read concurrently: every operation completes
   * through the resend to the next replica, and the history, with a final read of every key,
   * is linearizable. About 30 s (rounds of 600 ms, an 8 s attempt before the resend), so long.
   */
  @Test
  @Tag("long")
  void aLiarThatDropsWhatItIsHandedCostsAResendAndTheHistoryStaysLinearizable()
      throws Exception {
    ClusterConfig lying = ByzantineUidCluster.config(dir, List.of("carol"))
        .withProtocolSetting("test-lies", "enabled")
        .withProtocolSetting("test-byzantine-behaviour.1", "drops-handed");
    try (ByzantineUidCluster cluster = new ByzantineUidCluster(lying)) {
      ClientOptions options = ClientOptions.fromConfig(cluster.config, "carol")
          .withTransmitter(Transmitter.ONE_REPLICA, cluster.config)
          .withTimeouts(Duration.ofSeconds(8), Duration.ofSeconds(90));
      try (LockstepClient client = LockstepClient.connect(options)) {
        SessionHistory history = new SessionHistory();
        List<CompletableFuture<Void>> sessions = new ArrayList<>();
        for (int process = 1; process <= 3; process++) {
          KvClient kv = new KvClient(client.newSession());
          int p = process;
          sessions.add(CompletableFuture.runAsync(() -> history.run(p, kv, 4)));
        }
        CompletableFuture.allOf(sessions.toArray(CompletableFuture[]::new))
            .get(180, TimeUnit.SECONDS); // a failed operation fails the test here
        assertThat(client.retries()).as("writes handed to the liar were resent").isPositive();
        history.finalReads(99, new KvClient(client.newSession()));
        LinearizabilityChecker.Result result = LinearizabilityChecker.check(history.history);
        assertThat(result.verdict()).as("%s: %s", history.history, result.explanation())
            .isEqualTo(LinearizabilityChecker.Verdict.LINEARIZABLE);
      }
    }
  }

  /** Writes and reads of two keys by client sessions, recorded for the checker. */
  private static final class SessionHistory {
    final History history = new History();

    /** {@code ops} operations by {@code process}: a write, then a read, alternately. */
    void run(int process, KvClient kv, int ops) {
      for (int i = 0; i < ops; i++) {
        String key = "k" + (i / 2 % 2);
        if (i % 2 == 0) {
          String value = "p" + process + "-" + i;
          Op invoke = record(Op.write(process, key, value, 0));
          kv.set(key, value);
          record(invoke.completeOk(0));
        } else {
          read(process, key, kv);
        }
      }
    }

    void finalReads(int process, KvClient kv) {
      read(process, "k0", kv);
      read(process, "k1", kv);
    }

    private void read(int process, String key, KvClient kv) {
      Op invoke = record(Op.read(process, key, 0));
      String value = kv.get(key);
      record(invoke.completeRead(value, 0));
    }

    /** Adds {@code op} stamped now, under the history's lock so that times ascend. */
    private Op record(Op op) {
      synchronized (history) {
        Op stamped = new Op(op.process(), op.type(), op.f(), op.key(), op.value(),
            op.expected(), System.nanoTime());
        history.add(stamped);
        return stamped;
      }
    }
  }

  @Test
  void oneReplicaModeIsRefusedWhereItCannotWorkWithTheReason() throws Exception {
    ClusterConfig uid = ByzantineUidCluster.config(dir, List.of("carol"));
    assertThat(Transmitter.ONE_REPLICA.refusal(uid)).isNull();
    ClusterConfig pbft = FiveByzantineMachines.five(dir.resolve("pbft"));
    assertThat(Transmitter.ONE_REPLICA.refusal(pbft)).contains("runs pbft")
        .contains("use broadcast or relay");
    assertThatThrownBy(() -> ClientOptions.fromConfig(pbft, "proxy")
        .withTransmitter(Transmitter.ONE_REPLICA, pbft)).hasMessageContaining("runs pbft");
    ClusterConfig failStop = ClusterConfig.local("f", 3, 20_000, dir, Service.KV,
        TestCluster.SECRET);
    assertThat(Transmitter.ONE_REPLICA.refusal(failStop)).contains("fail-stop");
    assertThat(Transmitter.BROADCAST.refusal(failStop)).isNull();
    assertThat(ClientOptions.fromConfig(uid, "carol")
        .withTransmitter(Transmitter.ONE_REPLICA, uid).transmitter())
        .isEqualTo(Transmitter.ONE_REPLICA);
    ClientOptions keyless = ClientOptions.of("u", List.of(
        new java.net.InetSocketAddress("127.0.0.1", 1)));
    assertThatThrownBy(() -> keyless.withTransmitter(Transmitter.ONE_REPLICA, uid))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("without a key");
    assertThatThrownBy(() -> Transmitter.parse("one")).hasMessageContaining("one-replica");
    assertThat(Transmitter.parse("one-replica")).isEqualTo(Transmitter.ONE_REPLICA);
  }

}
