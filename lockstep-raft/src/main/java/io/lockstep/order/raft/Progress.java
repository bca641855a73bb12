package io.lockstep.order.raft;

/**
 * The leader's view of one follower (§3.5 nextIndex/matchIndex), with etcd-io/raft's flow
 * control: PROBE sends one AppendEntries at a time until a match is found, REPLICATE pipelines
 * up to {@code maxInflight} batches with an optimistic nextIndex (X3), SNAPSHOT waits for an
 * InstallSnapshot to land.
 */
final class Progress {
  /** Replication mode towards one follower. */
  enum State {
    PROBE,
    REPLICATE,
    SNAPSHOT
  }

  private final long[] inflight;
  private int inflightStart;
  private int inflightCount;
  private State state = State.PROBE;
  private long match;
  private long next;
  private boolean probeSent;
  private long pendingSnapshot;
  /** SNAPSHOT: the snapshot being sent, held until the transfer ends ({@link HeldSnapshot}). */
  private HeldSnapshot sending;
  private long snapshotSentAt;
  /** SNAPSHOT: bytes of the snapshot the follower acknowledged, where the next chunk starts. */
  private long snapshotOffset;
  /** SNAPSHOT: a chunk is on its way; the next one waits for its answer (flow control). */
  private boolean chunkInFlight;
  /**
   * SNAPSHOT: the leader already named another replica as the source of this snapshot
   * ({@link SnapshotFetch}); whatever comes back, the leader sends the rest itself.
   */
  private boolean sourceNamed;
  /** The latest heartbeat round sent before the source was named. */
  private long namedAfterRound;
  /** SNAPSHOT: the named source, not a leader's chunk, is what the leader waits on. */
  private boolean fetchingFromSource;
  private boolean recentActive;
  /** The latest snapshot the follower said it holds (in its heartbeat answers). */
  private RaftMessage.SnapshotId reported = RaftMessage.SnapshotId.NONE;

  Progress(long next, int maxInflight) {
    this.next = next;
    this.inflight = new long[maxInflight];
  }

  State state() {
    return state;
  }

  long match() {
    return match;
  }

  long next() {
    return next;
  }

  long pendingSnapshot() {
    return pendingSnapshot;
  }

  /** The snapshot being sent while SNAPSHOT, else null. */
  HeldSnapshot sending() {
    return sending;
  }

  long snapshotSentAt() {
    return snapshotSentAt;
  }

  long snapshotOffset() {
    return snapshotOffset;
  }

  boolean chunkInFlight() {
    return chunkInFlight;
  }

  boolean sourceNamed() {
    return sourceNamed;
  }

  /**
   * Whether a heartbeat answer of round {@code round} saying the follower fetches nothing shows
   * that the naming of a source was lost: the heartbeat left after the naming.
   */
  boolean namingLost(long round, long fetching) {
    return fetchingFromSource && fetching == 0 && round > namedAfterRound;
  }

  /** Whether the follower is fetching from a named source, and the leader waits to hear. */
  boolean fetchingFromSource() {
    return fetchingFromSource;
  }

  /** A source was named at {@code now}: it counts as the chunk in flight until answered. */
  void sourceNamed(long now, long round) {
    chunkSent(now);
    namedAfterRound = round;
    sourceNamed = true;
    fetchingFromSource = true;
  }

  /** A chunk of the pending snapshot left at {@code now}. */
  void chunkSent(long now) {
    chunkInFlight = true;
    snapshotSentAt = now;
    fetchingFromSource = false;
  }

  /**
   * The follower fetching from a source answered a heartbeat at {@code now}: it is alive, and it
   * gives up on a silent source by itself, so the leader's timer starts again rather than take
   * over a transfer that merely lasts long.
   */
  void stillFetching(long now) {
    if (fetchingFromSource) {
      snapshotSentAt = now;
    }
  }

  /** The follower answered the chunk in flight: it holds {@code received} bytes. */
  void chunkAnswered(long received) {
    chunkInFlight = false;
    fetchingFromSource = false;
    snapshotOffset = received;
  }

  /** The chunk in flight went unanswered: send again from the last acknowledged offset. */
  void chunkLost() {
    chunkInFlight = false;
    fetchingFromSource = false;
  }

  int inflightCount() {
    return inflightCount;
  }

  /** True when no more AppendEntries may be sent until the follower answers. */
  boolean paused() {
    return switch (state) {
      case PROBE -> probeSent;
      case REPLICATE -> inflightCount == inflight.length;
      case SNAPSHOT -> true;
    };
  }

  /** The follower acknowledged {@code index}: raise matchIndex; false if it told nothing new. */
  boolean maybeUpdate(long index) {
    boolean updated = false;
    if (match < index) {
      match = index;
      probeSent = false;
      updated = true;
    }
    next = Math.max(next, index + 1);
    return updated;
  }

  /**
   * The follower rejected {@code rejected} (a prevLogIndex); {@code matchHint} is the largest
   * index that may still match. Returns false for a stale rejection that changes nothing.
   */
  boolean maybeDecrTo(long rejected, long matchHint) {
    if (state == State.REPLICATE) {
      if (rejected <= match) {
        return false;
      }
      next = match + 1;
      return true;
    }
    if (next - 1 != rejected) {
      return false;
    }
    next = Math.max(Math.min(rejected, matchHint + 1), match + 1);
    probeSent = false;
    return true;
  }

  /** Records that entries up to {@code lastIndex} ({@code count} of them) were just sent. */
  void sentEntries(long lastIndex, int count) {
    if (state == State.REPLICATE) {
      if (count > 0) {
        next = lastIndex + 1;
        addInflight(lastIndex);
      }
    } else if (state == State.PROBE) {
      probeSent = true;
    }
  }

  void becomeProbe() {
    if (state == State.SNAPSHOT) {
      next = Math.max(match + 1, pendingSnapshot + 1);
      pendingSnapshot = 0;
      release();
    } else {
      next = match + 1;
    }
    state = State.PROBE;
    probeSent = false;
    inflightCount = 0;
  }

  void becomeReplicate() {
    state = State.REPLICATE;
    next = match + 1;
    inflightCount = 0;
  }

  /**
   * The transfer failed (the follower stayed silent): probe from what it holds, so that the
   * next transfer sends the snapshot that is newest then.
   */
  void abandonSnapshot() {
    pendingSnapshot = 0;
    release();
    becomeProbe();
  }

  /** Starts sending {@code held}, which this progress releases when the transfer ends. */
  void becomeSnapshot(HeldSnapshot held, long now) {
    release();
    state = State.SNAPSHOT;
    sending = held;
    pendingSnapshot = held.index();
    snapshotSentAt = now;
    sourceNamed = false;
    snapshotOffset = 0;
    chunkInFlight = false;
    inflightCount = 0;
  }

  /** Releases the snapshot being sent, if any (the transfer ended, or this view is dropped). */
  void release() {
    if (sending != null) {
      sending.release();
      sending = null;
    }
  }

  /** Releases inflight batches whose last index is at or below {@code index}. */
  void freeUpTo(long index) {
    while (inflightCount > 0 && inflight[inflightStart] <= index) {
      inflightStart = (inflightStart + 1) % inflight.length;
      inflightCount--;
    }
  }

  /**
   * Forgets the oldest inflight batch, so a follower whose acknowledgements were all lost can be
   * probed again on the next heartbeat response (etcd-io/raft does the same).
   */
  void freeFirstInflight() {
    if (inflightCount > 0) {
      inflightStart = (inflightStart + 1) % inflight.length;
      inflightCount--;
    }
  }

  /** Lets a paused PROBE send again (a heartbeat answer proves the follower is reachable). */
  void resume() {
    probeSent = false;
  }

  RaftMessage.SnapshotId reported() {
    return reported;
  }

  void reported(RaftMessage.SnapshotId held) {
    reported = held;
  }

  boolean recentActive() {
    return recentActive;
  }

  void setRecentActive(boolean active) {
    recentActive = active;
  }

  private void addInflight(long lastIndex) {
    if (inflightCount == inflight.length) {
      throw new IllegalStateException("inflight window of " + inflight.length + " is full");
    }
    inflight[(inflightStart + inflightCount) % inflight.length] = lastIndex;
    inflightCount++;
  }

  @Override
  public String toString() {
    return state + "{match=" + match + ", next=" + next + ", inflight=" + inflightCount
        + (probeSent ? ", probeSent" : "") + (state == State.SNAPSHOT ? ", snapshot="
        + pendingSnapshot + "@" + snapshotOffset + (chunkInFlight ? "+" : "") : "") + "}";
  }
}
