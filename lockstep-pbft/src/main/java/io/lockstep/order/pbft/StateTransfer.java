package io.lockstep.order.pbft;

import io.lockstep.order.Snapshot;
import io.lockstep.order.SnapshotData;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * State transfer (PBFT §5.3, simplified to whole checkpoints): a replica that learns of a stable
 * checkpoint beyond what it executed fetches that checkpoint's state in chunks from one of the
 * replicas whose signed votes prove it, and installs it only if its SHA-256 is the digest those
 * 2t+1 votes (so at least t+1 correct replicas) agree on. A corrupt state is dropped and fetched
 * from the next replica; a source that stops answering is replaced after a few periods.
 *
 * <p>While a transfer makes progress the replica's request timer is silenced: its requests wait
 * for its own state, not for the primary, and a view change it started alone would only take it
 * out of the view. But a transfer can stall for good (every source silent, partitioned away or
 * faulty), and then a silenced timer would also keep the replica from ever suspecting a faulty
 * primary. So once it has given up on every source {@link #ROUNDS} times over (each silent for
 * a few periods or its state corrupt; a source that keeps sending good chunks is never given up
 * on, however large the state) the transfer counts as {@link #stalled()}: it keeps asking the
 * sources in turn, and the request timer runs again as if no transfer were under way, until
 * this or a later checkpoint's state arrives.
 */
final class StateTransfer {
  /** Largest chunk sent in one message. */
  static final int CHUNK_BYTES = 64 * 1024;
  /** Periods without a chunk before another source is tried. */
  private static final int PATIENCE_PERIODS = 4;
  /** Rounds through every source without a useful chunk after which the transfer is stalled. */
  static final int ROUNDS = 2;

  private final Pbft p;
  private Checkpoints.Point target;
  private List<Integer> sources = List.of();
  private int sourceIndex;
  private ByteArrayOutputStream received;
  private long lastProgress;
  /** Sources given up on (silent or corrupt) since this transfer began. */
  private int fruitless;
  /** Corrupt states rejected so far (for tests and metrics). */
  long rejected;
  /** Transfers that stalled so far (for tests and metrics). */
  long stalls;

  StateTransfer(Pbft p) {
    this.p = p;
  }

  boolean active() {
    return target != null;
  }

  /**
   * Whether this replica's timers wait for its transfer, not for the primary: while a transfer
   * goes on, its requests cannot execute here and the pre-prepares it missed below its old
   * watermark are not sent again, so neither the request timer nor the slow-primary check can
   * judge the primary; once the transfer stalls, they can again.
   */
  boolean silencesTimers() {
    return active() && !stalled();
  }

  /** Whether a transfer is under way and every source was given up on {@link #ROUNDS} times. */
  boolean stalled() {
    return target != null && fruitless >= ROUNDS * sources.size();
  }

  /** Fetches the state of the stable checkpoint {@code point} from its voters. */
  void fetch(Checkpoints.Point point, List<PbftMessage.CheckpointVote> proof) {
    if (target != null && target.seq() >= point.seq()) {
      return;
    }
    target = point;
    List<Integer> voters = new ArrayList<>();
    for (PbftMessage.CheckpointVote vote : proof) {
      if (vote.replica() != p.self()) {
        voters.add(vote.replica());
      }
    }
    sources = voters;
    sourceIndex = (int) (point.seq() % Math.max(1, voters.size()));
    fruitless = 0;
    restart();
  }

  private void restart() {
    received = new ByteArrayOutputStream();
    lastProgress = p.now;
    p.out.send(sources.get(sourceIndex), new PbftMessage.FetchState(target.seq(), 0));
  }

  /** The current source sent nothing useful: the next one is asked. */
  private void nextSource() {
    boolean wasStalled = stalled();
    fruitless++;
    if (stalled() && !wasStalled) {
      stalls++;
      p.drop("state transfer stalled: every source given up on " + ROUNDS + " times; the"
          + " request timer runs again");
    }
    sourceIndex = (sourceIndex + 1) % sources.size();
    restart();
  }

  void onChunk(int from, PbftMessage.StateChunk chunk) {
    if (target == null || chunk.seq() != target.seq() || from != sources.get(sourceIndex)
        || chunk.offset() != received.size()) {
      p.drop("state chunk not asked for");
      return;
    }
    if (chunk.total() > Integer.MAX_VALUE - 8) {
      p.drop("state chunk of a state too large to hold");
      nextSource();
      return;
    }
    byte[] data = chunk.data();
    received.write(data, 0, data.length);
    lastProgress = p.now;
    if (received.size() < chunk.total()) {
      p.out.send(from, new PbftMessage.FetchState(target.seq(), received.size()));
      return;
    }
    byte[] bytes = received.toByteArray();
    Digest digest = Digest.of(bytes);
    if (!digest.equals(target.state())) {
      rejected++;
      p.drop("state from replica " + from + " does not match the stable checkpoint's digest");
      nextSource();
      return;
    }
    install(SnapshotData.digested(bytes, digest.bytes()));
  }

  private void install(SnapshotData state) {
    Checkpoints.Point point = target;
    target = null;
    received = null;
    p.checkpoints.keep(point.seq(), state);
    p.membership.stable(point.seq(), state);
    p.out.install(new Snapshot(p.lastPosition(point.seq()), p.view, point.time(),
        p.membership.current().members(), state));
    p.lastExecuted = point.seq();
    p.executedTime = Math.max(p.executedTime, point.time());
    p.slots.headMap(point.seq(), true).clear();
    // Requests held may have executed in the sequence numbers skipped; clients retransmit
    // those that did not, and a stale one would only start needless view changes.
    p.pending.clear();
    p.normal.requestDeadline = -1;
  }

  void onFetch(int from, PbftMessage.FetchState fetch) {
    SnapshotData state = p.checkpoints.state(fetch.seq());
    if (state == null || fetch.offset() < 0 || fetch.offset() > state.size()) {
      p.drop("state fetch for a checkpoint not held");
      return;
    }
    long offset = fetch.offset();
    int length = (int) Math.min(CHUNK_BYTES, state.size() - offset);
    byte[] data = state.read(offset, length);
    p.out.send(from, new PbftMessage.StateChunk(fetch.seq(), offset, state.size(), data));
  }

  void onTick() {
    if (target != null && p.now - lastProgress >= PATIENCE_PERIODS * p.config.retransmitMs()) {
      nextSource();
    }
  }
}
