package io.lockstep.sim;

import io.lockstep.order.FailureModel;
import io.lockstep.order.MessageInterceptor;
import io.lockstep.order.ProtocolSetup;
import io.lockstep.order.Protocols;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntUnaryOperator;

/**
 * One protocol as the simulator runs it by name ({@link SimProtocols}, {@code lockstep sim
 * --protocol}): the failure model it runs under, the run conditions it assumes for a replica
 * count, and what each seed runs (its factory, and the replicas that lie, which a Byzantine
 * protocol's seed chooses).
 *
 * <p>A replica count is checked by the registered protocol's own {@code check} with the settings
 * that describe the simulated cluster, so a count that a cluster file of that protocol could
 * not have is refused here with the same reason.
 */
public final class SimProtocol {
  /**
   * What one seed runs.
   *
   * @param factory builds each replica's protocol
   * @param liars the replicas that lie, each sending through its interceptor (empty: none)
   */
  public record Seeded(CoordinationFactory factory, Map<Integer, MessageInterceptor> liars) {
    public Seeded {
      Objects.requireNonNull(factory, "factory");
      liars = Map.copyOf(liars);
    }

    /** Runs seed {@code seed} under {@code options}. */
    public SimResult run(SimOptions options, long seed) {
      return Simulation.run(options, seed, factory, liars);
    }
  }

  /** Builds what one seed runs. */
  @FunctionalInterface
  interface Seeding {
    Seeded of(SimOptions options, long seed);
  }

  /** The run conditions (cluster, faults, clocks, network) for n replicas of which t fail. */
  @FunctionalInterface
  interface Conditions {
    SimOptions of(int replicas, int t);
  }

  private final String registered;
  private final Map<String, String> settings;
  private final FailureModel failureModel;
  private final int defaultReplicas;
  private final IntUnaryOperator faultyOf;
  private final Conditions conditions;
  private final Seeding seeding;

  /**
   * @param registered the protocol's registered name, whose {@code check} judges a replica
   *     count; null for a factory of a test, which nothing registered describes
   * @param settings the settings (keys without the prefix) that describe the simulated cluster
   * @param failureModel what the run's faults are
   * @param defaultReplicas the replica count when none is asked for
   * @param faultyOf t for a replica count
   * @param conditions the options for a replica count and its t
   * @param seeding what a seed runs
   */
  SimProtocol(String registered, Map<String, String> settings, FailureModel failureModel,
      int defaultReplicas, IntUnaryOperator faultyOf, Conditions conditions, Seeding seeding) {
    this.registered = registered;
    this.settings = Map.copyOf(settings);
    this.failureModel = Objects.requireNonNull(failureModel, "failureModel");
    this.defaultReplicas = defaultReplicas;
    this.faultyOf = faultyOf;
    this.conditions = conditions;
    this.seeding = seeding;
  }

  /** The failure model of its runs. */
  public FailureModel failureModel() {
    return failureModel;
  }

  /** The replica count when none is asked for (enough for t = 1). */
  public int defaultReplicas() {
    return defaultReplicas;
  }

  /**
   * The run conditions for {@code replicas} replicas.
   *
   * @throws IllegalArgumentException with the protocol's reasons, if it cannot run that many
   */
  public SimOptions options(int replicas) {
    List<String> problems = problems(replicas);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return conditions.of(replicas, faultyOf.applyAsInt(replicas));
  }

  /** What seed {@code seed} runs under {@code options} (from {@link #options}). */
  public Seeded seeded(SimOptions options, long seed) {
    return seeding.of(options, seed);
  }

  /** The registered protocol whose check judges it, or null. */
  String registered() {
    return registered;
  }

  /** The settings that describe the simulated cluster to that check. */
  Map<String, String> settings() {
    return settings;
  }

  /** Why {@code replicas} replicas cannot run this protocol, a sentence each; empty if they can. */
  List<String> problems(int replicas) {
    if (replicas < 1) {
      return List.of("replicas must be at least 1, was " + replicas);
    }
    if (registered == null) {
      return List.of();
    }
    return check(registered, settings, failureModel, replicas, faultyOf.applyAsInt(replicas));
  }

  /** What the registered protocol {@code name}'s own check says of such a cluster. */
  static List<String> check(String name, Map<String, String> settings, FailureModel model,
      int replicas, int t) {
    List<Integer> members = ByzantineRuns.members(replicas);
    // A MAC key for replica 0: a Byzantine protocol's check asks only whether it can sign.
    ProtocolSetup setup = new ProtocolSetup(0, members, model, t, settings,
        MacSigners.of(members, 0).get(0));
    return Protocols.named(name).check(setup);
  }
}
