package io.lockstep.order.stamped;

import io.lockstep.order.Coordination;
import io.lockstep.order.MessageInterceptor;
import io.lockstep.order.Protocol;
import io.lockstep.order.ProtocolSetup;
import io.lockstep.order.Recovered;
import io.lockstep.order.TimingAssumptions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What the tutorial's three uid schemes share as {@link Protocol}s: their settings (the shared
 * ones plus each scheme's own), a start that refuses a replica that ran before unless the scheme
 * rejoins it ({@link #rejoins}), every replica ordering what its own clients hand it, and the timing they assume. A
 * scheme states its own checks ({@link #check}) and builds its order engine ({@link #order}).
 */
public abstract class StampedProtocol implements Protocol {
  private final String name;
  private final Map<String, String> defaults;
  private final String skewKey;

  /**
   * @param ownDefaults the scheme's own settings with their defaults (the shared ones are added)
   * @param skewKey the setting that bounds clock skew, or null if the scheme assumes none
   */
  protected StampedProtocol(String name, Map<String, String> ownDefaults, String skewKey) {
    this.name = name;
    Map<String, String> all = new LinkedHashMap<>(ownDefaults);
    all.putAll(Settings.sharedDefaults());
    this.defaults = Map.copyOf(all);
    this.skewKey = skewKey;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final Map<String, String> defaultSettings() {
    return defaults;
  }

  /**
   * {@code setup}'s settings for this scheme, with its defaults; problems with its test-only lies
   * ({@link TestLies}) are among the settings' problems, so every scheme's check refuses them.
   */
  protected final Settings settings(ProtocolSetup setup) {
    Settings s = new Settings(name, TestLies.without(setup.settings()), defaults);
    TestLies.problems(name, setup, testLies(setup)).forEach(s::problem);
    return s;
  }

  /**
   * <b>Test only</b>: the lies a replica of this scheme can run under {@code setup}, by config
   * name ({@link TestLies}); default none.
   */
  protected Map<String, Function<ProtocolSetup, MessageInterceptor>> testLies(
      ProtocolSetup setup) {
    return Map.of();
  }

  @Override
  public final Optional<TestBehaviour> testBehaviour(ProtocolSetup setup) {
    return TestLies.forSelf(setup, testLies(setup));
  }

  @Override
  public final Coordination create(ProtocolSetup setup, Recovered recovered, long seed) {
    Settings.refuse(check(setup));
    if (!rejoins(setup)) {
      Settings.refuseRestart(name, setup.self(), recovered);
      if (Settings.empty(recovered) && settings(setup).clusterStarted()) {
        throw new IllegalArgumentException("replica " + setup.self() + " has an empty data"
            + " directory and " + name + ".cluster-started is true, so it would have to join a"
            + " running order, and " + name + " cannot take a replica in (integration, paper"
            + " §7.2, is not built for it); the surviving replicas go on without it. Nothing was"
            + " changed on disk.");
      }
    }
    return order(settings(setup), setup, recovered);
  }

  /**
   * Whether a replica that ran before may start again and rejoin by the integration protocol of
   * paper §7.2; if not, {@link #create} refuses storage that shows it ran before. Default: no.
   */
  protected boolean rejoins() {
    return false;
  }

  /**
   * As {@link #rejoins()}, for a scheme whose variants differ in it (replica-uid rejoins under
   * fail-stop with every replica choosing the uid, and not otherwise). Default: {@link
   * #rejoins()}.
   */
  protected boolean rejoins(ProtocolSetup setup) {
    return rejoins();
  }

  /** The scheme's order engine for {@code setup}, whose settings passed {@link #check}. */
  protected abstract Coordination order(Settings settings, ProtocolSetup setup,
      Recovered recovered);

  @Override
  public final boolean everyReplicaOrders() {
    return true; // each replica stamps and broadcasts what its clients hand it
  }

  @Override
  public final Optional<TimingAssumptions> timingAssumptions(ProtocolSetup setup) {
    return Optional.of(settings(setup).timing(skewKey(setup)));
  }

  /**
   * The setting that bounds clock skew under {@code setup}, or null if the scheme assumes none
   * there (a scheme whose Byzantine variant needs synchronized clocks says so here).
   */
  protected String skewKey(ProtocolSetup setup) {
    return skewKey;
  }
}
