package io.lockstep.order;

import io.lockstep.identity.Signer;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link Protocol} needs to know to run one replica: who it is, who the others are, what
 * faults to tolerate, and its own settings.
 *
 * @param self this replica's id
 * @param members every replica's id, in increasing order
 * @param failureModel the failure model the cluster is configured for
 * @param t the number of faulty replicas to tolerate
 * @param settings the protocol's own settings, keys without the {@code <protocol>.} prefix;
 *     missing keys take the protocol's defaults
 * @param signer signs as this replica and verifies the others ({@link Signer#none} when the
 *     cluster has no keys; protocols that need signatures refuse to run without them)
 */
public record ProtocolSetup(int self, List<Integer> members, FailureModel failureModel, int t,
    Map<String, String> settings, Signer signer) {
  public ProtocolSetup {
    members = List.copyOf(members);
    Objects.requireNonNull(failureModel, "failureModel");
    settings = Map.copyOf(settings);
    Objects.requireNonNull(signer, "signer");
    if (t < 0) {
      throw new IllegalArgumentException("t must not be negative, was " + t);
    }
  }

  /** A setup without keys (crash-fault protocols need none). */
  public ProtocolSetup(int self, List<Integer> members, FailureModel failureModel, int t,
      Map<String, String> settings) {
    this(self, members, failureModel, t, settings, Signer.none(self));
  }
}
