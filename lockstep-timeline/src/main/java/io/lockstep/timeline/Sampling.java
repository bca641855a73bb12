package io.lockstep.timeline;

import io.lockstep.journal.Event;
import io.lockstep.journal.Stamped;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which requests a large timeline keeps: one in {@code every}, chosen by a hash of the request's
 * id, so that a kept request keeps its whole path (invoke, proposal, apply on every replica,
 * reply, outcome) and a dropped one leaves no stray pieces. The operations a violation names are
 * always kept. A read has no sequence number; it is chosen at its invocation and its outcome
 * follows that choice.
 */
final class Sampling {
  private final int every;
  private final Set<String> forced = new HashSet<>();
  private final Map<String, Boolean> openRead = new HashMap<>();
  private final Set<String> highlightedInvokes = new HashSet<>();

  private Sampling(int every) {
    this.every = every;
  }

  /** Keeps about {@code maxRequests} of the requests in {@code events}. */
  static Sampling of(List<Stamped> events, int maxRequests, Violation violation) {
    Set<String> requests = new HashSet<>();
    for (Stamped e : events) {
      String request = Bars.request(e);
      if (request != null) {
        requests.add(request.endsWith("@read") ? request + e.nanos() : request);
      }
    }
    int every = Math.max(1, (int) Math.ceil(requests.size() / (double) maxRequests));
    Sampling sampling = new Sampling(every);
    if (violation != null) {
      for (Violation.Highlight h : violation.highlights()) {
        sampling.highlightedInvokes.add(h.process() + "@" + h.invokeNanos());
      }
      sampling.forced.addAll(violation.requests());
      sampling.forceHighlighted(events);
    }
    return sampling;
  }

  /** The requests of highlighted invocations are kept whatever their hash. */
  private void forceHighlighted(List<Stamped> events) {
    for (Stamped e : events) {
      if (e.event().kind() == Event.Kind.INVOKE && highlighted(e)) {
        forced.add(Bars.request(e));
      }
    }
  }

  private boolean highlighted(Stamped e) {
    String detail = e.event().detail();
    int space = detail.indexOf(' ');
    return detail.startsWith("p") && space > 1
        && highlightedInvokes.contains(detail.substring(1, space) + "@" + e.nanos());
  }

  /** 1 when nothing is dropped; else one request in this many is kept. */
  int every() {
    return every;
  }

  /** Whether {@code e} stays in the timeline. */
  boolean keep(Stamped e) {
    String request = Bars.request(e);
    if (request == null || every == 1) {
      return true;
    }
    Event v = e.event();
    if (v.sequence() >= 0) {
      return forced.contains(request) || chosen(request);
    }
    // A read: its invocation decides for its attempts and its outcome (a client session has one
    // read at a time); a read only replicas saw is chosen by its attempt's id.
    String client = v.client();
    if (v.kind() == Event.Kind.INVOKE) {
      boolean keep = highlighted(e) || chosen(client + "@" + e.nanos());
      openRead.put(client, keep);
      return keep;
    }
    Boolean open = v.kind() == Event.Kind.OUTCOME ? openRead.remove(client)
        : openRead.get(client);
    if (open != null) {
      return open;
    }
    return v.kind() != Event.Kind.OUTCOME && chosen(request);
  }

  private boolean chosen(String request) {
    return Math.floorMod(request.hashCode() * 0x9E3779B1, every) == 0;
  }
}
