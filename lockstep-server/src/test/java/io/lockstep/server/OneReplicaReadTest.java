package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.client.ClientOptions;
import io.lockstep.client.LockstepClient;
import io.lockstep.machine.ClientId;
import io.lockstep.replica.LocalRead;
import io.lockstep.server.config.Service;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Paper §3 relaxation under fail-stop, through the embedding API: a read-only request answered
 * by one replica (here a follower, in the caller's process) from its own applied state, with no
 * protocol round; possibly stale, but never behind a position the caller asks for, and still
 * served when the leader and a majority are gone.
 */
class OneReplicaReadTest {
  private static final ClientId READER = ClientId.of("co-located-reader");
  private static final byte[] TOTAL = new byte[0];

  @TempDir Path dir;

  @Test
  void followerServesOneReplicaReadsFromItsAppliedStateEvenWithoutAMajority() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3, Service.KV,
        c -> c.withMachine(CounterMachine.class.getName()))) {
      for (int id = 1; id <= 3; id++) {
        cluster.servers[id - 1] = LockstepReplica.builder().config(cluster.config).id(id)
            .machine(CounterMachine::new).start();
      }
      int leader = cluster.awaitLeader(Duration.ofSeconds(10));
      int follower = leader % 3 + 1;
      int other = follower % 3 + 1;
      ClientOptions options = ClientOptions.fromConfig(cluster.config)
          .withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(10));
      try (LockstepClient client = LockstepClient.connect(options)) {
        client.submitBlocking(eight(5));
        assertThat(total(client.submitBlocking(eight(7)))).isEqualTo(12);
      }
      long written = cluster.server(leader).status().applied();
      ReplicaServer reader = cluster.server(follower);

      LocalRead mine = readOnceApplied(reader, written);
      assertThat(total(mine.value())).isEqualTo(12);
      assertThat(mine.position()).isGreaterThanOrEqualTo(written);

      LocalRead ahead = read(reader, written + 1_000);
      assertThat(ahead.ok()).isFalse();
      assertThat(ahead.reason()).contains("behind the requested " + (written + 1_000));

      // No leader, no majority: a linearizable read is impossible, a one-replica read is not.
      cluster.stop(leader);
      cluster.stop(other);
      LocalRead alone = read(reader, 0);
      assertThat(alone.ok()).isTrue();
      assertThat(total(alone.value())).isEqualTo(12);
      assertThat(alone.position()).as("answers never go back").isEqualTo(mine.position());
    }
  }

  /** Reads until the replica has applied {@code position}; it refuses while behind. */
  private static LocalRead readOnceApplied(ReplicaServer reader, long position) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      LocalRead answer = read(reader, position);
      if (answer.ok()) {
        return answer;
      }
      assertThat(answer.reason()).contains("behind the requested");
      if (System.nanoTime() > end) {
        throw new AssertionError("replica " + reader.id() + " still " + answer);
      }
      Thread.sleep(10);
    }
  }

  private static LocalRead read(ReplicaServer reader, long minPosition) throws Exception {
    return reader.readOneReplica(READER, TOTAL, minPosition).get(10, TimeUnit.SECONDS);
  }

  private static byte[] eight(long n) {
    return ByteBuffer.allocate(8).putLong(n).array();
  }

  private static long total(byte[] reply) {
    return ByteBuffer.wrap(reply).getLong();
  }
}
