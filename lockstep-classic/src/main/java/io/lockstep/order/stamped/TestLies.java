package io.lockstep.order.stamped;

import io.lockstep.order.FailureModel;
import io.lockstep.order.MessageInterceptor;
import io.lockstep.order.Protocol;
import io.lockstep.order.ProtocolSetup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * <b>Test only</b>: the cluster-file settings that make one replica of a Byzantine classic order
 * (replica-uid or real-time under {@code cluster.failure-model=byzantine}) run one of the
 * simulator's lies in a real process, so process tests can check that the correct replicas and
 * the voting clients outvote it (P is the protocol's name):
 *
 * <pre>
 * P.test-lies=enabled                  the explicit test flag, required
 * P.test-byzantine-behaviour.ID=LIE     replica ID runs LIE (e.g. equivocate)
 * </pre>
 *
 * <p>A lie without the flag is refused with the reason, so a copied test file cannot make a
 * production replica lie by one stray line; so are an unknown lie or replica, a model other
 * than Byzantine, and more than t lying replicas (the model promises nothing beyond t). The
 * runtime says loudly that a replica lies ({@code event=test_behaviour_active} at start and
 * every minute, {@code "testBehaviour"} in its {@code /health}). The lies are the simulator's
 * own ({@code UidLie}, {@code ClockLie}), by their names in lower case with dashes.
 */
public final class TestLies {
  /** The settings' prefix under the protocol's; the replica id follows it. */
  public static final String PREFIX = "test-byzantine-behaviour.";
  /** The explicit test flag, under the protocol's prefix. */
  public static final String FLAG = "test-lies";
  /** The flag's one accepted value. */
  public static final String ENABLED = "enabled";

  private TestLies() {}

  /** The name a cluster file chooses {@code lie} by: lower case, dashes for underscores. */
  public static String configName(Enum<?> lie) {
    return lie.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  /** Each of {@code lies} by its config name, made into an interceptor by {@code make}. */
  public static <E extends Enum<E>> Map<String, Function<ProtocolSetup, MessageInterceptor>>
      byName(E[] lies, java.util.function.BiFunction<E, ProtocolSetup, MessageInterceptor> make) {
    Map<String, Function<ProtocolSetup, MessageInterceptor>> out = new LinkedHashMap<>();
    for (E lie : lies) {
      out.put(configName(lie), setup -> make.apply(lie, setup));
    }
    return out;
  }

  /** Whether {@code key} (without the protocol's prefix) is one of these settings. */
  static boolean isOne(String key) {
    return key.startsWith(PREFIX) || key.equals(FLAG);
  }

  /** {@code settings} without these ones: what the scheme's own settings check reads. */
  static Map<String, String> without(Map<String, String> settings) {
    Map<String, String> out = new LinkedHashMap<>(settings);
    out.keySet().removeIf(TestLies::isOne);
    return out;
  }

  /**
   * Every problem with {@code setup}'s test lies, as sentences.
   *
   * @param lies what this scheme's replicas can run under {@code setup}, by name (empty: none)
   */
  static List<String> problems(String protocol, ProtocolSetup setup,
      Map<String, Function<ProtocolSetup, MessageInterceptor>> lies) {
    List<String> problems = new ArrayList<>();
    String flag = setup.settings().get(FLAG);
    if (flag != null && !flag.trim().equals(ENABLED)) {
      problems.add(protocol + "." + FLAG + " is '" + flag.trim() + "'; it is a test-only switch"
          + " whose one value is " + ENABLED);
    }
    List<String> keys = setup.settings().keySet().stream().filter(k -> k.startsWith(PREFIX))
        .toList();
    if (keys.isEmpty()) {
      return problems;
    }
    if (flag == null) {
      problems.add(protocol + "." + PREFIX + "<id> makes a replica lie on purpose, for tests"
          + " only: refused unless the test flag " + protocol + "." + FLAG + "=" + ENABLED
          + " is set too");
    }
    if (setup.failureModel() != FailureModel.BYZANTINE || lies.isEmpty()) {
      problems.add(protocol + "." + PREFIX + "<id> (test only) needs"
          + " cluster.failure-model=byzantine and a scheme with Byzantine lies (replica-uid,"
          + " real-time)");
    }
    for (String key : keys) {
      String id = key.substring(PREFIX.length());
      if (!id.matches("\\d{1,9}") || !setup.members().contains(Integer.parseInt(id))) {
        problems.add(protocol + "." + key + ": '" + id + "' is not the id of a configured"
            + " replica");
      }
      String name = setup.settings().get(key).trim();
      if (!lies.isEmpty() && !lies.containsKey(name)) {
        problems.add(protocol + "." + key + " is '" + name + "'; it must be one of "
            + String.join(", ", lies.keySet()));
      }
    }
    if (keys.size() > setup.t()) {
      problems.add(keys.size() + " replicas are set to lie (" + protocol + "." + PREFIX
          + "<id>), but t=" + setup.t() + ": at most t may, or the fault model promises nothing");
    }
    return problems;
  }

  /** The lie {@code setup} sets for its own replica, if any ({@code setup} passed the check). */
  static Optional<Protocol.TestBehaviour> forSelf(ProtocolSetup setup,
      Map<String, Function<ProtocolSetup, MessageInterceptor>> lies) {
    String name = setup.settings().get(PREFIX + setup.self());
    if (name == null) {
      return Optional.empty();
    }
    Function<ProtocolSetup, MessageInterceptor> lie = lies.get(name.trim());
    if (lie == null) {
      throw new IllegalArgumentException("unknown test lie '" + name + "'");
    }
    return Optional.of(new Protocol.TestBehaviour(name.trim(), lie.apply(setup)));
  }
}
