package io.lockstep.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.client.ClientOptions;
import io.lockstep.client.LockClient;
import io.lockstep.client.LockstepClient;
import io.lockstep.server.config.ReplicaAddresses;
import io.lockstep.server.lock.LockCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.SetParams;

/**
 * One replica whose wall clock is an hour ahead (the test-only key
 * {@code runtime.test-clock-offset-ms.<id>}) becomes leader of real replica processes: Redis
 * TTLs and lock hold times set before and after must not move, since agreed time is bounded by
 * a quorum of clocks. Stamping the leader's own clock would expire every one of them at once.
 */
class WrongClockProcessTest {
  private static final int FAST = 3;
  private static final long HOUR = 3_600_000;

  @TempDir Path dir;
  private ProcessCluster cluster;

  @AfterEach
  void killEverything() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private ProcessCluster start(String service) throws Exception {
    return ProcessCluster.start(dir, true, "cluster.service=" + service
        + "\nruntime.test-clock-offset-ms." + FAST + "=" + HOUR + "\n");
  }

  @Test
  void redisTtlsDoNotMoveWhenAReplicaAnHourAheadLeads() throws Exception {
    cluster = start("kv");
    steerLeadershipAwayFrom(FAST);
    try (Jedis jedis = cluster.jedis(cluster.awaitLeader())) {
      assertThat(jedis.set("before", "v")).isEqualTo("OK");
      assertThat(jedis.expire("before", 60)).isEqualTo(1);
    }
    steerLeadershipTo(FAST);
    try (Jedis jedis = cluster.jedis(FAST)) {
      assertThat(jedis.set("marker", "stamped by the fast leader")).isEqualTo("OK");
      assertThat(jedis.set("after", "v", SetParams.setParams().ex(10))).isEqualTo("OK");
      assertThat(jedis.ttl("after")).as("a fresh 10 s TTL").isBetween(8L, 10L);
      assertThat(jedis.ttl("before")).as("set a minute before the leader change")
          .isBetween(1L, 60L);
      Thread.sleep(2_000);
      jedis.set("marker", "two seconds later"); // agreed time moves only with ordered requests
      assertThat(jedis.exists("after")).as("two seconds into a 10 s TTL").isTrue();
      // Two seconds and some of agreed time passed; how much more depends on the machine's load.
      assertThat(jedis.ttl("after")).isBetween(3L, 9L);
      assertThat(jedis.exists("before")).isTrue();
    }
  }

  @Test
  void lockHoldTimesDoNotMoveWhenAReplicaAnHourAheadLeads() throws Exception {
    cluster = start("lock");
    steerLeadershipAwayFrom(FAST);
    try (LockClient owner = client(); LockClient other = client()) {
      assertThat(owner.acquire("before", Duration.ofSeconds(60)).held()).isTrue();
      steerLeadershipTo(FAST);
      LockCodec.State after = owner.acquire("after", Duration.ofSeconds(10));
      assertThat(after.held()).isTrue();
      Thread.sleep(2_000);
      other.acquire("tick", Duration.ofSeconds(1)); // an ordered request moves agreed time
      assertThat(owner.holder("after").held()).as("two seconds into a 10 s hold").isTrue();
      assertThat(owner.holder("before").held()).as("held for 60 s from before the change")
          .isTrue();
      LockCodec.State waiting = other.acquireAsync("after", Duration.ofSeconds(1))
          .get(10, TimeUnit.SECONDS);
      assertThat(waiting.held()).as("the lock is still the owner's, so the other one queues")
          .isFalse();
    }
  }

  private LockClient client() {
    ClientOptions options = ClientOptions.of(cluster.config.name(),
        cluster.config.replicas().stream().map(ReplicaAddresses::client).toList());
    return new LockClient(LockstepClient.connect(options));
  }

  /** Cuts the leader off until another replica leads, as often as it takes to reach one. */
  private void steerLeadershipTo(int target) throws InterruptedException {
    for (int round = 0; round < 12; round++) {
      int leader = cluster.awaitLeader();
      if (leader == target) {
        return;
      }
      cluster.cutOff(leader);
      cluster.awaitLeader(leader, Duration.ofSeconds(30));
      cluster.heal(leader);
    }
    throw new AssertionError("replica " + target + " never became leader");
  }

  private void steerLeadershipAwayFrom(int replica) throws InterruptedException {
    int leader = cluster.awaitLeader();
    if (leader == replica) {
      cluster.cutOff(replica);
      cluster.awaitLeader(replica, Duration.ofSeconds(30));
      cluster.heal(replica);
    }
  }
}
