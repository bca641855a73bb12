package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.client.ClientOptions;
import io.lockstep.client.KvClient;
import io.lockstep.client.LockstepClient;
import io.lockstep.client.Transmitter;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.Service;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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

  @Test
  void oneReplicaModeIsRefusedWhereItCannotWorkWithTheReason() throws Exception {
    ClusterConfig uid = ByzantineUidCluster.config(dir, List.of("carol"));
    assertThat(Transmitter.ONE_REPLICA.refusal(uid)).isNull();
    ClusterConfig pbft = FiveByzantineMachines.five(dir.resolve("pbft"));
    assertThat(Transmitter.ONE_REPLICA.refusal(pbft)).contains("runs pbft")
        .contains("keep broadcast");
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
