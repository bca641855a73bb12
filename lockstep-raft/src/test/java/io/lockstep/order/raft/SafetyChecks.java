package io.lockstep.order.raft;

import io.lockstep.order.Ordered;
import io.lockstep.order.Ready;
import io.lockstep.order.Role;
import io.lockstep.order.raft.Cluster.Node;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The cluster-wide safety properties a {@link Cluster} checks after every Ready: at most one
 * leader per term (Election Safety), every position committed identically everywhere (State
 * Machine Safety, including the no-op positions that emit no {@link Ordered}), agreed time never
 * decreasing along the order, and every ReadGrant at or after everything committed before the
 * read was issued (linearizable reads). Violations throw at once, or are collected when the
 * cluster is lenient (bug tests).
 *
 * <p>Separate from the nodes and the network because these properties span all the nodes and
 * their whole history: they are judged here, never by a node. To judge them this also advances
 * each node's record of what it handed to the executor (its applied position and time, its
 * stable requests).
 */
final class SafetyChecks {
  private record Committed(long time, Request request) {
    static final Committed NO_OP = new Committed(Long.MIN_VALUE, null);
  }

  private final Map<Long, Integer> leaders = new HashMap<>();
  private final Map<Long, Committed> committed = new HashMap<>();
  private final Map<Long, Long> readFloor = new HashMap<>();
  private final List<String> violations = new ArrayList<>();
  private long maxCommitted;
  private boolean lenient;

  /** Collect safety violations instead of throwing (for the deliberately broken variants). */
  void lenient() {
    lenient = true;
  }

  List<String> violations() {
    return violations;
  }

  /** Read {@code readId} is issued now: its grant must cover everything committed so far. */
  void readIssued(long readId) {
    readFloor.put(readId, maxCommitted);
  }

  /** {@code node} handed {@code ordered} to its executor. */
  void applyStable(Node node, Ordered ordered) {
    if (ordered.position() <= node.appliedPosition) {
      violation("node " + node.id + " handed out position " + ordered.position()
          + " after " + node.appliedPosition);
    }
    if (ordered.time() < node.appliedTime) {
      violation("node " + node.id + " agreed time went back at " + ordered.position());
    }
    observeCommitted(node, ordered.position() - 1);
    record(node, ordered.position(), new Committed(ordered.time(), ordered.request()));
    node.appliedPosition = ordered.position();
    node.appliedTime = ordered.time();
    node.stable.add(ordered);
  }

  /** Positions up to {@code upTo} not handed out as stable were committed no-ops. */
  void observeCommitted(Node node, long upTo) {
    for (long p = node.appliedPosition + 1; p <= upTo; p++) {
      record(node, p, Committed.NO_OP);
    }
    node.appliedPosition = Math.max(node.appliedPosition, upTo);
  }

  private void record(Node node, long position, Committed value) {
    Committed first = committed.putIfAbsent(position, value);
    if (first != null && !(Objects.equals(first.request(), value.request())
        && first.time() == value.time())) {
      violation("position " + position + " committed as " + describe(first) + " earlier but as "
          + describe(value) + " at node " + node.id);
    }
    maxCommitted = Math.max(maxCommitted, position);
  }

  private static String describe(Committed c) {
    return c.request() == null ? "a no-op" : c.request() + "@" + c.time();
  }

  void observeLeader(Node node) {
    io.lockstep.order.Status status = node.raft.status();
    if (status.role() == Role.LEADER) {
      Integer first = leaders.putIfAbsent(status.term(), node.id);
      if (first != null && first != node.id) {
        violation("two leaders in term " + status.term() + ": " + first + " and " + node.id);
      }
    }
  }

  void checkRead(Node node, Ready.ReadGrant grant) {
    Long floor = readFloor.get(grant.readId());
    if (floor == null) {
      violation("node " + node.id + " granted unknown read " + grant.readId());
    } else if (grant.position() < floor) {
      violation("read " + grant.readId() + " at node " + node.id + " granted at position "
          + grant.position() + " but " + floor + " was committed before it was issued");
    }
  }

  private void violation(String message) {
    violations.add(message);
    if (!lenient) {
      throw new AssertionError(message);
    }
  }
}
