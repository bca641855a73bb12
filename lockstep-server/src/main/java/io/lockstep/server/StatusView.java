package io.lockstep.server;

import io.lockstep.order.Role;
import java.util.List;

/**
 * A replica's progress as last published by its loop thread; safe to read from any thread (for
 * INFO, /health, metrics and tests).
 *
 * @param id the replica id
 * @param role its role
 * @param term its current term
 * @param leader the replica it believes leads, or -1
 * @param commitIndex highest committed position
 * @param lastIndex last position of its log
 * @param applied every position up to here is applied or was a protocol no-op
 * @param snapshotIndex position of its latest snapshot
 * @param voters the configuration it counts quorums in (empty if its protocol has none)
 * @param margin on the leader, the combining condition's margin: how many more voters may fail
 *     before fewer than a quorum answer (0 or less: thin); null elsewhere
 * @param learners on the leader, replicas being caught up before they vote (a membership change
 *     in progress); empty elsewhere
 */
public record StatusView(int id, Role role, long term, int leader, long commitIndex,
    long lastIndex, long applied, long snapshotIndex, List<Integer> voters, Integer margin,
    List<Integer> learners) {
  public StatusView {
    voters = List.copyOf(voters);
    learners = List.copyOf(learners);
  }

  /** A status without learners. */
  public StatusView(int id, Role role, long term, int leader, long commitIndex, long lastIndex,
      long applied, long snapshotIndex, List<Integer> voters, Integer margin) {
    this(id, role, term, leader, commitIndex, lastIndex, applied, snapshotIndex, voters, margin,
        List.of());
  }

  /** A status without configuration (a protocol with a fixed membership, tests). */
  public StatusView(int id, Role role, long term, int leader, long commitIndex, long lastIndex,
      long applied, long snapshotIndex) {
    this(id, role, term, leader, commitIndex, lastIndex, applied, snapshotIndex, List.of(), null);
  }

  /** The replica as JSON (for /health and {@code lockstep status}). */
  public String toJson(boolean healthy) {
    return toJson(healthy, null);
  }

  /** The replica as JSON, with why it is unhealthy ({@code reason}, may be null). */
  public String toJson(boolean healthy, String reason) {
    String because = reason == null ? "" : ",\"reason\":\"" + jsonEscape(reason) + "\"";
    return "{\"id\":" + id + ",\"role\":\"" + role.name().toLowerCase(java.util.Locale.ROOT)
        + "\",\"term\":" + term + ",\"leader\":" + leader + ",\"commitIndex\":" + commitIndex
        + ",\"lastIndex\":" + lastIndex + ",\"applied\":" + applied + ",\"snapshotIndex\":"
        + snapshotIndex + ",\"voters\":" + voters + ",\"learners\":" + learners
        + (margin == null ? ""
        : ",\"margin\":" + margin) + ",\"healthy\":" + healthy + because + "}";
  }

  /** {@code text} escaped for a JSON string (quotes, backslashes, control characters). */
  static String jsonEscape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
