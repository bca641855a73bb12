package io.lockstep.client;

import static io.lockstep.client.ScriptedReplicas.answer;
import static io.lockstep.client.ScriptedReplicas.answering;
import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.server.wire.ClientMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A relay client ({@link Transmitter#RELAY}) hands its later requests to the replica that the
 * one it handed a request to names as the primary (a redirect that is no vote), and heeds no
 * such word from a replica it did not hand the request to.
 */
class RelayFollowsThePrimaryTest {
  @Test
  void laterRequestsGoToThePrimaryTheRelayingReplicaNames() throws Exception {
    ScriptedReplicas.Script namesThree = q -> q instanceof ClientMessage.Submit s
        && s.authenticator() != null
        ? List.of(new ClientMessage.Redirect(q.tag(), 3, "", "replica 3 is the primary"),
            answer(q, "v", 1))
        : List.of(answer(q, "v", 1));
    // Replica 2 names replica 4 for every request, relayed to it or not: never heeded, as
    // the client hands it nothing.
    ScriptedReplicas.Script namesFour = q -> List.of(
        new ClientMessage.Redirect(q.tag(), 4, "", "replica 4 is the primary"), answer(q, "v", 2));
    try (ScriptedReplicas replicas = new ScriptedReplicas(Map.of(1, namesThree, 2, namesFour,
        3, answering("v", 3), 4, answering("v", 4)))) {
      // t = 0: one reply decides, so no attempt times out and moves the transmitter on.
      ClientOptions relay = replicas.relayOptions(0, Duration.ofSeconds(5),
          Duration.ofSeconds(30));
      try (LockstepClient client = LockstepClient.connect(relay)) {
        // The first request opens every connection (no tags yet: it goes to all).
        assertThat(new String(client.submitBlocking("first".getBytes()))).isEqualTo("v");
        Thread.sleep(300);
        assertThat(new String(client.submitBlocking("second".getBytes()))).isEqualTo("v");
        assertThat(handed(replicas, 1, "second")).as("handed to replica 1 first").isTrue();
        assertThat(new String(client.submitBlocking("third".getBytes()))).isEqualTo("v");
        assertThat(handed(replicas, 3, "third")).as("handed to the primary named").isTrue();
        assertThat(handed(replicas, 1, "third")).isFalse();
        assertThat(handed(replicas, 4, "third")).as("replica 2 was handed nothing").isFalse();
      }
    }
  }

  /** Whether replica {@code id} was handed {@code command} with an authenticator. */
  private static boolean handed(ScriptedReplicas replicas, int id, String command) {
    synchronized (replicas.received.get(id)) {
      return replicas.received.get(id).stream().anyMatch(m -> m instanceof ClientMessage.Submit s
          && s.authenticator() != null && new String(s.request().command()).equals(command));
    }
  }
}
