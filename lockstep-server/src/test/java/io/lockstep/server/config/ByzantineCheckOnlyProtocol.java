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
 * decision to the named protocol. It cannot run: building it is refused with the reason, which
 * also says whether the runtime handed it the settings its storage recorded
 * ({@link #withRecordedSettings} marks them with {@link #RECORDED}), as it must before the
 * replica-set check and the build; the replica-set check refuses a setup without them.
 */
public final class ByzantineCheckOnlyProtocol implements Protocol {
  /** Its registered name. */
  public static final String NAME = "byzantine-check-only";
  /** The setting {@link #withRecordedSettings} adds, as a protocol fills in recorded ones. */
  public static final String RECORDED = "recorded-by-storage";

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
  public ProtocolSetup withRecordedSettings(ProtocolSetup setup, Recovered recovered) {
    Map<String, String> settings = new java.util.HashMap<>(setup.settings());
    settings.put(RECORDED, "yes");
    return setup.withSettings(settings);
  }

  @Override
  public java.util.Optional<io.lockstep.configuration.ReplicaSetCheck> replicaSetCheck(
      ProtocolSetup setup, java.util.Set<Integer> listed) {
    if (!setup.settings().containsKey(RECORDED)) {
      throw new IllegalArgumentException(NAME + "'s replica-set check was given the file's"
          + " settings without those its storage recorded");
    }
    return java.util.Optional.empty();
  }

  @Override
  public Coordination create(ProtocolSetup setup, Recovered recovered, long seed) {
    throw new IllegalArgumentException(NAME + " only checks configurations (a test fixture);"
        + (setup.settings().containsKey(RECORDED) ? " given" : " not given")
        + " the settings its storage recorded");
  }

  @Override
  public ProtocolCodec codec() {
    throw new UnsupportedOperationException(NAME + " has no messages (a test fixture)");
  }
}
