package io.lockstep.timeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a checker found, for the timeline to open at and highlight.
 *
 * @param nanos when it was found or happened, on the journal's clock
 * @param text the checker's one-line explanation
 * @param highlights the client operations its explanation names, as a history names them
 * @param requests the requests its explanation names by id ({@code c3#40}): their operations are
 *     highlighted as culprits
 */
public record Violation(long nanos, String text, List<Highlight> highlights,
    List<String> requests) {
  public Violation {
    Objects.requireNonNull(text, "text");
    highlights = List.copyOf(highlights);
    requests = List.copyOf(requests);
  }

  /** The request ids ({@code client#sequence}) that {@code text} names. */
  public static List<String> requestsNamedIn(String text) {
    List<String> ids = new ArrayList<>();
    Matcher m = REQUEST_ID.matcher(text);
    while (m.find()) {
      ids.add(m.group());
    }
    return ids;
  }

  /** A request's id as {@code Request.toString} writes it: client id, '#', sequence. */
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z][A-Za-z0-9:._-]*#\\d+");

  /**
   * One operation to highlight, named as a client history names it.
   *
   * @param process the process that invoked it
   * @param invokeNanos when it was invoked, on the journal's clock
   * @param culprit true for the operation no order explains; false for one concurrent with it
   */
  public record Highlight(int process, long invokeNanos, boolean culprit) {}
}
