package io.lockstep.order.pbft;

import io.lockstep.order.Configuration;
import java.util.List;

/**
 * The configuration {@link Pbft#configuration()} reports, kept until something it is computed
 * from changes: the configuration in force (an immutable value, replaced when it changes), the
 * low watermark, what {@link Silence} knows ({@link Silence#version()}) and the protocol's clock.
 * The clock is part of it because the silences it reports are durations up to now, and a
 * report stops counting once stale; both change only when a tick moves the clock. The runtime
 * asks after every batch of its loop (the status it publishes) and the simulator would after
 * every step, far more often than ticks come or peers are first heard in a tick; building it
 * anew sorts every member's reported silences and copies the lists into a new record.
 */
final class ReportedConfiguration {
  private final Pbft p;
  private Configuration cached;
  private PbftConfiguration of;
  private long low;
  private long at;
  private long silenceVersion;

  ReportedConfiguration(Pbft p) {
    this.p = p;
  }

  /** The configuration as {@link #fresh()} would compute it now. */
  Configuration get() {
    PbftConfiguration current = p.membership.current();
    long now = Math.max(p.now, 0);
    long version = p.silence.version();
    if (cached == null || current != of || low != p.low || at != now
        || silenceVersion != version) {
      cached = fresh();
      of = current;
      low = p.low;
      at = now;
      silenceVersion = version;
    }
    return cached;
  }

  /**
   * Computed from scratch: the voters in force and the stable checkpoint whose state named
   * them as the index; a quorum of 2t+1 (with fewer correct replicas answering, nothing is
   * ordered, so the combining condition's margin counts from it); silent voters are those t+1
   * replicas report silent ({@link Silence}): F counts a replica only on evidence a correct
   * replica gave.
   */
  Configuration fresh() {
    PbftConfiguration current = p.membership.current();
    return new Configuration(current.members(), List.of(), p.low, true, "",
        p.silence.evidenced(current.members(), p.self(), current.t(), Math.max(p.now, 0)),
        2 * current.t() + 1);
  }
}
