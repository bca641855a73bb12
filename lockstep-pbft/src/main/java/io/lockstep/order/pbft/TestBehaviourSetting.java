package io.lockstep.order.pbft;

import io.lockstep.order.FailureModel;
import io.lockstep.order.Protocol;
import io.lockstep.order.ProtocolSetup;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The test-only setting {@code pbft.test-byzantine-behaviour.<id>=<behaviour>}: replica
 * {@code id} runs one of the {@link ByzantineBehaviour}s in a real process, so process tests can
 * check that the other replicas and the voting clients outvote a lying replica. It is a pbft
 * setting rather than a runtime key because the behaviours are pbft's (they rewrite its
 * messages); the runtime only carries out what {@link Protocol#testBehaviour} hands it.
 *
 * <p>Refused unless the failure model is Byzantine, and for more than t replicas: the model
 * promises nothing beyond t faulty replicas, so such a file is a mistake, not a test.
 */
final class TestBehaviourSetting {
  /** The settings' prefix under {@code pbft.}; the replica id follows it. */
  static final String PREFIX = "test-byzantine-behaviour.";

  private TestBehaviourSetting() {}

  /** Whether {@code key} (without {@code pbft.}) is one of these settings. */
  static boolean isOne(String key) {
    return key.startsWith(PREFIX);
  }

  /** Every problem with {@code setup}'s test behaviour settings, as sentences. */
  static List<String> problems(ProtocolSetup setup) {
    List<String> problems = new ArrayList<>();
    int misbehaving = 0;
    for (var entry : setup.settings().entrySet()) {
      if (!isOne(entry.getKey())) {
        continue;
      }
      misbehaving++;
      String key = "pbft." + entry.getKey();
      String id = entry.getKey().substring(PREFIX.length());
      if (!id.matches("\\d{1,9}") || !setup.members().contains(Integer.parseInt(id))) {
        problems.add(key + ": '" + id + "' is not the id of a configured replica");
      }
      String name = entry.getValue().trim();
      Optional<ByzantineBehaviour> behaviour = named(name);
      if (behaviour.isEmpty()) {
        problems.add(key + " is '" + name + "'; it must be one of " + String.join(", ",
            Arrays.stream(ByzantineBehaviour.values()).map(ByzantineBehaviour::configName)
                .toList()));
      } else if (behaviour.get().simulatorOnly() != null) {
        problems.add(key + "=" + name + " runs only in the simulator: "
            + behaviour.get().simulatorOnly());
      }
    }
    if (misbehaving > 0 && setup.failureModel() != FailureModel.BYZANTINE) {
      problems.add("pbft." + PREFIX + "<id> (test only) needs cluster.failure-model=byzantine");
    }
    if (misbehaving > setup.t()) {
      problems.add(misbehaving + " replicas are set to misbehave (pbft." + PREFIX + "<id>), but"
          + " t=" + setup.t() + ": at most t may, or the fault model promises nothing");
    }
    return problems;
  }

  /** The behaviour {@code setup} sets for its own replica, if any ({@code setup} is checked). */
  static Optional<Protocol.TestBehaviour> forSelf(ProtocolSetup setup) {
    String name = setup.settings().get(PREFIX + setup.self());
    if (name == null) {
      return Optional.empty();
    }
    ByzantineBehaviour behaviour = named(name.trim()).orElseThrow(() ->
        new IllegalArgumentException("unknown test behaviour '" + name + "'"));
    return Optional.of(new Protocol.TestBehaviour(behaviour.configName(),
        behaviour.interceptor(setup.signer())));
  }

  private static Optional<ByzantineBehaviour> named(String name) {
    return Arrays.stream(ByzantineBehaviour.values())
        .filter(b -> b.configName().equals(name)).findFirst();
  }
}
