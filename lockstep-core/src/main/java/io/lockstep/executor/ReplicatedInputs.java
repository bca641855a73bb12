package io.lockstep.executor;

import io.lockstep.machine.ClientId;
import io.lockstep.machine.InputMerger;
import io.lockstep.machine.Rejection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Matching of copies of one logical request sent by the replicas of a replicated client under
 * the Byzantine model (paper §5.1): the command runs once t+1 byte-identical copies from distinct
 * client replicas arrived; otherwise, once {@link #mergeQuorum} copies arrived, the copies,
 * sorted by the replica that sent them, are merged. Merging does not wait for all n copies: up
 * to t client replicas may be faulty and never send theirs (a silent copy must not stall the
 * logical client), and since copies are ordered requests every replica merges the same set. A second copy from the same client replica is
 * ignored (counted once). Open matches are bounded per logical client; every copy held is part
 * of the replicated state and of the snapshot.
 */
final class ReplicatedInputs {
  /** What offering one copy led to. */
  enum Status {
    /** Not enough copies yet. */
    WAITING,
    /** The logical request's command (or refusal) is now decided. */
    DECIDED,
    /** Too many logical requests of this client are being matched; the copy was dropped. */
    OVERFLOW
  }

  /**
   * @param status the outcome
   * @param command the decided command when DECIDED and {@code refusal} is null
   * @param refusal why the decided request must be refused (the copies could not be merged)
   */
  record Outcome(Status status, byte[] command, String refusal) {
    static final Outcome WAITING = new Outcome(Status.WAITING, null, null);
    static final Outcome OVERFLOW = new Outcome(Status.OVERFLOW, null, null);
  }

  /** The refusal of a logical request whose copies the merger failed on (deterministic). */
  static final String MERGE_FAILED = "merge failed: the merger threw an exception (see the"
      + " replica log)";
  private static final System.Logger LOG = System.getLogger(ReplicatedInputs.class.getName());

  private final int t;
  private final int maxOpenPerClient;
  private final InputMerger merger;
  /** logical client → logical sequence → client replica → copy; sorted for snapshots. */
  private final TreeMap<ClientId, TreeMap<Long, TreeMap<ClientId, byte[]>>> open = new TreeMap<>();

  ReplicatedInputs(int t, int maxOpenPerClient, InputMerger merger) {
    this.t = t;
    this.maxOpenPerClient = maxOpenPerClient;
    this.merger = merger;
  }

  /** Offers one copy of logical request (client, sequence) sent by {@code copyFrom}. */
  Outcome offer(ClientId client, long sequence, ClientId copyFrom, byte[] command, int replicas) {
    TreeMap<Long, TreeMap<ClientId, byte[]>> perClient =
        open.computeIfAbsent(client, c -> new TreeMap<>());
    TreeMap<ClientId, byte[]> copies = perClient.get(sequence);
    if (copies == null) {
      if (perClient.size() >= maxOpenPerClient) {
        return Outcome.OVERFLOW;
      }
      copies = new TreeMap<>();
      perClient.put(sequence, copies);
    }
    if (copies.putIfAbsent(copyFrom, command) != null) {
      return Outcome.WAITING;
    }
    Outcome outcome = decide(copies, command, replicas);
    if (outcome.status() == Status.DECIDED) {
      perClient.remove(sequence);
      if (perClient.isEmpty()) {
        open.remove(client);
      }
    }
    return outcome;
  }

  private Outcome decide(TreeMap<ClientId, byte[]> copies, byte[] latest, int replicas) {
    long identical = copies.values().stream().filter(c -> Arrays.equals(c, latest)).count();
    if (identical >= t + 1) {
      return new Outcome(Status.DECIDED, latest, null);
    }
    if (copies.size() < mergeQuorum(replicas, t)) {
      return Outcome.WAITING;
    }
    List<byte[]> sorted = new ArrayList<>();
    copies.values().forEach(c -> sorted.add(c.clone()));
    try {
      byte[] merged = merger.merge(sorted);
      if (merged == null) {
        return new Outcome(Status.DECIDED, null, "merge failed: the merger returned null");
      }
      return new Outcome(Status.DECIDED, merged, null);
    } catch (Rejection r) {
      return new Outcome(Status.DECIDED, null, String.valueOf(r.getMessage()));
    } catch (RuntimeException e) {
      // The refusal becomes the request's cached reply (replicated state): a fixed text, as
      // the exception's own message may differ between JDKs (see Executor.COMMAND_FAILED).
      LOG.log(System.Logger.Level.WARNING, "event=merge_failed exception="
          + e.getClass().getName(), e);
      return new Outcome(Status.DECIDED, null, MERGE_FAILED);
    }
  }

  /**
   * How many copies of {@code replicas} are merged: n − t (the t missing ones may be faulty and
   * silent), but never fewer than 2t+1, so that the correct copies among them outnumber the t
   * that may lie (a median then lies between correct values). With n ≥ 3t+1 client replicas
   * that is n − t; with fewer, a silent copy can still delay merging until all n arrived.
   */
  static int mergeQuorum(int replicas, int t) {
    return Math.min(replicas, Math.max(replicas - t, 2 * t + 1));
  }

  /** Drops every open match of a client whose session was evicted: its copies are stale. */
  void forget(ClientId client) {
    open.remove(client);
  }

  /** Every open match, sorted (for snapshots). */
  TreeMap<ClientId, TreeMap<Long, TreeMap<ClientId, byte[]>>> open() {
    return open;
  }

  /** Replaces every open match (restore). */
  void reset(Map<ClientId, TreeMap<Long, TreeMap<ClientId, byte[]>>> matches) {
    open.clear();
    open.putAll(matches);
  }
}
