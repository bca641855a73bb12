package io.lockstep.client;

import static io.lockstep.client.ScriptedReplicas.answering;
import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.server.wire.ClientMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A relay client ({@link Transmitter#RELAY}) tags only the replicas whose connection is open
 * when it sends; one whose connection is still opening (here: just restarted) would refuse the
 * relayed copy for want of a tag. It gets the request itself once its connection opens, well
 * before the attempt's time-out would resend it.
 */
class RelayOpeningConnectionTest {
  /** Long, so that a copy arriving before it cannot be the time-out's resend. */
  private static final Duration ATTEMPT = Duration.ofSeconds(5);

  @Test
  void aReplicaWhoseConnectionIsOpeningGetsTheRequestItself() throws Exception {
    try (ScriptedReplicas replicas = new ScriptedReplicas(Map.of(1, answering("v", 1),
        2, answering("v", 2), 3, answering("v", 3), 4, answering("v", 4)))) {
      ClientOptions relay = replicas.relayOptions(1, ATTEMPT, Duration.ofSeconds(30));
      try (LockstepClient client = LockstepClient.connect(relay)) {
        // The first request opens every connection (it has no tags yet, so it goes to all).
        assertThat(new String(client.submitBlocking("first".getBytes()))).isEqualTo("v");
        replicas.restart(3);
        Thread.sleep(500); // the client sees its connection to replica 3 close

        long sent = System.nanoTime();
        client.submit("second".getBytes());
        long deadline = sent + ATTEMPT.toNanos() / 2;
        List<ClientMessage> atThree = replicas.received.get(3);
        while (atThree.stream().noneMatch(ClientMessage.Submit.class::isInstance)
            && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        assertThat(atThree).as("replica 3, reconnecting, got the request before any resend")
            .anySatisfy(m -> assertThat(m).isInstanceOfSatisfying(ClientMessage.Submit.class,
                s -> assertThat(s.authenticator()).as("sent itself, not relayed").isNull()));
        assertThat(System.nanoTime() - sent).isLessThan(ATTEMPT.toNanos());
      }
    }
  }
}
