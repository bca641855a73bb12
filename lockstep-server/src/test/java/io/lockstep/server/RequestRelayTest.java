package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.configuration.SystemCommands;
import io.lockstep.machine.ClientId;
import io.lockstep.request.Request;
import io.lockstep.server.wire.Authenticator;
import io.lockstep.server.wire.PeerEnvelope;
import io.lockstep.server.wire.PeerEnvelope.Payload;
import io.lockstep.server.wire.PeerEnvelope.RelayedRequest;
import io.lockstep.server.wire.TestAuthenticators;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Replica-side relaying: the requests a turn took with an authenticator ride with the turn's
 * first message to each replica the authenticator names (with that replica's tag) or go alone
 * at the end of the turn, never to this replica; a relayed request is taken only if the client
 * port vouches for its tag, and everything refused is counted, never offered to the loop.
 */
class RequestRelayTest {
  private static final ClientId ALICE = ClientId.of("alice");
  private static final Request REQUEST = Request.command(ALICE, 5, "set x 1".getBytes());
  private static final byte[] MESSAGE = {42, 43, 44};

  private final ServerMetrics metrics = new ServerMetrics(1);
  private final RequestRelay relay = new RequestRelay(1, metrics);
  /** What the loop was offered, as "from:client#sequence". */
  private final List<String> offered = new ArrayList<>();
  /** What the tag check was asked, as "sender:tag[0]". */
  private final List<String> checked = new ArrayList<>();

  /** Replica {@code replica}'s tag: 16 bytes of its number. */
  private static byte[] tag(int replica) {
    byte[] tag = new byte[Authenticator.TAG_BYTES];
    Arrays.fill(tag, (byte) replica);
    return tag;
  }

  private static Authenticator authenticator(int... replicas) {
    return TestAuthenticators.of(RequestRelayTest::tag, replicas);
  }

  /** A sender that records each payload by receiver and accepts them all. */
  private static final class Peers implements ReplicaLoop.PeerSender {
    final Map<Integer, List<byte[]>> sent = new TreeMap<>();

    @Override
    public boolean send(int to, byte[] payload, boolean resendable) {
      sent.computeIfAbsent(to, t -> new ArrayList<>()).add(payload);
      return true;
    }
  }

  /** The value of {@code lockstep_relayed_requests_total} for {@code outcome} (0 if absent). */
  private double relayed(String outcome) {
    Matcher m = Pattern.compile("(?m)^lockstep_relayed_requests_total\\{outcome=\"" + outcome
        + "\",replica=\"1\"} (\\S+)$").matcher(metrics.scrape());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  private static Payload.Relayed decodeRelayed(byte[] payload) {
    Payload decoded = PeerEnvelope.decode(payload);
    assertThat(decoded).isInstanceOf(Payload.Relayed.class);
    return (Payload.Relayed) decoded;
  }

  // ---- relaying

  @Test
  void heldRequestsRideWithTheFirstMessageToEachReplicaWithThatReplicasTag() {
    relay.hold(REQUEST, authenticator(1, 2, 3, 4));
    byte[] first = PeerEnvelope.protocol(MESSAGE);

    byte[] withRelayed = relay.attach(2, first);

    assertThat(withRelayed[1]).as("runtime kind 5: relayed, then the message").isEqualTo((byte) 5);
    Payload.Relayed decoded = decodeRelayed(withRelayed);
    assertThat(decoded.requests()).hasSize(1);
    assertThat(decoded.requests().get(0).request()).isEqualTo(Authenticator.covered(REQUEST));
    assertThat(decoded.requests().get(0).tag()).as("replica 2's own tag").isEqualTo(tag(2));
    assertThat(decoded.then()).isInstanceOf(Payload.Protocol.class);
    assertThat(((Payload.Protocol) decoded.then()).message()).isEqualTo(MESSAGE);

    byte[] second = PeerEnvelope.protocol(new byte[] {7});
    assertThat(relay.attach(2, second)).as("the turn's second message to 2").isSameAs(second);
    assertThat(relayed("sent")).isEqualTo(1);
  }

  @Test
  void theRestGoAloneAtTheEndOfTheTurnAndNothingGoesToThisReplica() {
    Request other = Request.command(ClientId.of("bob"), 1, "incr n".getBytes());
    relay.hold(REQUEST, authenticator(1, 2, 3, 4));
    relay.hold(other, authenticator(1, 3));
    relay.attach(2, PeerEnvelope.protocol(MESSAGE));
    assertThat(relay.attach(1, MESSAGE)).as("never to itself").isSameAs(MESSAGE);
    Peers peers = new Peers();

    relay.flush(peers);

    assertThat(peers.sent.keySet()).containsExactly(3, 4);
    byte[] toThree = peers.sent.get(3).get(0);
    assertThat(peers.sent.get(3)).hasSize(1);
    assertThat(toThree[1]).as("runtime kind 4: relayed requests alone").isEqualTo((byte) 4);
    Payload.Relayed three = decodeRelayed(toThree);
    assertThat(three.then()).isNull();
    assertThat(three.requests()).extracting(RelayedRequest::request)
        .containsExactly(Authenticator.covered(REQUEST), Authenticator.covered(other));
    assertThat(three.requests()).extracting(RelayedRequest::tag)
        .containsExactly(tag(3), tag(3));
    Payload.Relayed four = decodeRelayed(peers.sent.get(4).get(0));
    assertThat(four.requests()).extracting(RelayedRequest::request)
        .containsExactly(Authenticator.covered(REQUEST));
    assertThat(four.requests()).extracting(RelayedRequest::tag).containsExactly(tag(4));
    assertThat(relayed("sent")).as("one per request and receiver").isEqualTo(4);

    // Nothing is held past its turn.
    Peers next = new Peers();
    relay.flush(next);
    assertThat(next.sent).isEmpty();
    byte[] later = PeerEnvelope.protocol(MESSAGE);
    assertThat(relay.attach(3, later)).isSameAs(later);
  }

  @Test
  void aReceiverThatIsNoPeerOrAFullQueueLosesOnlyItsOwnShare() {
    relay.hold(REQUEST, authenticator(2, 9, 3));
    List<Integer> reached = new ArrayList<>();
    relay.flush((to, payload, resendable) -> {
      if (to == 9) {
        throw new IllegalArgumentException("no replica 9");
      }
      reached.add(to);
      return to != 3; // 3's queue is full
    });
    assertThat(reached).containsExactly(2, 3);
    assertThat(metrics.scrape()).containsPattern(
        "(?m)^lockstep_peer_dropped_total\\{replica=\"1\"} 2\\.0$");
  }

  // ---- receiving

  private void checkTagsOf(int replica) {
    relay.checkTagsWith((sender, bytes, tag) -> {
      checked.add(sender + ":" + tag[0]);
      return Arrays.equals(tag, tag(replica)) && Arrays.equals(bytes, bytesOf(sender));
    });
  }

  /** What a client's tag is made over, for the requests of these tests. */
  private static byte[] bytesOf(ClientId sender) {
    return sender.equals(ALICE) ? Authenticator.covered(REQUEST) : new byte[0];
  }

  private void receive(int from, RelayedRequest... requests) {
    relay.received(from, new Payload.Relayed(List.of(requests), null), (f, request) -> {
      offered.add(f + ":" + request.client() + "#" + request.sequence());
      return true;
    });
  }

  @Test
  void aRequestWhoseTagMatchesIsOfferedToTheLoopAsFromTheRelayingReplica() {
    checkTagsOf(3);
    receive(1, new RelayedRequest(Authenticator.covered(REQUEST), tag(3)));
    assertThat(checked).containsExactly("alice:3");
    assertThat(offered).containsExactly("1:alice#5");
    assertThat(relayed("taken")).isEqualTo(1);
    assertThat(relayed("refused")).isZero();
  }

  @Test
  void aTagThatDoesNotMatchIsRefusedAndTheOthersInTheFrameAreStillTaken() {
    checkTagsOf(3);
    Request second = Request.command(ALICE, 6, "set y 2".getBytes());
    receive(2, new RelayedRequest(Authenticator.covered(REQUEST), tag(4)),
        new RelayedRequest(Authenticator.covered(second), tag(3)),
        new RelayedRequest(Authenticator.covered(REQUEST), tag(3)));
    // The second's bytes are not what alice tagged (the check sees the bytes as relayed).
    assertThat(offered).containsExactly("2:alice#5");
    assertThat(relayed("refused")).isEqualTo(2);
    assertThat(relayed("taken")).isEqualTo(1);
  }

  @Test
  void undecodableBytesAreRefusedWithoutAskingTheCheck() {
    checkTagsOf(3);
    byte[] covered = Authenticator.covered(REQUEST);
    receive(2, new RelayedRequest(new byte[] {1, 2, 3}, tag(3)),
        new RelayedRequest(Arrays.copyOf(covered, covered.length - 1), tag(3)),
        new RelayedRequest(Arrays.copyOf(covered, covered.length + 1), tag(3)));
    assertThat(checked).isEmpty();
    assertThat(offered).isEmpty();
    assertThat(relayed("refused")).isEqualTo(3);
  }

  @Test
  void aSystemCommandIsNeverTakenFromAnotherReplicaEvenWithAMatchingTag() {
    relay.checkTagsWith((sender, bytes, tag) -> true);
    Request admin = Request.command(SystemCommands.ADMIN, 1, new byte[] {1});
    Request adminSession = Request.command(SystemCommands.adminSession("tool"), 1, new byte[] {1});
    Request adminCopy = new Request(ALICE, 1, Request.Kind.COMMAND, new byte[] {1},
        SystemCommands.ADMIN);
    receive(2, new RelayedRequest(Authenticator.covered(admin), tag(1)),
        new RelayedRequest(Authenticator.covered(adminSession), tag(1)),
        new RelayedRequest(Authenticator.covered(adminCopy), tag(1)));
    assertThat(offered).isEmpty();
    assertThat(relayed("refused")).isEqualTo(3);
    assertThat(relayed("taken")).isZero();
  }

  @Test
  void aCopyFromAReplicatedClientIsCheckedAgainstTheCopysSender() {
    ClientId group = ClientId.of("group");
    Request copy = new Request(group, 2, Request.Kind.COMMAND, new byte[] {1}, ALICE);
    relay.checkTagsWith((sender, bytes, tag) -> {
      checked.add(sender + ":" + tag[0]);
      return sender.equals(ALICE);
    });
    receive(4, new RelayedRequest(Authenticator.covered(copy), tag(1)));
    assertThat(checked).containsExactly("alice:1");
    assertThat(offered).containsExactly("4:group#2");
  }

  @Test
  void beforeTheClientPortSetsItsCheckEveryRelayedRequestIsRefused() {
    receive(2, new RelayedRequest(Authenticator.covered(REQUEST), tag(1)));
    assertThat(offered).isEmpty();
    assertThat(relayed("refused")).isEqualTo(1);
  }

  @Test
  void aRequestTheLoopHasNoRoomForIsCountedAsRefused() {
    checkTagsOf(3);
    relay.received(2, new Payload.Relayed(List.of(
        new RelayedRequest(Authenticator.covered(REQUEST), tag(3))), null), (f, r) -> false);
    assertThat(relayed("refused")).isEqualTo(1);
    assertThat(relayed("taken")).isZero();
  }
}
