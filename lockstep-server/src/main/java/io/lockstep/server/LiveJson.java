package io.lockstep.server;

import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ReplicaAddresses;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One replica's figures for the live cluster page, as the JSON of {@code GET /replica.json}:
 * the cluster's name and protocol, the replicas' HTTP addresses from the cluster file (so a page
 * served by any one replica can poll every other), this replica's status and health, and its
 * recent traffic and leader changes.
 *
 * <p>The protocol's progress is shown generically, as {@link StatusView} carries it (role, term
 * or view, leader, positions): the page names no protocol's own concepts.
 */
final class LiveJson {
  private LiveJson() {}

  /**
   * The figures of one replica.
   *
   * @param config the cluster file's contents
   * @param protocol the protocol's name
   * @param status the replica's status
   * @param problem why it is unhealthy, empty if it is healthy
   * @param repairing whether it repairs damaged storage from its peers
   * @param history its recent traffic and leader changes
   * @param now wall-clock time of this answer in epoch milliseconds
   */
  static String replica(ClusterConfig config, String protocol, StatusView status,
      Optional<String> problem, boolean repairing, LiveHistory history, long now) {
    return "{\"cluster\":" + string(config.name()) + ",\"protocol\":" + string(protocol)
        + ",\"id\":" + status.id() + ",\"now\":" + now
        + ",\"members\":" + members(config)
        + ",\"status\":" + status.toJson(problem.isEmpty(), problem.orElse(null))
        + ",\"repairing\":" + repairing
        + ",\"history\":" + series(history.series())
        + ",\"leaderChanges\":" + leaderChanges(history) + "}";
  }

  private static String members(ClusterConfig config) {
    return config.replicas().stream()
        .map(r -> "{\"id\":" + r.id() + ",\"http\":" + string(ReplicaAddresses.text(r.metrics()))
            + "}")
        .collect(Collectors.joining(",", "[", "]"));
  }

  private static String series(LiveHistory.Series s) {
    return "{\"bucketMillis\":" + s.bucketMillis() + ",\"end\":" + s.end()
        + ",\"writes\":" + numbers(s.writes())
        + ",\"writeMeanMicros\":" + numbers(s.writeMeanMicros())
        + ",\"writeMaxMicros\":" + numbers(s.writeMaxMicros())
        + ",\"reads\":" + numbers(s.reads())
        + ",\"readMeanMicros\":" + numbers(s.readMeanMicros())
        + ",\"readMaxMicros\":" + numbers(s.readMaxMicros()) + "}";
  }

  private static String leaderChanges(LiveHistory history) {
    return history.leaderChanges().stream()
        .map(c -> "{\"at\":" + c.at() + ",\"term\":" + c.term() + ",\"leader\":" + c.leader()
            + "}")
        .collect(Collectors.joining(",", "[", "]"));
  }

  private static String numbers(long[] values) {
    return Arrays.stream(values).mapToObj(Long::toString)
        .collect(Collectors.joining(",", "[", "]"));
  }

  private static String string(String text) {
    return "\"" + StatusView.jsonEscape(text) + "\"";
  }
}
