package io.lockstep.sim;

import io.lockstep.order.FailureModel;
import io.lockstep.order.clocks.ClockLie;
import io.lockstep.order.clocks.RealTimeClock;
import io.lockstep.order.cuid.UidChoice;
import io.lockstep.order.cuid.UidLie;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The protocols the simulator runs by name ({@code lockstep sim --protocol NAME
 * --failure-model MODEL}), named as a cluster file names them ({@code cluster.protocol},
 * {@code cluster.failure-model}); a variant adds its setting's value to the name.
 *
 * <ul>
 *   <li>{@code raft}, {@code raft-serial} (the leader appends only after its own fsync):
 *       fail-stop, 2t+1 replicas, every kind of fault ({@link SimOptions#defaults()}).
 *   <li>{@code pbft}: Byzantine, 3t+1 replicas, one of them lying as the seed picks
 *       ({@link PbftSimulation#runMixed}).
 *   <li>{@code logical-clock}, {@code real-time}, {@code replica-uid} and
 *       {@code replica-uid-abcast} ({@code replica-uid.variant=abcast}), the paper's schemes
 *       (§3.2): fail-stop with t+1 replicas under {@link ClassicSchemes#options}.
 *   <li>{@code real-time} and {@code replica-uid} under Byzantine faults: 2t+1 replicas, t of
 *       them lying as the seed picks among every lie the order has ({@link ClockLie},
 *       {@link UidLie}).
 * </ul>
 *
 * <p>Every default replica count tolerates one fault (t = 1). A combination the simulator does
 * not run (logical-clock or ABCAST under Byzantine faults, raft under Byzantine, pbft under
 * fail-stop) is refused with the registered protocol's own reason.
 */
public final class SimProtocols {
  private SimProtocols() {}

  /**
   * The one-way delay bound the schemes' checks are given: the simulated network's delay is
   * 3 ms plus an exponential tail of mean 0.8 ms, above 10 ms about once in 6,000 messages.
   * (Their other timing defaults are the simulated cluster's: clocks within 2 ms, delays of at
   * least 3 ms, Δ = 150 ms.)
   */
  private static final String MAX_DELAY_MS = "10";

  private static final Map<String, String> STAMPED = Map.of("max-delay-ms", MAX_DELAY_MS);
  private static final Map<String, String> ROUNDS = Map.of("max-delay-ms", MAX_DELAY_MS,
      "round-ms", Long.toString(ByzantineUidSimulation.ROUND_MILLIS));

  /**
   * Byzantine replicas sign with Ed25519, as a cluster's do and as the command line's pbft
   * does, so the production signer stays in every run the command line makes.
   */
  private static final boolean ED25519 = true;

  /** A name's runs by failure model, and the model it runs under unless asked otherwise. */
  private record Entry(FailureModel own, Map<FailureModel, SimProtocol> variants) {}

  private static final Map<String, Entry> ENTRIES = entries();

  private static Map<String, Entry> entries() {
    Map<String, Entry> entries = new LinkedHashMap<>();
    entries.put("raft", failStopOnly(crashTolerant("raft", Simulation::raft)));
    entries.put("raft-serial", failStopOnly(crashTolerant("raft", Simulation::raftSerialAppend)));
    entries.put("pbft", new Entry(FailureModel.BYZANTINE,
        Map.of(FailureModel.BYZANTINE, pbft())));
    entries.put("logical-clock", failStopOnly(classic("logical-clock", STAMPED,
        ClassicSchemes::logicalClock)));
    entries.put("real-time", both(
        classic("real-time", STAMPED, () -> ClassicSchemes.realTime(RealTimeClock.Test.COMBINED)),
        byzantine("real-time", (options, seed) -> ByzantineClockSimulation.seeded(options, seed,
            c -> c, ED25519, false, ClockLie.values()))));
    entries.put("replica-uid", both(
        classic("replica-uid", STAMPED, () -> ClassicSchemes.replicaUid(true)),
        byzantine("replica-uid", (options, seed) -> ByzantineUidSimulation.seeded(options, seed,
            c -> c, ED25519, false, UidLie.values()))));
    Map<String, String> abcast = new LinkedHashMap<>(STAMPED);
    abcast.put("variant", UidChoice.ABCAST.setting());
    entries.put("replica-uid-" + UidChoice.ABCAST.setting(), failStopOnly(classic("replica-uid",
        abcast, () -> ClassicSchemes.replicaUid(true, UidChoice.ABCAST))));
    return entries;
  }

  /** Every name, in the order above. */
  public static List<String> names() {
    return List.copyOf(ENTRIES.keySet());
  }

  /**
   * The protocol {@code name} under {@code model}, or, with {@code model} null, under its own
   * (Byzantine for pbft, fail-stop for the others).
   *
   * @throws IllegalArgumentException for an unknown name, or with the protocol's reason for a
   *     failure model it does not tolerate
   */
  public static SimProtocol named(String name, FailureModel model) {
    Entry entry = ENTRIES.get(name);
    if (entry == null) {
      throw new IllegalArgumentException("unknown protocol '" + name
          + "': the simulator supports " + String.join(", ", names()));
    }
    FailureModel chosen = model == null ? entry.own() : model;
    SimProtocol protocol = entry.variants().get(chosen);
    if (protocol != null) {
      return protocol;
    }
    // Asked of a cluster big enough for any protocol to tolerate one fault (3t+1 with t = 1),
    // the protocol's check has only the failure model left to object to.
    SimProtocol own = entry.variants().get(entry.own());
    List<String> why = SimProtocol.check(own.registered(), own.settings(), chosen, 4, 1);
    String runs = String.join(", ", ENTRIES.keySet().stream()
        .filter(n -> ENTRIES.get(n).variants().containsKey(chosen)).toList());
    throw new IllegalArgumentException((why.isEmpty()
        ? "the simulator runs " + name + " under " + entry.own().configName() + " faults only"
        : String.join("; ", why)) + " (under " + chosen.configName() + " faults the simulator runs "
        + runs + ")");
  }

  /**
   * A factory run as raft is: fail-stop, 2t+1 replicas (3 by default), every kind of fault,
   * and no protocol's check on the replica count beyond the simulator's own (for a test's
   * deliberately broken factory).
   */
  public static SimProtocol crashTolerant(CoordinationFactory factory) {
    return crashTolerant(null, () -> factory);
  }

  private static SimProtocol crashTolerant(String registered,
      Supplier<CoordinationFactory> factory) {
    return new SimProtocol(registered, Map.of(), FailureModel.FAIL_STOP, 3, n -> (n - 1) / 2,
        (n, t) -> SimOptions.defaults().withReplicasAndT(n, t),
        (options, seed) -> new SimProtocol.Seeded(factory.get(), Map.of()));
  }

  private static SimProtocol pbft() {
    return new SimProtocol("pbft", Map.of(), FailureModel.BYZANTINE, 4, n -> (n - 1) / 3,
        (n, t) -> PbftSimulation.options().withReplicasAndT(n, t),
        (options, seed) -> PbftSimulation.mixed(options, seed, PbftSimulation.factory()));
  }

  /** A paper's scheme under fail-stop: t+1 replicas (2 by default), t = n - 1. */
  private static SimProtocol classic(String registered, Map<String, String> settings,
      Supplier<CoordinationFactory> factory) {
    return new SimProtocol(registered, settings, FailureModel.FAIL_STOP, 2, n -> n - 1,
        (n, t) -> ClassicSchemes.options(t),
        (options, seed) -> new SimProtocol.Seeded(factory.get(), Map.of()));
  }

  /** A paper's scheme under Byzantine faults: 2t+1 replicas (3 by default), t of them lying. */
  private static SimProtocol byzantine(String registered, SimProtocol.Seeding seeding) {
    return new SimProtocol(registered, ROUNDS, FailureModel.BYZANTINE, 3, n -> (n - 1) / 2,
        (n, t) -> ByzantineUidSimulation.options(t).withReplicasAndT(n, t), seeding);
  }

  private static Entry failStopOnly(SimProtocol protocol) {
    return new Entry(FailureModel.FAIL_STOP, Map.of(FailureModel.FAIL_STOP, protocol));
  }

  private static Entry both(SimProtocol failStop, SimProtocol byzantine) {
    Map<FailureModel, SimProtocol> variants = new EnumMap<>(FailureModel.class);
    variants.put(FailureModel.FAIL_STOP, failStop);
    variants.put(FailureModel.BYZANTINE, byzantine);
    return new Entry(FailureModel.FAIL_STOP, variants);
  }
}
