package io.lockstep.timeline;

import io.lockstep.journal.Event;
import io.lockstep.journal.Stamped;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A run's journal as one self-contained HTML file: the data, script and style are inline, so it
 * opens from disk with no network. Lanes per replica and client, messages as arrows, protocol
 * events as marks, client operations as bars coloured by outcome; zoom, pan, a filter by request
 * or key, and a click on a request that draws its whole path. With a {@link Violation}, the page
 * opens at it and highlights the operations its explanation names.
 *
 * <p>Large runs stay usable: past {@link #MAX_REQUESTS} requests one in k is kept (whole paths),
 * past {@link #MAX_ARROWS} messages one in k per type is drawn, past {@link #MAX_MARKS} marks one
 * commit mark in k; the page says so. The page itself draws only what is in view, and at most a
 * few thousand arrows per frame.
 */
public final class Timeline {
  /** Requests kept before sampling starts. */
  public static final int MAX_REQUESTS = 40_000;
  /** Message arrows kept before sampling starts. */
  public static final int MAX_ARROWS = 60_000;
  /** Marks kept before commit marks are sampled. */
  public static final int MAX_MARKS = 150_000;

  private final List<Stamped> events;
  private String title = "Lockstep timeline";
  private Violation violation;
  private final List<String> notes = new ArrayList<>();
  private int maxRequests = MAX_REQUESTS;
  private int maxArrows = MAX_ARROWS;
  private int maxMarks = MAX_MARKS;

  private Timeline(List<Stamped> events) {
    this.events = new ArrayList<>(events);
    this.events.sort(Comparator.comparingLong(Stamped::nanos));
  }

  /** A timeline of {@code events} (any order; they are sorted by time, stably). */
  public static Timeline of(List<Stamped> events) {
    return new Timeline(Objects.requireNonNull(events, "events"));
  }

  public Timeline title(String title) {
    this.title = Objects.requireNonNull(title, "title");
    return this;
  }

  /** Opens the page at {@code violation} and highlights its operations. */
  public Timeline violation(Violation violation) {
    this.violation = violation;
    return this;
  }

  /** Adds a line the page shows under its title (what was merged, what was lost). */
  public Timeline note(String note) {
    notes.add(Objects.requireNonNull(note, "note"));
    return this;
  }

  /** Other sampling limits than the defaults (tests use small ones). */
  public Timeline limits(int requests, int arrows, int marks) {
    this.maxRequests = requests;
    this.maxArrows = arrows;
    this.maxMarks = marks;
    return this;
  }

  /** Writes the page to {@code file}. */
  public void write(Path file) {
    try {
      Files.writeString(file, html(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the timeline " + file, e);
    }
  }

  /** The page. */
  public String html() {
    String template = template();
    String data = TimelineData.build(events, violation, notes, maxRequests, maxArrows, maxMarks);
    return template.replace("__TITLE__", escapeHtml(title))
        .replace("/*__DATA__*/null", data);
  }

  private static String template() {
    try (InputStream in = Timeline.class.getResourceAsStream("timeline.html")) {
      if (in == null) {
        throw new IllegalStateException("timeline.html is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the timeline template", e);
    }
  }

  private static String escapeHtml(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  /** The kinds drawn as marks, in the page's order. */
  static List<String> kinds() {
    List<String> kinds = new ArrayList<>();
    for (Event.Kind kind : Event.Kind.values()) {
      kinds.add(kind.name());
    }
    return kinds;
  }
}
