package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.client.AdminClient;
import io.lockstep.client.ClientOptions;
import io.lockstep.client.KvClient;
import io.lockstep.client.LockstepClient;
import io.lockstep.client.MemberClient;
import io.lockstep.configuration.MemberAddresses;
import io.lockstep.configuration.SystemCommand;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ReplicaAddresses;
import io.lockstep.server.wire.ClientMessage.MemberOperation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Paper §7 in the Byzantine model: a machine that no original replica's file names (its
 * addresses and its public key) joins a PBFT cluster ({@code pbft.replica-set=ordered}). One
 * rule for every failure model: the operator records the machine's addresses and key by an
 * ordered, signed {@code SetMember}, and only then names it in the signed whole replica set.
 * The originals learn the key from the replicated configuration (they check its signatures and
 * admit its connections from then on), the replica-set rule counts it as keyed, and once it
 * replaced an original and another original stopped, every write needs its vote. The voting
 * client was started with the originals' addresses only: it learns machine 5's address and key
 * from the configuration (a voted poll, never one replica's word) and keeps writing.
 */
class UnlistedByzantineMemberServerTest {
  private static final Duration ANSWER = Duration.ofSeconds(60);

  @TempDir Path dir;

  /** Machine 5's own file: the originals and itself, as a spare. */
  private static ClusterConfig ownFile(ClusterConfig five) {
    List<ReplicaAddresses> listed = new ArrayList<>(five.replicas().subList(0, 4));
    listed.add(five.replicas().get(4).asSpare(true));
    return five.withReplicas(listed);
  }

  static MemberAddresses recordOf(ClusterConfig five, int id) {
    ReplicaAddresses r = five.replica(id).orElseThrow();
    return new MemberAddresses(id, ReplicaAddresses.text(r.peer()),
        ReplicaAddresses.text(r.client()), ReplicaAddresses.text(r.metrics()),
        ReplicaAddresses.text(r.redis()), five.keys().replicaKeys().get(id).getEncoded());
  }

  @Test
  void aPbftClusterAddsAMachineNoFileNamesByItsRecordedKeyAndItsVoteThenCounts() throws Exception {
    ClusterConfig five = FiveByzantineMachines.five(dir);
    ClusterConfig original = FiveByzantineMachines.originals(dir, five);
    ReplicaServer[] servers = new ReplicaServer[5];
    Map<String, String> acknowledged = new ConcurrentHashMap<>();
    try {
      for (int i = 1; i <= 4; i++) {
        servers[i - 1] = ReplicaServer.start(original, i);
      }
      servers[4] = ReplicaServer.start(ownFile(five), 5);
      // The client knows only the originals: it must learn machine 5 (address and key) from
      // the configuration, as 2t+1 replicas answer it, to keep writing once 1 and 2 are gone.
      ClientOptions options = ClientOptions.fromConfig(original, "proxy")
          .withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(30));
      try (LockstepClient client = LockstepClient.connect(options)) {
        KvClient kv = new KvClient(client);
        write(kv, acknowledged, "before", 10);
        ClientOptions operator = ClientOptions.fromConfig(original, "proxy");
        // Without the record the originals' rule refuses machine 5: no file they hold keys it.
        try (MemberClient members = new MemberClient(original, operator)) {
          MemberClient.Outcome refused = members.send(MemberOperation.REPLACE, 2, 5, ANSWER);
          assertThat(refused.ok()).as(refused.text()).isFalse();
          assertThat(refused.text()).contains("replica 5").contains("--key");
        }
        try (AdminClient admin = new AdminClient(original, operator)) {
          AdminClient.Outcome recorded = admin.send(
              new SystemCommand.SetMember(recordOf(five, 5), 0), ANSWER);
          assertThat(recorded.ok()).as(recorded.text()).isTrue();
        }
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread load = new Thread(() -> {
          for (int i = 0; writing.get(); i++) { // positions must advance for the change
            write(kv, acknowledged, "during-" + i, 1);
          }
        });
        load.start();
        try (MemberClient members = new MemberClient(original, operator)) {
          MemberClient.Outcome replaced = members.send(MemberOperation.REPLACE, 2, 5, ANSWER);
          assertThat(replaced.ok()).as(replaced.text()).isTrue();
          assertThat(replaced.text()).contains("now in force");
        } finally {
          writing.set(false);
          load.join();
        }
        awaitVoters(servers[4], List.of(1, 3, 4, 5));
        servers[1].close(); // the replica that left
        servers[1] = null;
        servers[0].close(); // and an original: 3, 4 and 5 are 2t+1, so 5 must vote
        servers[0] = null;
        write(kv, acknowledged, "after", 10);
        for (Map.Entry<String, String> e : new TreeMap<>(acknowledged).entrySet()) {
          assertThat(kv.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
        }
        assertThat(client.replicaAddresses()).as("the client votes among the new set")
            .containsExactlyElementsOf(List.of(1, 3, 4, 5).stream().map(id -> ReplicaAddresses
                .text(five.replica(id).orElseThrow().client())).toList());
      }
    } finally {
      for (ReplicaServer s : servers) {
        if (s != null) {
          s.close();
        }
      }
    }
  }

  private static void awaitVoters(ReplicaServer server, List<Integer> voters)
      throws InterruptedException {
    long end = System.nanoTime() + ANSWER.toNanos();
    while (!server.status().voters().equals(voters) && System.nanoTime() < end) {
      Thread.sleep(50);
    }
    assertThat(server.status().voters()).as("replica 5 counts the new set").isEqualTo(voters);
  }

  private static void write(KvClient kv, Map<String, String> acknowledged, String prefix,
      int count) {
    for (int i = 0; i < count; i++) {
      String key = prefix + "-" + i;
      kv.set(key, key);
      acknowledged.put(key, key);
    }
  }

}
