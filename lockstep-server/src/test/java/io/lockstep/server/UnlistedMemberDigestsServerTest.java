package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.client.AdminClient;
import io.lockstep.client.ClientOptions;
import io.lockstep.client.KvClient;
import io.lockstep.client.MemberClient;
import io.lockstep.configuration.MemberAddresses;
import io.lockstep.configuration.SystemCommand;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ReplicaAddresses;
import io.lockstep.server.config.Service;
import io.lockstep.server.wire.ClientMessage.MemberOperation;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Divergence detection covers a machine added by its addresses (paper §7: the replicas follow
 * the replicated configuration, not the file). The originals' file names only replicas 1–3;
 * replica 4 is added with an ordered {@code SetMember}. The originals must send it their state
 * digests (and clock probes, which go to the same replicas) although no file of theirs names
 * it: replica 4 then compares digests with theirs, which it could not if they sent only to the
 * replicas of their file.
 */
class UnlistedMemberDigestsServerTest {
  private static final Duration ANSWER = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void theOriginalsSendTheirDigestsToAMachineOnlyTheReplicatedConfigurationNames()
      throws Exception {
    try (TestCluster four = new TestCluster(dir, 4, Service.KV, c -> c.withDigestInterval(5))) {
      ClusterConfig original = four.config.withReplicas(four.config.replicas().subList(0, 3));
      for (int i = 1; i <= 3; i++) {
        four.servers[i - 1] = ReplicaServer.start(original, i);
      }
      four.awaitLeader(ANSWER);
      List<ReplicaAddresses> own = new ArrayList<>(four.config.replicas().subList(0, 3));
      own.add(four.config.replica(4).orElseThrow().asSpare(true));
      four.servers[3] = ReplicaServer.start(four.config.withReplicas(own), 4);
      ClientOptions operator = ClientOptions.fromConfig(original, "operator");
      ReplicaAddresses r = four.config.replica(4).orElseThrow();
      try (AdminClient admin = new AdminClient(original, operator)) {
        AdminClient.Outcome recorded = admin.send(new SystemCommand.SetMember(
            new MemberAddresses(4, ReplicaAddresses.text(r.peer()),
                ReplicaAddresses.text(r.client()), ReplicaAddresses.text(r.metrics()),
                ReplicaAddresses.text(r.redis()), new byte[0]), 0), ANSWER);
        assertThat(recorded.ok()).as(recorded.text()).isTrue();
      }
      try (MemberClient members = new MemberClient(original, operator)) {
        MemberClient.Outcome added = members.send(MemberOperation.ADD, 4, -1, ANSWER);
        assertThat(added.ok()).as(added.text()).isTrue();
      }
      try (KvClient kv = new KvClient(four.client())) {
        long end = System.nanoTime() + ANSWER.toNanos();
        for (int i = 0; metric(four.server(4), "lockstep_digest_compared_total") < 3
            && System.nanoTime() < end; i++) {
          kv.set("k" + i, "v" + i);
        }
      }
      assertThat(metric(four.server(4), "lockstep_digest_compared_total"))
          .as("replica 4 compared digests the originals sent it").isGreaterThanOrEqualTo(3);
      assertThat(metric(four.server(4), "lockstep_divergence_total")).isZero();
    }
  }

  private static double metric(ReplicaServer server, String name) throws Exception {
    String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + server.metricsPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*\\} (\\S+)$").matcher(text);
    assertThat(m.find()).as(name + " is exported").isTrue();
    return Double.parseDouble(m.group(1));
  }
}
