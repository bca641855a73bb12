package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.client.AdminClient;
import io.lockstep.client.ClientOptions;
import io.lockstep.client.KvClient;
import io.lockstep.client.LockstepClient;
import io.lockstep.client.MemberClient;
import io.lockstep.configuration.MemberAddresses;
import io.lockstep.configuration.SystemCommand;
import io.lockstep.order.FailureModel;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ReplicaAddresses;
import io.lockstep.server.config.Service;
import io.lockstep.server.wire.ClientMessage.MemberOperation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Paper §7: replicas' addresses are replicated state. Machines that no original replica's
 * file names are added with their addresses (an ordered {@code SetMember}, then the membership
 * change); the originals learn where to reach them from the replicated configuration, and a
 * client started knowing only the three originals follows the configuration to the machines
 * that replace them one by one, over real TCP, without a restart.
 */
class UnlistedMemberServerTest {
  private static final Duration ANSWER = Duration.ofSeconds(30);
  /**
   * How long the operator waits for a replace: `lockstep member`'s default. It must exceed the
   * leader's own bound (60 s, then it answers "still in progress"), or on a loaded machine,
   * where catching the new replica up and committing two configurations can take that long,
   * the operator gives up on a replica that is still carrying the command out.
   */
  private static final Duration OPERATOR_WAIT = Duration.ofSeconds(90);

  @TempDir Path dir;

  /** The originals' file: replicas 1–3 only (t = 1); nobody edits it. */
  private static ClusterConfig originals(ClusterConfig six) {
    return six.withFailureModel(FailureModel.FAIL_STOP, 1, six.protocol())
        .withReplicas(six.replicas().subList(0, 3));
  }

  /** New machine {@code k}'s own file: the originals and the machines up to it, as spares. */
  private static ClusterConfig ownFile(ClusterConfig six, int k) {
    List<ReplicaAddresses> listed = new ArrayList<>(six.replicas().subList(0, 3));
    six.replicas().subList(3, k).forEach(r -> listed.add(r.asSpare(true)));
    return originals(six).withReplicas(listed);
  }

  private static MemberAddresses addressesOf(ReplicaAddresses r) {
    return new MemberAddresses(r.id(), ReplicaAddresses.text(r.peer()),
        ReplicaAddresses.text(r.client()), ReplicaAddresses.text(r.metrics()),
        ReplicaAddresses.text(r.redis()), new byte[0]);
  }

  @Test
  void aClientKnowingOnlyTheOriginalsKeepsWorkingAfterAllAreReplacedByUnlistedMachines()
      throws Exception {
    TestCluster six = new TestCluster(dir, 6, Service.KV);
    ClusterConfig original = originals(six.config);
    Map<String, String> acknowledged = new LinkedHashMap<>();
    try (TestCluster cluster = six) {
      for (int i = 1; i <= 3; i++) {
        cluster.servers[i - 1] = ReplicaServer.start(original, i);
      }
      ClientOptions options = ClientOptions.of("test", original.replicas().stream()
          .map(ReplicaAddresses::client).toList())
          .withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(20));
      try (LockstepClient client = LockstepClient.connect(options)) {
        KvClient kv = new KvClient(client);
        write(kv, acknowledged, "before", 0);
        for (int k = 4; k <= 6; k++) {
          cluster.awaitLeader(ANSWER); // the voters agree before the next change
          ClusterConfig own = ownFile(six.config, k);
          cluster.servers[k - 1] = ReplicaServer.start(own, k);
          // The operator's file names live replicas: the originals' at first, later a new one's.
          ClusterConfig operatorFile = k == 4 ? original : ownFile(six.config, k);
          replace(cluster, operatorFile, k - 3, k,
              addressesOf(six.config.replica(k).orElseThrow()));
          cluster.stop(k - 3);
          write(kv, acknowledged, "after-" + k, k);
        }
        assertThat(client.replicaAddresses()).as("the client left every original")
            .containsExactlyElementsOf(six.config.replicas().subList(3, 6).stream()
                .map(r -> ReplicaAddresses.text(r.client())).toList());
        assertThat(client.configuration().members()).containsOnlyKeys(4, 5, 6);
        for (Map.Entry<String, String> e : acknowledged.entrySet()) {
          assertThat(kv.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
        }
        for (int k = 4; k <= 6; k++) {
          assertThat(cluster.server(k).status().voters()).containsExactly(4, 5, 6);
        }
      }
    }
  }

  /** Records {@code added}'s addresses, then replaces voter {@code old} by it. */
  private static void replace(TestCluster cluster, ClusterConfig operatorFile, int old,
      int added, MemberAddresses addresses) throws Exception {
    ClientOptions operator = ClientOptions.fromConfig(operatorFile, "operator");
    try (AdminClient admin = new AdminClient(operatorFile, operator)) {
      AdminClient.Outcome recorded = admin.send(new SystemCommand.SetMember(addresses, 0),
          ANSWER);
      assertThat(recorded.ok()).as(recorded.text()).isTrue();
    }
    try (MemberClient members = new MemberClient(operatorFile, operator)) {
      // The client itself asks again while an election is under way or a leader change cut
      // the replace short; no retry here, so a command that fails when the cluster is merely
      // slow fails this test.
      MemberClient.Outcome replaced = members.send(MemberOperation.REPLACE, old, added,
          OPERATOR_WAIT);
      // Each running replica's own view, so a change that stalls says where: its protocol state
      // (a Raft leader's progress per follower, and which followers it counts as repairing) and
      // the replicas' loop and log threads, which say whether one waits on something.
      if (!replaced.ok()) {
        throw new AssertionError(replaced.text() + "; the replicas' own status: "
            + java.util.Arrays.stream(cluster.servers).filter(java.util.Objects::nonNull)
                .map(ReplicaServer::status).toList()
            + "; their protocols: " + java.util.Arrays.stream(cluster.servers)
                .filter(java.util.Objects::nonNull)
                .map(ReplicaServer::describeForDiagnosis).toList()
            + "; their threads:\n" + replicaThreads());
      }
    }
  }

  /** The stacks of this JVM's replica threads (loop, log, timer, network), for a stall. */
  private static String replicaThreads() {
    StringBuilder out = new StringBuilder();
    Thread.getAllStackTraces().forEach((thread, stack) -> {
      if (thread.getName().startsWith("lockstep-")) {
        out.append(thread.getName()).append(' ').append(thread.getState()).append('\n');
        for (StackTraceElement frame : stack) {
          out.append("    at ").append(frame).append('\n');
        }
      }
    });
    return out.toString();
  }

  /** Ten writes through the client; each acknowledged one is remembered. */
  private static void write(KvClient kv, Map<String, String> acknowledged, String prefix, int k) {
    for (int i = 0; i < 10; i++) {
      String key = prefix + "-" + i;
      kv.set(key, Integer.toString(k * 100 + i));
      acknowledged.put(key, Integer.toString(k * 100 + i));
    }
  }
}
