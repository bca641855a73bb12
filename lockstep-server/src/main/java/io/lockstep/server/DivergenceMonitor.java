package io.lockstep.server;

import io.lockstep.replica.Checkpoint;
import io.lockstep.replica.CheckpointWindow;
import io.lockstep.replica.CheckpointWindow.Comparison;
import java.lang.System.Logger.Level;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Divergence detection in the running cluster (S1): this replica's checkpoint digests, recorded
 * by its loop, against those its peers send on the peer port's runtime channel, compared at
 * equal positions by a {@link CheckpointWindow}.
 *
 * <p>A mismatch means two replicas applied the same requests in the same order and reached
 * different states: a state machine that is not deterministic, or damaged memory or code. Which
 * side is wrong cannot be told from one pair, so each replica reports every peer it disagrees
 * with: it logs {@code event=divergence} with both digests and the position, counts it
 * ({@code lockstep_divergence_total}), and reports itself unhealthy with the reason until it is
 * restarted. The replica keeps serving: stopping every replica of a cluster whose machine is
 * non-deterministic would turn a correctness alarm into an outage; the operator decides (see
 * docs/OPERATIONS.md).
 *
 * <p>Thread-safe: the loop thread records local digests, peers' I/O threads report theirs.
 */
final class DivergenceMonitor {
  private static final System.Logger LOG = System.getLogger(DivergenceMonitor.class.getName());

  private final int self;
  private final CheckpointWindow window;
  private final Set<Integer> divergedFrom = new TreeSet<>();
  private Comparison first;
  private long compared;
  private long mismatches;
  private volatile String problem;
  private volatile String notCompared;

  /** @param capacity digests kept per side (see {@link CheckpointWindow}) */
  DivergenceMonitor(int self, int capacity) {
    this.self = self;
    this.window = new CheckpointWindow(capacity);
  }

  /**
   * Stops comparing for good, for {@code why}: replicas may legitimately hold different states
   * at equal positions (a protocol that applies commuting requests early, paper §3, S12).
   */
  void disable(String why) {
    notCompared = why;
    LOG.log(Level.INFO, "event=divergence_detection_off replica=" + self + " reason=\"" + why
        + "\"");
  }

  /** Why digests are not compared, if they are not. */
  Optional<String> disabledBecause() {
    return Optional.ofNullable(notCompared);
  }

  /** This replica recorded a digest (loop thread). */
  synchronized void local(Checkpoint checkpoint) {
    if (notCompared != null) {
      return;
    }
    for (Comparison c : window.recordLocal(checkpoint)) {
      judge(c);
    }
  }

  /** A peer reported its digest (I/O thread). */
  synchronized void remote(int peer, Checkpoint checkpoint) {
    if (notCompared != null) {
      return;
    }
    window.recordRemote(peer, checkpoint).ifPresent(this::judge);
  }

  private void judge(Comparison c) {
    compared++;
    if (c.agrees()) {
      return;
    }
    mismatches++;
    divergedFrom.add(c.peer());
    if (first == null) {
      first = c;
    }
    LOG.log(Level.ERROR, "event=divergence replica=" + self + " peer=" + c.peer() + " position="
        + c.position() + " local=" + c.local() + " remote=" + c.remote());
    problem = "diverged: this replica's state differs from replica(s) " + divergedFrom
        + " (" + mismatches + " mismatched digests; first at position " + first.position()
        + ": here " + first.local() + ", replica " + first.peer() + " " + first.remote()
        + "). The state machine is not deterministic or a replica's state is damaged;"
        + " see docs/OPERATIONS.md, Divergence";
  }

  /** Why this replica must not be trusted, once any mismatch was seen (sticky until restart). */
  Optional<String> problem() {
    return Optional.ofNullable(problem);
  }

  /** Digests compared with a peer's at the same position so far. */
  synchronized long compared() {
    return compared;
  }

  /** Comparisons that found unequal digests so far. */
  synchronized long mismatches() {
    return mismatches;
  }

  /** Peers' digests dropped without a comparison (see {@link CheckpointWindow#uncompared}). */
  synchronized long uncompared() {
    return window.uncompared();
  }
}
