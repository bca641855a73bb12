package io.lockstep.examples.tally;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.examples.Harness;
import io.lockstep.machine.ClientId;
import io.lockstep.request.Reply;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The paper's tally (§3): each client votes once; the first choice to MAJ votes wins. */
class TallyTest {
  private static final Set<ClientId> FIVE = Set.of(ClientId.of("a"), ClientId.of("b"),
      ClientId.of("c"), ClientId.of("d"), ClientId.of("e"));

  @Test
  void votesCommuteOnlyWhenTwiceMajExceedsTheNumberOfClients() {
    byte[] yes = TallyCodec.vote("yes");
    byte[] no = TallyCodec.vote("no");
    assertThat(new Tally(FIVE, 3).commutes(yes, no)).isTrue();
    assertThat(new Tally(FIVE, 2).commutes(yes, no)).as("2·2 = 4 < 5 clients").isFalse();
    assertThat(new Tally(FIVE, 3).commutes(yes, new byte[] {9})).as("not a vote").isFalse();
  }

  @Test
  void firstChoiceToMajVotesWinsAndEachClientVotesOnce() {
    Tally tally = new Tally(FIVE, 3);
    Harness harness = new Harness(tally);
    harness.send("a", TallyCodec.vote("yes"), 1);
    harness.send("b", TallyCodec.vote("yes"), 2);
    Reply again = harness.send("a", TallyCodec.vote("yes"), 3);
    assertThat(again.status()).isEqualTo(Reply.Status.REJECTED);
    assertThat(again.reason()).contains("already voted");
    assertThat(winner(harness)).isEmpty();
    harness.send("c", TallyCodec.vote("yes"), 4);
    assertThat(winner(harness)).contains("yes");
    assertThat(tally.counts()).containsEntry("yes", 3);
  }

  @Test
  void outsidersAndMalformedVotesAreRefusedAndChangeNothing() {
    Tally tally = new Tally(FIVE, 3);
    Harness harness = new Harness(tally);
    byte[] before = tally.snapshot();
    assertThat(harness.send("mallory", TallyCodec.vote("yes"), 1).reason())
        .contains("not in the electorate");
    assertThat(harness.send("a", new byte[] {1, 0}, 2).reason()).contains("malformed");
    assertThat(harness.send("a", TallyCodec.vote(""), 3).reason()).contains("malformed");
    assertThat(harness.send("a", TallyCodec.vote("x".repeat(65)), 4).reason())
        .contains("malformed");
    assertThat(tally.snapshot()).isEqualTo(before);
    assertThatThrownBy(() -> harness.executor.query(ClientId.of("a"), new byte[] {7}))
        .hasMessageContaining("RESULT");
    assertThatThrownBy(() -> new Tally(FIVE, 6)).hasMessageContaining("MAJ");
  }

  @Test
  void snapshotRestoresAnEqualTally() {
    Tally tally = new Tally(FIVE, 3);
    Harness harness = new Harness(tally);
    for (String client : new String[] {"a", "b", "c"}) {
      harness.send(client, TallyCodec.vote("no"), 1);
    }
    Tally copy = new Tally(FIVE, 3);
    copy.restore(tally.snapshot());
    assertThat(copy.snapshot()).isEqualTo(tally.snapshot());
    assertThat(TallyCodec.decodeWinner(copy.query(TallyCodec.result(), ClientId.of("x"))))
        .contains("no");
    assertThatThrownBy(() -> new Tally(Set.of(ClientId.of("a")), 1).restore(tally.snapshot()))
        .hasMessageContaining("outside the electorate");
  }

  private static Optional<String> winner(Harness harness) {
    return TallyCodec.decodeWinner(harness.executor.query(ClientId.of("a"), TallyCodec.result()));
  }
}
