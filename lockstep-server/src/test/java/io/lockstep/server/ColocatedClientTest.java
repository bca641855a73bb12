package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.client.IndeterminateException;
import io.lockstep.executor.Executor;
import io.lockstep.machine.ClientId;
import io.lockstep.request.Reply;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.Service;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Paper §4 (S14), the dependent-failures optimization: a client in the same process as a replica
 * takes that replica's reply. Its requests are still ordered (through the leader under Raft, by
 * the replica itself under the paper's schemes, where every replica orders); the answer is the
 * reply its own replica produced.
 */
class ColocatedClientTest {
  @TempDir Path dir;

  @Test
  void colocatedClientTakesItsOwnReplicasReplyOnAFollowerAndOnTheLeader() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3, Service.KV,
        c -> c.withMachine(CounterMachine.class.getName()))) {
      for (int id = 1; id <= 3; id++) {
        cluster.servers[id - 1] = LockstepReplica.builder().config(cluster.config).id(id)
            .machine(CounterMachine::new).start();
      }
      int leader = cluster.awaitLeader(Duration.ofSeconds(10));
      int follower = leader % 3 + 1;
      ColocatedClient onFollower =
          cluster.server(follower).colocatedClient(ClientId.of("beside-" + follower));
      Reply first = submit(onFollower, eight(5));
      assertThat(first.replica()).as("the follower's own reply").isEqualTo(follower);
      assertThat(first.status()).isEqualTo(Reply.Status.OK);
      assertThat(total(first.value())).isEqualTo(5);
      assertThat(total(submit(onFollower, eight(7)).value())).isEqualTo(12);

      ColocatedClient onLeader =
          cluster.server(leader).colocatedClient(ClientId.of("beside-" + leader));
      Reply third = submit(onLeader, eight(1));
      assertThat(third.replica()).isEqualTo(leader);
      assertThat(total(third.value())).isEqualTo(13);

      // A command the machine cannot run is refused by every replica; the local refusal answers.
      Reply refused = submit(onFollower, new byte[1]);
      assertThat(refused.replica()).isEqualTo(follower);
      assertThat(refused.status()).isEqualTo(Reply.Status.REJECTED);
      assertThat(refused.reason()).startsWith(Executor.COMMAND_FAILED.trim());

      // Dependent failure: the client fails with its replica, at once, as indeterminate.
      ReplicaServer stopping = cluster.server(follower);
      cluster.stop(follower);
      long start = System.nanoTime();
      assertThatThrownBy(() -> submit(onFollower, eight(1)))
          .hasCauseInstanceOf(IndeterminateException.class)
          .hasMessageContaining("co-located replica stopped");
      assertThatThrownBy(() -> submit(stopping.colocatedClient(ClientId.of("late")), eight(1)))
          .hasCauseInstanceOf(IndeterminateException.class);
      assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
    }
  }

  /**
   * The paper's own schemes (two replicas, t = 1): a co-located client of either replica is
   * answered by its own replica, sees the other's client's writes in the order, and fails
   * with its replica, at once.
   */
  @ParameterizedTest
  @ValueSource(strings = {"logical-clock", "real-time", "replica-uid"})
  void colocatedClientOfAPaperSchemeTakesItsOwnReplicasReply(String protocol) throws Exception {
    ClusterConfig config = OneReplicaReadServerTest.classic(dir, protocol);
    ReplicaServer[] servers = new ReplicaServer[2];
    try {
      for (int id = 1; id <= 2; id++) {
        servers[id - 1] = LockstepReplica.builder().config(config).id(id)
            .machine(CounterMachine::new).start();
      }
      ColocatedClient one = servers[0].colocatedClient(ClientId.of("beside-1"));
      ColocatedClient two = servers[1].colocatedClient(ClientId.of("beside-2"));
      Reply first = submit(one, eight(5));
      assertThat(first.replica()).as("replica 1's own reply").isEqualTo(1);
      assertThat(total(first.value())).isEqualTo(5);
      Reply second = submit(two, eight(7));
      assertThat(second.replica()).as("replica 2's own reply").isEqualTo(2);
      assertThat(total(second.value())).as("ordered after the first").isEqualTo(12);

      servers[1].close();
      assertThatThrownBy(() -> submit(two, eight(1)))
          .hasCauseInstanceOf(IndeterminateException.class)
          .hasMessageContaining("co-located replica stopped");
    } finally {
      for (ReplicaServer s : servers) {
        if (s != null) {
          s.close();
        }
      }
    }
  }

  private static Reply submit(ColocatedClient client, byte[] command) throws Exception {
    return client.submit(command).get(20, TimeUnit.SECONDS);
  }

  private static byte[] eight(long n) {
    return ByteBuffer.allocate(8).putLong(n).array();
  }

  private static long total(byte[] reply) {
    return ByteBuffer.wrap(reply).getLong();
  }
}
