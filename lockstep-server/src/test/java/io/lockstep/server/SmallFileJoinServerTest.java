package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.client.AdminClient;
import io.lockstep.client.ClientOptions;
import io.lockstep.client.KvClient;
import io.lockstep.client.LockstepClient;
import io.lockstep.client.MemberClient;
import io.lockstep.configuration.MemberAddresses;
import io.lockstep.configuration.SystemCommand;
import io.lockstep.order.FailureModel;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ConfigException;
import io.lockstep.server.config.ReplicaAddresses;
import io.lockstep.server.config.Service;
import io.lockstep.server.wire.ClientMessage.MemberOperation;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Paper §7 (the configuration is replicated state): a new machine starts from a small file
 * that names one running replica and itself. Over real TCP, three Raft replicas run from
 * their full file; replica 4 is recorded and added ({@code lockstep member add 4 --peer …
 * --client …}, without --http/--redis), then started from the small file: it asks replica 1
 * for its address book, starts with the originals' initial configuration, catches up, and
 * serves; with the seed stopped afterwards every write needs its vote.
 */
class SmallFileJoinServerTest {
  private static final Duration ANSWER = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void aMachineFromASmallFileNamingOneSeedJoinsCatchesUpAndServes() throws Exception {
    TestCluster four = new TestCluster(dir, 4, Service.KV);
    ClusterConfig original = four.config.withFailureModel(FailureModel.FAIL_STOP, 1,
        four.config.protocol()).withReplicas(four.config.replicas().subList(0, 3));
    ReplicaAddresses fourth = four.config.replica(4).orElseThrow();
    Path small = smallFile(original, fourth);
    try (TestCluster cluster = four) {
      for (int i = 1; i <= 3; i++) {
        cluster.servers[i - 1] = ReplicaServer.start(original, i);
      }
      cluster.awaitLeader(ANSWER);
      try (LockstepClient client = LockstepClient.connect(options(original.replicas()))) {
        KvClient kv = new KvClient(client);
        for (int i = 0; i < 50; i++) {
          kv.set("before-" + i, "v" + i);
        }
      }
      assertThatThrownBy(() -> JoinFile.load(small, 4, Duration.ofSeconds(2)))
          .as("nothing records replica 4 yet").isInstanceOf(ConfigException.class)
          .hasMessageContaining("has no replica 4").hasMessageContaining("lockstep member add 4");

      // As `lockstep member add 4 --peer … --client …` does: the record, then the change,
      // which waits until the new machine has caught up, so the machine starts meanwhile.
      record(original, new MemberAddresses(4, ReplicaAddresses.text(fourth.peer()),
          ReplicaAddresses.text(fourth.client()), "", "", new byte[0]));
      CompletableFuture<MemberClient.Outcome> added = CompletableFuture.supplyAsync(() ->
          add(original, 4));
      JoinFile.Joined joined = JoinFile.load(small, 4, ANSWER);
      assertThat(joined.seed()).isEqualTo(1);
      ClusterConfig merged = joined.config();
      assertThat(merged.voters()).as("the originals' initial configuration").containsExactly(1,
          2, 3);
      assertThat(merged.spares()).containsExactly(4);
      assertThat(merged.replica(3).orElseThrow().peer())
          .as("an original the small file does not name").isEqualTo(original.replica(3)
              .orElseThrow().peer());
      assertThat(merged.replica(4).orElseThrow()).as("its own entry, ports included")
          .isEqualTo(fourth.asSpare(true));

      cluster.servers[3] = ReplicaServer.start(merged, 4);
      MemberClient.Outcome outcome = added.get(2 * ANSWER.toSeconds(), TimeUnit.SECONDS);
      assertThat(outcome.ok()).as(outcome.text()).isTrue();
      awaitCaughtUp(cluster, 4);
      cluster.stop(1); // the seed: from now on a majority of 2, 3, 4 needs replica 4
      // Replica 4's Redis port serves: its forwarder reaches the leader at the address the
      // seed's book gave (replicas 2 and 3 are in no file replica 4 read).
      try (Jedis jedis = new Jedis("127.0.0.1", cluster.server(4).redisPort(), 30_000)) {
        assertThat(jedis.set("after", "joined")).isEqualTo("OK");
        for (int i = 0; i < 50; i++) {
          assertThat(jedis.get("before-" + i)).isEqualTo("v" + i);
        }
        assertThat(jedis.get("after")).isEqualTo("joined");
      }
      assertThat(cluster.server(4).status().voters()).containsExactly(1, 2, 3, 4);
    }
  }

  /**
   * The small file an operator writes: the cluster's settings, replica 1 (the seed) and the
   * new machine's own entry; replicas 2 and 3 are not in it.
   */
  private Path smallFile(ClusterConfig original, ReplicaAddresses fourth) throws Exception {
    Properties p = original.toProperties();
    p.stringPropertyNames().stream()
        .filter(k -> k.startsWith("replica.2.") || k.startsWith("replica.3."))
        .forEach(p::remove);
    p.setProperty("replica.4.peer", ReplicaAddresses.text(fourth.peer()));
    p.setProperty("replica.4.client", ReplicaAddresses.text(fourth.client()));
    p.setProperty("replica.4.redis", ReplicaAddresses.text(fourth.redis()));
    p.setProperty("replica.4.metrics", ReplicaAddresses.text(fourth.metrics()));
    Path file = dir.resolve("join.properties");
    try (Writer w = Files.newBufferedWriter(file)) {
      p.store(w, "replica 4 joins from this small file");
    }
    return file;
  }

  /** Orders the record of {@code addresses} (what {@code member add --peer …} sends first). */
  private static void record(ClusterConfig file, MemberAddresses addresses) throws Exception {
    try (AdminClient admin = new AdminClient(file, ClientOptions.fromConfig(file, "operator"))) {
      AdminClient.Outcome recorded = admin.send(new SystemCommand.SetMember(addresses, 0),
          ANSWER);
      assertThat(recorded.ok()).as(recorded.text()).isTrue();
    }
  }

  /** Adds {@code replica} as a voter; answered once it has caught up and votes. */
  private static MemberClient.Outcome add(ClusterConfig file, int replica) {
    try (MemberClient members = new MemberClient(file,
        ClientOptions.fromConfig(file, "operator"))) {
      return members.send(MemberOperation.ADD, replica, -1, Duration.ofSeconds(55));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Waits until replica {@code id} applied everything the leader had committed. */
  private static void awaitCaughtUp(TestCluster cluster, int id) throws InterruptedException {
    int leader = cluster.awaitLeader(ANSWER);
    long target = cluster.server(leader).status().commitIndex();
    long end = System.nanoTime() + ANSWER.toNanos();
    while (cluster.server(id).status().applied() < target && System.nanoTime() < end) {
      Thread.sleep(20);
    }
    assertThat(cluster.server(id).status().applied()).as("replica " + id + " caught up")
        .isGreaterThanOrEqualTo(target);
  }

  private static ClientOptions options(List<ReplicaAddresses> replicas) {
    return ClientOptions.of("test", replicas.stream().map(ReplicaAddresses::client).toList())
        .withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(20));
  }
}
