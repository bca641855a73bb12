package io.lockstep.order;

import io.lockstep.journal.Event;
import java.util.List;
import java.util.Map;

/**
 * A coordination protocol core (paper §3: Agreement + Order), as a deterministic object.
 *
 * <p>Contract (modelled on etcd-io/raft's RawNode): the runtime calls {@link #step} with one
 * {@link Input} at a time, then {@link #ready} to take the accumulated effects and carry them out
 * in the order {@link Ready} documents. Implementations do no I/O, read no clock and use no
 * randomness except a generator seeded at construction; two instances built alike and fed the
 * same inputs produce the same Readys. They check their invariants after every step and throw
 * {@link IllegalStateException} when one breaks; they validate untrusted messages and drop bad
 * ones, counting them in {@link #dropped()}.
 */
public interface Coordination {
  /** Handles one input. */
  void step(Input input);

  /** Returns the effects accumulated since the last call and forgets them. */
  Ready ready();

  /** Current progress. */
  Status status();

  /** Number of received messages dropped as invalid or stale, for metrics and tests. */
  long dropped();

  /**
   * The messages and inputs dropped so far, counted by reason (a sentence each, e.g. "checkpoint
   * vote with a bad signature"), so an operator sees <em>why</em> a peer's messages are refused;
   * the counts add up to {@link #dropped()} or less. Default: none by reason.
   */
  default Map<String, Long> dropsByReason() {
    return Map.of();
  }

  /**
   * Whether the runtime may send {@code message} (from this protocol's latest {@link Ready})
   * before that Ready's writes are durable, instead of after (Raft dissertation §10.2.1: a
   * leader's AppendEntries may overlap its own fsync). A protocol that says yes for any message
   * must learn its own durability from {@link Input.Persisted}, which the runtime then steps
   * after every fsync that appended log entries. Default: no message may leave early.
   */
  default boolean mayLeaveBeforeDurable(ProtocolMessage message) {
    return false;
  }

  /**
   * Whether {@code message} is one this protocol sends again by itself if it is lost, so that a
   * runtime whose queue to a slow or paused peer is over its byte budget may drop it (oldest
   * first) rather than let the queue grow: Raft's AppendEntries and heartbeats, which the
   * leader repeats from the follower's next index. Default: no message is, and a full queue
   * refuses new messages instead.
   */
  default boolean resentIfLost(ProtocolMessage message) {
    return false;
  }

  /**
   * Whether the runtime may release the client answers of a Ready (replies, read results,
   * redirects) before that Ready's writes are durable on this replica, rather than after. A
   * protocol says yes only if nothing it made stable can be lost by a crash of this replica
   * before the fsync: every stable request is already durable on enough replicas, whatever this
   * replica's pending writes hold. The simulator carries out the same rule, so the seeds test
   * what the server does. Default: answers wait for durability.
   */
  default boolean mayAnswerBeforeDurable() {
    return false;
  }

  /**
   * The agreed time this replica would stamp on a request it ordered now, if it leads, given its
   * latest wall clock reading. The runtime compares it with the executor's next due time-out to
   * decide whether a clock-only null request would make that time-out fire; comparing with the
   * wall clock instead would, on a leader whose clock runs ahead, propose a null request on
   * every tick for nothing. Default: the wall clock reading itself, for a protocol that stamps
   * its leader's clock.
   */
  default long agreedTimeNow(long wallClock) {
    return wallClock;
  }

  /**
   * True while this replica repairs damaged storage from its peers (protocol-aware recovery):
   * it then votes for no one and none of its acknowledgements count, until what it lost is back.
   * The runtime reports it in its log and metrics. Default: never repairing.
   */
  default boolean repairing() {
    return false;
  }

  /**
   * Why the protocol repairs (damaged storage, a wiped data directory found by asking peers),
   * for the runtime's log line; "" when it does not repair. Default: "".
   */
  default String repairReason() {
    return "";
  }

  /**
   * The protocol's own events since the last call (votes, elections, leader and term or view
   * changes, commits, messages it dropped and why), oldest first, and forgets them; the runtime
   * stamps them with its time and puts them in the replica's journal. A protocol that reports
   * nothing still gets the runtime's events (messages, proposals, applies, replies). Default:
   * none.
   */
  default List<Event> drainEvents() {
    return List.of();
  }

  /**
   * Assumptions the protocol found broken since the last call, each a sentence, oldest first,
   * and forgets them: e.g. a message arriving from a replica it had already declared failed, so
   * its order may already differ from that replica's. The runtime logs, counts and reports them
   * (the paper's own schemes watch their timing this way too). Default: none.
   */
  default List<String> drainBrokenAssumptions() {
    return List.of();
  }

  /**
   * Repairs since the last call, each a sentence, and forgets them: said only once nothing this
   * protocol reported broken ({@link #drainBrokenAssumptions}) still is, so the runtime may stop
   * reporting it. E.g. a fail-stop replica declared failed while it ran halted and was
   * readmitted: its late messages changed nothing here. Default: none, and a report stands until
   * restart.
   */
  default List<String> drainRepairedAssumptions() {
    return List.of();
  }

  /**
   * True when the protocol needs the executor's state as of the stable requests it has handed
   * out so far: a Byzantine protocol's checkpoint (PBFT §4.3) certifies a digest of that exact
   * state, which only the executor can produce. The replica then takes a snapshot right after
   * applying the Ready that raised it, whatever its own snapshot schedule, and steps
   * {@link Input.SnapshotTaken} before draining the next Ready. A crash-fault protocol asks
   * too when its log has grown large in bytes (Raft: at half of {@code raft.max-log-bytes}),
   * since applied entries stay in the log until a snapshot covers them, and an interval
   * counted in positions bounds those bytes only for small requests.
   * Default: never.
   */
  default boolean wantsSnapshot() {
    return false;
  }

  /**
   * Whether the runtime's periodic snapshots (every {@code snapshotEvery} applied positions) are
   * of use to this protocol. A protocol that takes its own checkpoints and writes their state
   * itself ({@link StorageWrite.SaveSnapshot} of the state it {@link #wantsSnapshot() wanted})
   * says no: a periodic snapshot would be captured on the replica's thread, written and forced,
   * and then never referred to by any snapshot file, so its state file stayed on disk until the
   * next start (PBFT, whose positions advance by a whole batch's worth per sequence number,
   * left one of about a megabyte every two seconds under write load). Default: yes.
   */
  default boolean takesPeriodicSnapshots() {
    return true;
  }

  /**
   * Whether this protocol accepts the state it {@link #wantsSnapshot() wants} in two steps: an
   * {@link Input.StateCaptured} right after the Ready that raised the wish (the executor's state
   * captured there, before anything later is applied), then the {@link Input.SnapshotTaken} at
   * the same position once the runtime has encoded and digested it off the replica's thread
   * ({@link SnapshotData#sha256()}). PBFT's checkpoint (§4.3) certifies exactly that state, but
   * need not stop executing until its digest is known: it votes when the digest arrives. A
   * runtime that encodes at once steps {@link Input.SnapshotTaken} directly, as before.
   * Default: no, the state must arrive before the next Ready.
   */
  default boolean takesCheckpointStateLater() {
    return false;
  }

  /**
   * For a protocol that {@link #takesCheckpointStateLater() takes the state later}: what signs
   * the checkpoint captured at {@code position}, asked right after its
   * {@link Input.StateCaptured}; the runtime calls it with the state's digest off the replica's
   * thread and steps the signature with the state ({@link SnapshotData#seal()}), so the
   * protocol's thread does not sign. Null when there is nothing to sign there (the protocol
   * then signs on its own thread, as it does when the state comes at once). Default: null.
   */
  default CheckpointSeal checkpointSeal(long position) {
    return null;
  }

  /**
   * For a protocol that {@link #takesCheckpointStateLater() takes the state later}: the index
   * its {@link StorageWrite.SaveSnapshot} will give the state captured at {@code position}, asked
   * right after its {@link Input.StateCaptured}. The runtime writes the state file under that
   * index while it digests the capture, off the replica's thread, so that the save only records
   * the file: a whole state neither held on the heap nor written by the log thread between two
   * group commits. Default: {@code position}.
   */
  default long checkpointStateIndex(long position) {
    return position;
  }

  /**
   * The configuration this replica counts quorums in (paper §7), or null for a protocol whose
   * membership is fixed at start. Default: null.
   */
  default Configuration configuration() {
    return null;
  }

  /**
   * Runs the protocol's own configurator (paper §7, S21): a voter that has been silent past
   * {@code unreachableMillis} is replaced by one of {@code spares} (in order of preference).
   * For a protocol whose replica set changes only by commands it orders itself (PBFT), the
   * runtime cannot take the steps, so the protocol must. Default: nothing (the runtime's
   * {@link Configurator} steps a crash-tolerant protocol's membership changes).
   *
   * <p>A voter never heard since this replica started is given {@link #START_GRACE_MILLIS} more
   * before its silence counts.
   */
  default void replaceSilentVoters(List<Integer> spares, long unreachableMillis) {
    replaceSilentVoters(spares, unreachableMillis, START_GRACE_MILLIS);
  }

  /**
   * How much longer than the configurator's bound a voter never heard since this replica
   * started may stay silent before it counts as failed: replica processes start seconds apart.
   * On a shared machine with a load average of 25, one replica's first message reached its
   * peers 6 to 10 s after another's, and with a 2 s bound the configurator replaced a correct
   * replica that was still starting in two cluster starts of three. A voter that dies before it
   * is ever heard is replaced this much later; one that ran and stopped is not concerned.
   */
  long START_GRACE_MILLIS = 30_000;

  /**
   * As {@link #replaceSilentVoters(List, long)}, with the grace for voters never heard since
   * this replica started given as {@code startGraceMillis}: where every replica starts at the
   * same moment (the simulator boots them all at time 0) no start needs seconds of grace, and
   * a voter that dies at once must be replaced within the run.
   */
  default void replaceSilentVoters(List<Integer> spares, long unreachableMillis,
      long startGraceMillis) {}
}
