package io.lockstep.replica;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Compares this replica's {@link Checkpoint}s with those its peers report, at equal positions
 * (S1: correct replicas that applied the same requests in the same order hold equal states, so
 * unequal digests at one position mean divergence). Digests travel between replicas, so either
 * side of a comparison may arrive first: a peer's digest for a position this replica has not
 * reached yet waits until it does; a local one waits for the peers' reports.
 *
 * <p>Only digests of the same position are compared, and both sides were computed from applied
 * state at that position, so a replica that restarts (and replays from its snapshot) or installs
 * a snapshot produces no false mismatch: positions it skipped are simply never compared.
 *
 * <p>Bounded: at most {@code capacity} local digests (the newest) and {@code capacity} pending
 * reports per peer. A report older than every local digest kept, for a position this replica did
 * not record (skipped by a snapshot, or evicted because the peer lags far behind), can never be
 * compared; it is dropped and counted in {@link #uncompared()}.
 *
 * <p>Deterministic and not thread-safe (the runtime serializes calls).
 */
public final class CheckpointWindow {
  private final int capacity;
  /** This replica's newest digests by position. */
  private final TreeMap<Long, String> local = new TreeMap<>();
  /**
   * Per peer (in id order, so that comparisons come out in the same order on every run), its
   * reports for positions this replica has not recorded yet.
   */
  private final Map<Integer, TreeMap<Long, String>> pending = new TreeMap<>();
  private long uncompared;

  /** One comparison of two digests at the same position. */
  public record Comparison(int peer, long position, String local, String remote) {
    public Comparison {
      Objects.requireNonNull(local, "local");
      Objects.requireNonNull(remote, "remote");
    }

    /** True when the two states are equal (as far as SHA-256 can tell). */
    public boolean agrees() {
      return local.equals(remote);
    }
  }

  /** @param capacity digests kept per side (local, and pending per peer); at least 1 */
  public CheckpointWindow(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
    }
    this.capacity = capacity;
  }

  /**
   * Records this replica's own digest and compares it with every peer's pending report for the
   * same position. Reports for lower positions still pending can never be compared (this
   * replica's positions only grow), so they are dropped.
   */
  public List<Comparison> recordLocal(Checkpoint checkpoint) {
    Objects.requireNonNull(checkpoint, "checkpoint");
    long position = checkpoint.position();
    local.put(position, checkpoint.digest());
    while (local.size() > capacity) {
      local.pollFirstEntry();
    }
    List<Comparison> out = new ArrayList<>();
    for (Map.Entry<Integer, TreeMap<Long, String>> peer : pending.entrySet()) {
      TreeMap<Long, String> reports = peer.getValue();
      String remote = reports.remove(position);
      if (remote != null) {
        out.add(new Comparison(peer.getKey(), position, checkpoint.digest(), remote));
      }
      Map<Long, String> stale = reports.headMap(position);
      uncompared += stale.size();
      stale.clear();
    }
    return out;
  }

  /**
   * A peer reported its digest: compared at once if this replica recorded that position, kept
   * for later if this replica has not reached it yet, otherwise dropped (and counted).
   */
  public Optional<Comparison> recordRemote(int peer, Checkpoint checkpoint) {
    Objects.requireNonNull(checkpoint, "checkpoint");
    long position = checkpoint.position();
    String mine = local.get(position);
    if (mine != null) {
      return Optional.of(new Comparison(peer, position, mine, checkpoint.digest()));
    }
    if (!local.isEmpty() && position < local.lastKey()) {
      uncompared++;
      return Optional.empty();
    }
    TreeMap<Long, String> reports = pending.computeIfAbsent(peer, p -> new TreeMap<>());
    reports.put(position, checkpoint.digest());
    while (reports.size() > capacity) {
      reports.pollFirstEntry();
      uncompared++;
    }
    return Optional.empty();
  }

  /** Peers' digests dropped without a comparison so far. */
  public long uncompared() {
    return uncompared;
  }

  /** Peers' digests waiting for this replica to reach their positions (for tests, metrics). */
  public int pendingReports() {
    return pending.values().stream().mapToInt(Map::size).sum();
  }
}
