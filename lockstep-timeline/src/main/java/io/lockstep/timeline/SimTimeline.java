package io.lockstep.timeline;

import io.lockstep.check.History;
import io.lockstep.check.Op;
import io.lockstep.check.ViolationWindow;
import io.lockstep.order.MessageInterceptor;
import io.lockstep.sim.CoordinationFactory;
import io.lockstep.sim.SimJournal;
import io.lockstep.sim.SimOptions;
import io.lockstep.sim.SimResult;
import io.lockstep.sim.Simulation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A simulated run and its timeline: runs one seed with a journal, and when a checker fails,
 * points the timeline at the violation — for linearizability, the culprit operation and every
 * operation concurrent with it on its key (the checker's explanation); for the other checkers
 * (divergence, election safety, committed entry changed, agreed time, liveness, invariants), the
 * moment the run stopped, which is when the checker fired.
 */
public final class SimTimeline {
  /** Events kept from one run: about 200 MB of heap at most. */
  public static final int JOURNAL_CAPACITY = 2_000_000;
  /** The simulator's own search budget per key, so both reach the same verdict. */
  private static final long CHECKER_BUDGET = 5_000_000;

  /**
   * A run and its page.
   *
   * @param result what the simulator found
   * @param timeline the page, ready to write
   * @param events events journaled
   * @param violation where the page opens, or null if the run passed
   */
  public record Run(SimResult result, Timeline timeline, int events, Violation violation) {}

  private SimTimeline() {}

  /** Runs {@code seed} and builds its timeline. */
  public static Run run(SimOptions options, long seed, CoordinationFactory factory) {
    return run(options, seed, factory, Map.of());
  }

  /**
   * Runs {@code seed} with the replicas in {@code liars} sending through their interceptors
   * (the run a Byzantine protocol's seed replays), and builds its timeline.
   */
  public static Run run(SimOptions options, long seed, CoordinationFactory factory,
      Map<Integer, MessageInterceptor> liars) {
    SimJournal journal = new SimJournal(JOURNAL_CAPACITY);
    SimResult result = Simulation.run(options, seed, factory, liars, journal);
    Violation violation = result.ok() ? null : violation(result);
    Timeline timeline = Timeline.of(journal.events())
        .title("Lockstep simulation, seed " + seed + (result.ok() ? ": passed" : ": FAILED"))
        .violation(violation)
        .note(result.ops() + " operations (" + result.opsOk() + " ok, " + result.opsFailed()
            + " failed, " + result.opsInfo() + " unknown), " + result.faults()
            + " faults injected" + (result.ok() ? "; every checker passed." : "."));
    if (journal.missed() > 0) {
      timeline.note("The journal kept the first " + journal.events().size() + " events; "
          + journal.missed() + " later ones are not shown.");
    }
    return new Run(result, timeline, journal.events().size(), violation);
  }

  /** Where a failed run's timeline opens, and what it highlights. */
  static Violation violation(SimResult result) {
    long stoppedAt = result.simulatedMillis() * 1_000_000;
    List<String> named = Violation.requestsNamedIn(result.failure());
    if (!result.failure().startsWith("linearizability:")) {
      return new Violation(stoppedAt, result.failure(), List.of(), named);
    }
    Optional<ViolationWindow> window = ViolationWindow.find(result.history(), CHECKER_BUDGET);
    if (window.isEmpty()) {
      return new Violation(stoppedAt, result.failure(), List.of(), named);
    }
    List<Violation.Highlight> highlights = new ArrayList<>();
    Op culprit = window.get().culprit();
    highlights.add(new Violation.Highlight(culprit.process(), culprit.time(), true));
    for (Op op : window.get().concurrent()) {
      highlights.add(new Violation.Highlight(op.process(), op.time(), false));
    }
    return new Violation(completion(result.history(), culprit, stoppedAt), result.failure(),
        highlights, named);
  }

  /** When {@code invoke}'s operation completed (its process's next event), else {@code end}. */
  private static long completion(History history, Op invoke, long end) {
    boolean after = false;
    for (Op op : history.ops()) {
      if (op == invoke) {
        after = true;
      } else if (after && op.process() == invoke.process()) {
        return op.time();
      }
    }
    return end;
  }
}
