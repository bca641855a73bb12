package io.lockstep.timeline;

import io.lockstep.journal.Event;
import io.lockstep.journal.Stamped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The page's data as one JavaScript object literal: lanes, marks, arrows and bars as compact
 * arrays with times in microseconds from the first event, plus what was sampled and the
 * violation. See {@code timeline.html} for how each array is read.
 */
final class TimelineData {
  private final StringBuilder out = new StringBuilder(1 << 16);
  private final Map<String, Integer> requests = new LinkedHashMap<>();
  private final Map<String, Integer> types = new LinkedHashMap<>();
  private long origin;

  private TimelineData() {}

  static String build(List<Stamped> sorted, Violation violation, List<String> notes,
      int maxRequests, int maxArrows, int maxMarks) {
    return new TimelineData().render(sorted, violation, notes, maxRequests, maxArrows, maxMarks);
  }

  /** What the page draws, before it is written out. */
  private record Parts(Lanes lanes, List<Stamped> marks, List<Arrows.Arrow> arrows,
      List<Bars.Bar> bars, int requestEvery) {}

  private String render(List<Stamped> sorted, Violation violation, List<String> notes,
      int maxRequests, int maxArrows, int maxMarks) {
    origin = sorted.isEmpty() ? 0 : sorted.get(0).nanos();
    long end = sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1).nanos();
    Parts parts = collect(sorted, Sampling.of(sorted, maxRequests, violation), end);
    List<String> sampledNotes = new ArrayList<>(notes);
    lanesNote(parts.lanes(), sampledNotes);
    if (parts.requestEvery() > 1) {
      sampledNotes.add("Sampled: one request in " + parts.requestEvery() + " is shown, with"
          + " its whole path (the highlighted ones always).");
    }
    int arrowEvery = every(parts.arrows().size(), maxArrows, "messages", sampledNotes);
    long stable = parts.marks().stream()
        .filter(e -> e.event().kind() == Event.Kind.STABLE).count();
    int stableEvery = parts.marks().size() <= maxMarks ? 1 : every((int) stable,
        (int) Math.max(1, maxMarks - (parts.marks().size() - stable)), "commit (STABLE) marks",
        sampledNotes);
    out.append("{\"empty\":").append(sorted.isEmpty()).append(",\"lanes\":");
    Json.strings(parts.lanes().names(), out);
    out.append(",\"kinds\":");
    Json.strings(Timeline.kinds(), out);
    out.append(",\"outcomes\":");
    Json.strings(Bars.OUTCOMES, out);
    out.append(",\"notes\":");
    Json.strings(sampledNotes, out);
    out.append(",\"end\":").append(micros(end));
    appendMarks(parts.marks(), parts.lanes(), stableEvery);
    appendArrows(parts.arrows(), arrowEvery);
    appendBars(parts.bars(), violation);
    out.append(",\"types\":");
    Json.strings(types.keySet(), out);
    out.append(",\"requests\":");
    Json.strings(requests.keySet(), out);
    appendViolation(violation);
    return out.append('}').toString();
  }

  /** Sorts every kept event into arrows, bars and marks. */
  private static Parts collect(List<Stamped> sorted, Sampling sampling, long end) {
    Lanes lanes = new Lanes(sorted);
    Arrows arrows = new Arrows(lanes);
    Bars bars = new Bars(lanes);
    List<Stamped> marks = new ArrayList<>();
    for (Stamped e : sorted) {
      if (!sampling.keep(e)) {
        continue;
      }
      bars.attempted(e);
      if (arrows.take(e)) {
        continue;
      }
      bars.take(e);
      Event.Kind kind = e.event().kind();
      if (kind != Event.Kind.INVOKE && kind != Event.Kind.OUTCOME) {
        marks.add(e);
      }
    }
    return new Parts(lanes, marks, arrows.finish(), bars.finish(end), sampling.every());
  }

  /** Says where the client lanes come from, when a page has any the replicas drew. */
  private static void lanesNote(Lanes lanes, List<String> notes) {
    if (lanes.replicasViewLanes() == 0) {
      return;
    }
    notes.add("Client lanes: " + lanes.ownClientLanes() + " from the clients' own journals, "
        + lanes.replicasViewLanes() + " " + Lanes.REPLICAS_VIEW + " from the replicas' journals"
        + " (first proposal or redirect to the reply).");
  }

  /** 1, or the sampling step that brings {@code count} under {@code max} (noted). */
  private static int every(int count, int max, String what, List<String> notes) {
    if (count <= max) {
      return 1;
    }
    int every = (int) Math.ceil(count / (double) max);
    notes.add("Sampled: one in " + every + " of " + count + " " + what + " is drawn.");
    return every;
  }

  private long micros(long nanos) {
    return (nanos - origin) / 1_000;
  }

  private int request(String id) {
    if (id == null) {
      return -1;
    }
    return requests.computeIfAbsent(id, k -> requests.size());
  }

  /** Marks: [t, lane, kind, detail, request, position, peer, term]; the page composes the text. */
  private void appendMarks(List<Stamped> marks, Lanes lanes, int stableEvery) {
    out.append(",\"marks\":[");
    Map<Integer, Integer> stableSeen = new HashMap<>();
    boolean first = true;
    for (Stamped e : marks) {
      Event v = e.event();
      if (v.kind() == Event.Kind.STABLE && stableEvery > 1
          && stableSeen.merge(e.replica(), 1, Integer::sum) % stableEvery != 0) {
        continue;
      }
      out.append(first ? "" : ",").append('[').append(micros(e.nanos())).append(',')
          .append(lanes.of(e)).append(',').append(v.kind().ordinal()).append(',');
      Json.string(v.detail(), out);
      out.append(',').append(request(Bars.request(e))).append(',').append(v.position())
          .append(',').append(v.peer()).append(',').append(v.term()).append(']');
      first = false;
    }
    out.append(']');
  }

  /** Arrows: [t0, lane0, t1, lane1, type, flag]; one in {@code every} per type when sampled. */
  private void appendArrows(List<Arrows.Arrow> arrows, int every) {
    out.append(",\"arrows\":[");
    Map<String, Integer> seen = new HashMap<>();
    boolean first = true;
    for (Arrows.Arrow a : arrows) {
      if (every > 1 && seen.merge(a.type(), 1, Integer::sum) % every != 1 % every) {
        continue;
      }
      int type = types.computeIfAbsent(a.type(), k -> types.size());
      out.append(first ? "" : ",").append('[').append(micros(a.t0())).append(',')
          .append(a.from()).append(',').append(micros(a.t1())).append(',').append(a.to())
          .append(',').append(type).append(',').append(a.flag()).append(']');
      first = false;
    }
    out.append(']');
  }

  private static Set<String> highlights(Violation violation, Set<String> culprits) {
    Set<String> highlighted = new HashSet<>();
    if (violation != null) {
      for (Violation.Highlight h : violation.highlights()) {
        highlighted.add(h.process() + "@" + h.invokeNanos());
        if (h.culprit()) {
          culprits.add(h.process() + "@" + h.invokeNanos());
        }
      }
    }
    return highlighted;
  }

  /** Bars: [t0, t1, lane, outcome, label, request, highlight (0 no, 1 yes, 2 culprit)]. */
  private void appendBars(List<Bars.Bar> bars, Violation violation) {
    Set<String> culprits = new HashSet<>();
    Set<String> highlighted = highlights(violation, culprits);
    if (violation != null) {
      culprits.addAll(violation.requests());
    }
    out.append(",\"bars\":[");
    boolean first = true;
    for (Bars.Bar b : bars) {
      String id = b.process() + "@" + b.t0();
      int mark = culprits.contains(id) || culprits.contains(b.request()) ? 2
          : highlighted.contains(id) ? 1 : 0;
      out.append(first ? "" : ",").append('[').append(micros(b.t0())).append(',')
          .append(micros(b.t1())).append(',').append(b.lane()).append(',').append(b.outcome())
          .append(',');
      Json.string(b.label(), out);
      out.append(',').append(request(b.request())).append(',').append(mark).append(']');
      first = false;
    }
    out.append(']');
  }

  private void appendViolation(Violation violation) {
    out.append(",\"violation\":");
    if (violation == null) {
      out.append("null");
      return;
    }
    out.append("{\"t\":").append(micros(violation.nanos())).append(",\"text\":");
    Json.string(violation.text(), out);
    out.append('}');
  }
}
