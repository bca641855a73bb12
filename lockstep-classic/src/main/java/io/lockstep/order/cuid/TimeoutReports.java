package io.lockstep.order.cuid;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * NF for the Byzantine replica-uid order (paper §3.2.3): a replica that timed out waiting for
 * sm_j's candidate disseminates "sm_j timeout", and NF excludes sm_j once that many distinct
 * replicas reported it (t+1: one of them is correct, so sm_j really failed to send in time; t
 * faulty replicas alone cannot exclude a correct one). Reports travel by signed agreement, so
 * every correct replica counts the same reports in the same order and agrees on NF.
 */
final class TimeoutReports {
  private final List<Integer> members;
  private final int needed;
  private final Map<Integer, Set<Integer>> reporters = new HashMap<>();
  private final Set<Integer> excluded = new TreeSet<>();

  TimeoutReports(List<Integer> members, int needed) {
    this.members = List.copyOf(members);
    this.needed = needed;
  }

  /**
   * {@code reporter} reported {@code accused} timed out.
   *
   * @return null if counted, else why the report is ignored
   */
  String report(int reporter, int accused) {
    if (excluded.contains(reporter)) {
      return "replica " + reporter + " is excluded; its reports do not count";
    }
    if (!members.contains(accused) || accused == reporter) {
      return "replica " + reporter + " reported " + accused + ", not another member";
    }
    Set<Integer> by = reporters.computeIfAbsent(accused, a -> new HashSet<>());
    if (by.add(reporter) && by.size() >= needed) {
      excluded.add(accused);
    }
    return null;
  }

  /** Whether {@code replica} is out of NF. */
  boolean excluded(int replica) {
    return excluded.contains(replica);
  }

  /** NF: the members not excluded, in member order. */
  List<Integer> nf() {
    return members.stream().filter(m -> !excluded.contains(m)).toList();
  }

  /** The excluded replicas. */
  Set<Integer> excludedReplicas() {
    return Set.copyOf(excluded);
  }
}
