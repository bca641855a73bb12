package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.client.ClientOptions;
import io.lockstep.client.KvClient;
import io.lockstep.client.LockstepClient;
import io.lockstep.client.Transmitter;
import io.lockstep.machine.ClientId;
import io.lockstep.net.NetOptions;
import io.lockstep.net.PeerNetwork;
import io.lockstep.order.FailureModel;
import io.lockstep.redis.RedisOp;
import io.lockstep.redis.RedisOpCodec;
import io.lockstep.request.Request;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ClusterKeys;
import io.lockstep.server.config.Service;
import io.lockstep.server.wire.Authenticator;
import io.lockstep.server.wire.PeerEnvelope;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A faulty replica that relays a client request it made up ({@link RequestRelay}) over real TCP:
 * it holds its own peer key, so the receiving replica accepts its connection, but it does not
 * hold the key the client shares with the receiver, so it cannot make the client's tag. The
 * receiver refuses the request, counts it ({@code lockstep_relayed_requests_total{outcome=
 * "refused"}}), takes none, and nothing is executed. Replica 1 is played by the test itself
 * (with replica 1's key); replicas 2 to 4 are real servers.
 */
class ForgedRelayOverTcpTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Pattern REFUSED =
      Pattern.compile("lockstep_relayed_requests_total\\{outcome=\"refused\",replica=\"2\"} (\\S+)");
  private static final Pattern TAKEN =
      Pattern.compile("lockstep_relayed_requests_total\\{outcome=\"taken\",replica=\"2\"} (\\S+)");

  @TempDir Path dir;

  private final ReplicaServer[] servers = new ReplicaServer[3];
  private PeerNetwork liar;

  @AfterEach
  void stop() {
    if (liar != null) {
      liar.close();
    }
    for (ReplicaServer s : servers) {
      if (s != null) {
        s.close();
      }
    }
  }

  @Test
  void aRequestRelayedWithATagTheClientNeverMadeIsRefusedCountedAndNeverExecuted()
      throws Exception {
    ClusterConfig config = ClusterConfig.local("forged", 4, 20_000, dir.resolve("data"),
        Service.KV, TestCluster.SECRET).withReplicas(TestCluster.loopbackReplicas(4))
        .withKeys(ClusterKeys.generate(dir.resolve("keys"), List.of(1, 2, 3, 4),
            List.of("proxy")))
        .withFailureModel(FailureModel.BYZANTINE, 1, "pbft");
    for (int id = 2; id <= 4; id++) {
      servers[id - 2] = ReplicaServer.start(config, id);
    }
    ClientOptions options = ClientOptions.fromConfig(config, "proxy")
        .withTransmitter(Transmitter.BROADCAST, config).withTimeouts(WAIT, WAIT);
    try (LockstepClient client = LockstepClient.connect(options)) {
      KvClient kv = new KvClient(client);
      // The client's key-proved connections are open at every replica: a relayed request from
      // it would be checked against them (a request from a client not connected is refused for
      // that reason instead, which is not what this test is about).
      assertThat(kv.getAsync(bytes("k")).get()).isNull();

      liar = PeerNetwork.start(ReplicaIdentity.load(config, 1).peers(
          config.replicas().get(0).peer(), config.peerAddresses(), NetOptions.defaults()),
          (from, payload) -> { });
      Request forged = Request.command(ClientId.of("proxy"), 1,
          RedisOpCodec.encode(RedisOp.Set.of(bytes("k"), bytes("forged"))));
      byte[] relayed = PeerEnvelope.relayed(List.of(
          new PeerEnvelope.RelayedRequest(Authenticator.covered(forged), new byte[16])));
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (counter(REFUSED) < 1 && System.nanoTime() < deadline) {
        liar.send(2, relayed); // until the connection is up; each copy is refused alike
        Thread.sleep(100);
      }

      assertThat(counter(REFUSED)).as("refused at replica 2").isGreaterThanOrEqualTo(1);
      assertThat(counter(TAKEN)).as("taken at replica 2").isZero();
      assertThat(kv.getAsync(bytes("k")).get()).as("the made-up SET never ran").isNull();
    }
  }

  /** Every replica's peer address, by id. */

  /** Replica 2's counter matching {@code pattern}, 0 while it has not counted any. */
  private double counter(Pattern pattern) {
    Matcher m = pattern.matcher(servers[0].metrics().scrape());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
