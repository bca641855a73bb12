package io.lockstep.cli.cluster;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one replica's {@code /health} endpoint said (the JSON of
 * {@link io.lockstep.server.StatusView#toJson}), or why it could not be asked.
 *
 * @param id the replica id asked
 * @param reachable whether the endpoint answered
 * @param healthy whether it answered 200 (loop live, storage healthy)
 * @param role leader, follower, candidate… (empty when unreachable)
 * @param term its current term
 * @param leader the replica it believes leads, or -1
 * @param commitIndex its highest committed position
 * @param applied the highest position its executor applied
 * @param problem why it is unreachable, or the reason it gave for being unhealthy (empty when
 *     it is reachable and healthy)
 * @param voters the configuration it counts quorums in, as its JSON shows it ("" if none)
 * @param margin the combining condition's margin, reported by the leader only (else null)
 * @param learners replicas the leader is catching up before they vote ("" if none shown)
 * @param testBehaviour the lying behaviour a test set this replica to run
 *     ({@code "testBehaviour"}), or "" for an honest replica
 */
public record ReplicaHealth(int id, boolean reachable, boolean healthy, String role, long term,
    int leader, long commitIndex, long applied, String problem, String voters, Integer margin,
    String learners, String testBehaviour) {
  private static final Pattern FIELD = Pattern.compile("\"(\\w+)\":\"?([\\w.-]+)\"?");
  private static final Pattern REASON = Pattern.compile("\"reason\":\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final Pattern VOTERS = Pattern.compile("\"voters\":(\\[[0-9, ]*\\])");
  private static final Pattern LEARNERS = Pattern.compile("\"learners\":(\\[[0-9, ]*\\])");

  /** An answer without configuration fields (a replica of an older build, tests). */
  public ReplicaHealth(int id, boolean reachable, boolean healthy, String role, long term,
      int leader, long commitIndex, long applied, String problem) {
    this(id, reachable, healthy, role, term, leader, commitIndex, applied, problem, "", null,
        "", "");
  }

  /** A replica whose endpoint did not answer. */
  public static ReplicaHealth unreachable(int id, String problem) {
    return new ReplicaHealth(id, false, false, "", -1, -1, -1, -1, problem);
  }

  /**
   * Parses the endpoint's JSON body.
   *
   * @throws IllegalArgumentException if a field is missing or malformed (the body came over
   *     the network: it is validated, not trusted)
   */
  public static ReplicaHealth parse(int id, int httpStatus, String json) {
    java.util.Map<String, String> fields = new java.util.HashMap<>();
    Matcher m = FIELD.matcher(json);
    while (m.find()) {
      fields.put(m.group(1), m.group(2));
    }
    try {
      return new ReplicaHealth(id, true, httpStatus == 200,
          require(fields, "role").toLowerCase(Locale.ROOT), Long.parseLong(require(fields, "term")),
          Integer.parseInt(require(fields, "leader")),
          Long.parseLong(require(fields, "commitIndex")),
          Long.parseLong(require(fields, "applied")), reason(json), voters(json),
          fields.containsKey("margin") ? Integer.valueOf(fields.get("margin")) : null,
          list(LEARNERS, json), fields.getOrDefault("testBehaviour", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("malformed health JSON from replica " + id + ": " + json,
          e);
    }
  }

  /** The unhealthy replica's own words (JSON escapes of quotes and backslashes undone). */
  private static String reason(String json) {
    Matcher m = REASON.matcher(json);
    return m.find() ? m.group(1).replaceAll("\\\\(.)", "$1") : "";
  }

  private static String voters(String json) {
    return list(VOTERS, json);
  }

  private static String list(Pattern field, String json) {
    Matcher m = field.matcher(json);
    return m.find() ? m.group(1) : "";
  }

  /** The replica ids in a list this record holds as text ({@link #voters}, {@link #learners}). */
  public static java.util.List<Integer> ids(String list) {
    String inner = list.replaceAll("[\\[\\] ]", "");
    return inner.isEmpty() ? java.util.List.of()
        : java.util.Arrays.stream(inner.split(",")).map(Integer::valueOf).toList();
  }

  private static String require(java.util.Map<String, String> fields, String name) {
    String value = fields.get(name);
    if (value == null) {
      throw new IllegalArgumentException("health JSON lacks \"" + name + "\"");
    }
    return value;
  }

  /** True when this replica says it leads. */
  public boolean isLeader() {
    return reachable && "leader".equals(role);
  }

  /** The role as shown to users: the role, or "unreachable". */
  public String shownRole() {
    return reachable ? role : "unreachable";
  }

  /** This replica's problem, if any. */
  public Optional<String> problemText() {
    return problem.isEmpty() ? Optional.empty() : Optional.of(problem);
  }
}
