package io.lockstep.examples.tally;

import io.lockstep.codec.WireReader;
import io.lockstep.codec.WireWriter;
import io.lockstep.machine.ClientId;
import io.lockstep.machine.Context;
import io.lockstep.machine.Rejection;
import io.lockstep.machine.StateMachine;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The paper's {@code tally} (§3, S12): each client of a fixed electorate votes once, and the
 * first choice to get MAJ votes wins.
 *
 * <p>Why its votes commute: a vote only adds one to its choice's count and marks its client as
 * having voted, and additions commute; a vote's output (an acknowledgement, or the refusal of a
 * second vote, which per-client FIFO order puts after the first in every order) does not depend
 * on the other votes. The one order-dependent thing is "first to MAJ". When 2·MAJ exceeds the
 * electorate, at most one choice can ever reach MAJ, so the first is the only one, whatever the
 * order: then, and only then, {@link #commutes} declares votes commuting. With 2·MAJ at most the
 * electorate, two choices may both reach MAJ and replicas that apply votes in different orders
 * would name different winners; the tally then declares nothing and every vote is ordered.
 */
public final class Tally implements StateMachine {
  private static final int SNAPSHOT_VERSION = 1;
  private static final byte[] VOTED = "voted".getBytes(StandardCharsets.UTF_8);

  private final SortedSet<ClientId> electorate;
  private final int maj;
  /** Choice → votes; sorted so that snapshots are identical on every replica. */
  private final TreeMap<String, Integer> counts = new TreeMap<>();
  private final TreeSet<ClientId> voted = new TreeSet<>();
  private String winner;

  /**
   * @param electorate the clients allowed to vote, each once
   * @param maj the votes a choice needs to win
   */
  public Tally(Set<ClientId> electorate, int maj) {
    this.electorate = new TreeSet<>(Objects.requireNonNull(electorate, "electorate"));
    if (this.electorate.isEmpty()) {
      throw new IllegalArgumentException("the electorate is empty");
    }
    if (maj < 1 || maj > this.electorate.size()) {
      throw new IllegalArgumentException("MAJ must be within 1.." + this.electorate.size()
          + " (the electorate), was " + maj);
    }
    this.maj = maj;
  }

  /** Votes commute exactly when 2·MAJ exceeds the electorate (paper §3). */
  @Override
  public boolean commutes(byte[] command, byte[] other) {
    return 2L * maj > electorate.size()
        && TallyCodec.decodeVote(command).isPresent()
        && TallyCodec.decodeVote(other).isPresent();
  }

  @Override
  public byte[] apply(byte[] command, Context context) {
    String choice = TallyCodec.decodeVote(command)
        .orElseThrow(() -> new Rejection("malformed tally command: expected a vote for a"
            + " non-empty choice of at most " + TallyCodec.MAX_CHOICE_BYTES + " bytes"));
    ClientId client = context.client();
    if (!electorate.contains(client)) {
      throw new Rejection(client + " is not in the electorate");
    }
    if (!voted.add(client)) {
      throw new Rejection(client + " has already voted");
    }
    int votes = counts.merge(choice, 1, Integer::sum);
    if (winner == null && votes >= maj) {
      winner = choice;
    }
    return VOTED.clone();
  }

  @Override
  public byte[] query(byte[] query, ClientId caller) {
    TallyCodec.requireResult(query);
    return winner == null ? new byte[0] : winner.getBytes(StandardCharsets.UTF_8);
  }

  /** Votes per choice so far. */
  public Map<String, Integer> counts() {
    return Map.copyOf(counts);
  }

  @Override
  public byte[] snapshot() {
    WireWriter out = new WireWriter().writeByte(SNAPSHOT_VERSION).writeInt(counts.size());
    counts.forEach((choice, votes) -> out.writeString(choice).writeInt(votes));
    out.writeInt(voted.size());
    voted.forEach(out::writeClient);
    out.writeString(winner == null ? "" : winner);
    return out.toByteArray();
  }

  @Override
  public void restore(byte[] snapshot) {
    WireReader in = new WireReader(snapshot, "tally snapshot");
    if (in.readByte() != SNAPSHOT_VERSION) {
      throw in.malformed("unsupported snapshot version");
    }
    TreeMap<String, Integer> restoredCounts = new TreeMap<>();
    int choices = in.readCount("choices", 5);
    for (int i = 0; i < choices; i++) {
      restoredCounts.put(in.readString("choice", TallyCodec.MAX_CHOICE_BYTES), in.readInt());
    }
    TreeSet<ClientId> restoredVoted = new TreeSet<>();
    int voters = in.readCount("voters", 5);
    for (int i = 0; i < voters; i++) {
      restoredVoted.add(in.readClient("voter"));
    }
    String restoredWinner = in.readString("winner", TallyCodec.MAX_CHOICE_BYTES);
    in.end();
    if (!electorate.containsAll(restoredVoted)) {
      throw in.malformed("a voter outside the electorate");
    }
    counts.clear();
    counts.putAll(restoredCounts);
    voted.clear();
    voted.addAll(restoredVoted);
    winner = restoredWinner.isEmpty() ? null : restoredWinner;
  }
}
