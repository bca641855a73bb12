package io.lockstep.server.config;

import io.lockstep.order.Coordination;
import io.lockstep.order.FailureModel;
import io.lockstep.order.Protocol;
import io.lockstep.order.ProtocolCodec;
import io.lockstep.order.ProtocolSetup;
import io.lockstep.order.Recovered;
import java.util.List;
import java.util.Map;

/**
 * A protocol registered only on the server's test class path whose {@link #check} accepts the
 * Byzantine model with 3t+1 replicas, so the cluster file's loader can be shown to leave that
 * decision to the named protocol. It cannot run: building it is refused with the reason.
 */
public final class ByzantineCheckOnlyProtocol implements Protocol {
  /** Its registered name. */
  public static final String NAME = "byzantine-check-only";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<String> check(ProtocolSetup setup) {
    int needed = setup.failureModel() == FailureModel.BYZANTINE ? 3 * setup.t() + 1
        : 2 * setup.t() + 1;
    return setup.members().size() >= needed ? List.of()
        : List.of(NAME + " needs at least " + needed + " replicas");
  }

  @Override
  public Map<String, String> defaultSettings() {
    return Map.of();
  }

  @Override
  public Coordination create(ProtocolSetup setup, Recovered recovered, long seed) {
    throw new IllegalArgumentException(NAME + " only checks configurations (a test fixture)");
  }

  @Override
  public ProtocolCodec codec() {
    throw new UnsupportedOperationException(NAME + " has no messages (a test fixture)");
  }
}
