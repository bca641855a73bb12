package io.lockstep.order.stamped;

import io.lockstep.order.ProtocolMessage;
import io.lockstep.request.Request;
import java.util.Arrays;
import java.util.Objects;

/**
 * Messages of the stamped-order schemes: broadcasts (relayed unchanged by receivers), and the two
 * messages of a restarted replica's integration (paper §7.2): its request to join and the state
 * a live replica answers with.
 */
public sealed interface StampedMessage extends ProtocolMessage {
  /** What a broadcast carries. */
  enum Kind {
    /** A null request (paper §3.2.1): clock and acknowledgements only, never processed. */
    NULL,
    /** A client request, processed in uid order. */
    REQUEST,
    /**
     * A read barrier: ordered like a request but runs nothing; its issuer serves a linearizable
     * read once everything before it was applied.
     */
    BARRIER,
    /**
     * Replica {@code joiner} rejoins the order (paper §7.2): ordered like a request, so every
     * replica starts waiting for the joiner at the same point, r_join, and the joiner's uids all
     * sort after it. Runs nothing.
     */
    JOIN
  }

  /** Stands for "no joiner" in a broadcast that is not a {@link Kind#JOIN}. */
  int NO_JOINER = Integer.MIN_VALUE;

  /**
   * The {@code seq}-th broadcast of replica {@code origin}, stamped with uid
   * ({@code uidTime}, origin).
   *
   * @param origin the replica that issued it
   * @param seq its number among the origin's broadcasts, from 1 (FIFO order)
   * @param uidTime the time component of its uid
   * @param wallClock the origin's wall clock when it issued it: the request's agreed time is the
   *     largest such reading along the order, so it never decreases
   * @param acks how many broadcasts of each member (by index in the member list) the origin had
   *     received when it issued this one: acknowledgements for retransmission, and the proof
   *     that a request reached every replica before any replica processes it
   * @param suspects bit i set: the origin had detected member i failed
   * @param kind null, request or read barrier
   * @param request the request for {@link Kind#REQUEST}, else null
   * @param joiner the rejoining replica for {@link Kind#JOIN}, else {@link #NO_JOINER}
   */
  record Broadcast(int origin, long seq, long uidTime, long wallClock, long[] acks,
      long suspects, Kind kind, Request request, int joiner)
      implements StampedMessage, FailureNotices.Report {
    public Broadcast {
      Objects.requireNonNull(acks, "acks");
      Objects.requireNonNull(kind, "kind");
      acks = acks.clone();
      if (seq < 1 || uidTime < 1) {
        throw new IllegalArgumentException("seq and uid time must be at least 1, were " + seq
            + " and " + uidTime);
      }
      if ((kind == Kind.REQUEST) != (request != null)) {
        throw new IllegalArgumentException("a " + kind + " broadcast "
            + (request == null ? "without" : "with") + " a request");
      }
      if ((kind == Kind.JOIN) != (joiner != NO_JOINER) || joiner == origin) {
        throw new IllegalArgumentException("a " + kind + " broadcast of " + origin
            + " with joiner " + (joiner == NO_JOINER ? "none" : joiner));
      }
    }

    /** A broadcast that is not a {@link Kind#JOIN}. */
    public Broadcast(int origin, long seq, long uidTime, long wallClock, long[] acks,
        long suspects, Kind kind, Request request) {
      this(origin, seq, uidTime, wallClock, acks, suspects, kind, request, NO_JOINER);
    }

    /** Its uid. */
    public Uid uid() {
      return new Uid(uidTime, origin);
    }

    @Override
    public long[] acks() {
      return acks.clone();
    }

    /** The origin's acknowledgement of member {@code index}'s broadcasts. */
    @Override
    public long ack(int index) {
      return acks[index];
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Broadcast b && origin == b.origin && seq == b.seq
          && uidTime == b.uidTime && wallClock == b.wallClock && Arrays.equals(acks, b.acks)
          && suspects == b.suspects && kind == b.kind && Objects.equals(request, b.request)
          && joiner == b.joiner;
    }

    @Override
    public int hashCode() {
      return Objects.hash(origin, seq, uidTime);
    }

    @Override
    public String toString() {
      return "Broadcast[" + origin + "#" + seq + " uid=" + uid() + " " + kind
          + (request == null ? "" : " " + request)
          + (joiner == NO_JOINER ? "" : " joiner=" + joiner) + "]";
    }
  }

  /**
   * A restarted replica asks a live one to let it rejoin (paper §7.2); repeated until the state
   * arrives, to another replica each time, in case the asked one failed.
   */
  record JoinRequest(int joiner) implements StampedMessage {}

  /**
   * What a live replica (the donor) hands a rejoining one right after processing its
   * {@link Kind#JOIN}: the state e[r_join] of paper §7.2 — the executor's snapshot there — and
   * the order's state variables, so the joiner goes on exactly where the donor stood.
   *
   * @param joiner the replica it is for
   * @param snapshotIndex the executor position the snapshot covers
   * @param snapshot the executor's encoded state after every request up to the join
   * @param position the order position of the join (read barriers and joins count, as at
   *     every replica)
   * @param time the agreed time there
   * @param processedThrough the join's uid: everything up to it was processed
   * @param clock the donor's scheme clock (T, or the real-time scheme's last uid): above every
   *     uid the donor received, so the joiner's uids sort after them
   * @param receivedThrough per member (by index), how many of its broadcasts the donor had
   *     received: the joiner takes each origin's later broadcasts from there, in order; for the
   *     joiner itself, where its own numbering goes on
   * @param failed bit i set: member i was declared failed
   * @param latest each origin's latest broadcast the donor delivered (the waiting test's state)
   * @param pending received broadcasts not yet processed, with uids above the join
   */
  record JoinState(int joiner, long snapshotIndex, byte[] snapshot, long position, long time,
      Uid processedThrough, long clock, long[] receivedThrough, long failed,
      java.util.List<Broadcast> latest, java.util.List<Broadcast> pending)
      implements StampedMessage {
    public JoinState {
      Objects.requireNonNull(snapshot, "snapshot");
      Objects.requireNonNull(processedThrough, "processedThrough");
      snapshot = snapshot.clone();
      receivedThrough = receivedThrough.clone();
      latest = java.util.List.copyOf(latest);
      pending = java.util.List.copyOf(pending);
      if (snapshotIndex < 0 || position < snapshotIndex) {
        throw new IllegalArgumentException("snapshot index " + snapshotIndex
            + " must be within 0.." + position);
      }
    }

    @Override
    public byte[] snapshot() {
      return snapshot.clone();
    }

    @Override
    public long[] receivedThrough() {
      return receivedThrough.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof JoinState j && joiner == j.joiner && snapshotIndex == j.snapshotIndex
          && Arrays.equals(snapshot, j.snapshot) && position == j.position && time == j.time
          && processedThrough.equals(j.processedThrough) && clock == j.clock
          && Arrays.equals(receivedThrough, j.receivedThrough) && failed == j.failed
          && latest.equals(j.latest) && pending.equals(j.pending);
    }

    @Override
    public int hashCode() {
      return Objects.hash(joiner, position, processedThrough);
    }

    @Override
    public String toString() {
      return "JoinState[for " + joiner + " at position " + position + ", uid "
          + processedThrough + ", " + pending.size() + " pending]";
    }
  }
}
