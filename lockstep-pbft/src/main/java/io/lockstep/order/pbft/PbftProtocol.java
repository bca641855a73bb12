package io.lockstep.order.pbft;

import io.lockstep.configuration.ReplicaSetCheck;
import io.lockstep.executor.Executor;
import io.lockstep.identity.Signer;
import io.lockstep.order.Coordination;
import io.lockstep.order.FailureModel;
import io.lockstep.order.Protocol;
import io.lockstep.order.ProtocolCodec;
import io.lockstep.order.ProtocolSetup;
import io.lockstep.order.Recovered;
import io.lockstep.order.pbft.wire.PbftCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The PBFT-class protocol (Byzantine faults, 3t+1 replicas) as the runtime finds it, registered
 * as {@code pbft}. Its settings, under {@code pbft.} in the cluster file:
 *
 * <pre>
 * max-batch               most requests in one batch (default 64); a sequence number spans
 *                         this many positions
 * checkpoint-interval     K: a signed checkpoint every K sequence numbers (default 512)
 * window                  L: sequence numbers above the stable checkpoint (default 1024)
 * request-timeout-ms      a request waiting this long starts a view change (default 500);
 *                         the floor of an adaptive time-out that follows how long requests
 *                         took lately (at most 4 times this), doubled for each view change
 *                         in a row up to 2^max-backoff-exponent times this
 * max-backoff-exponent    cap on those doublings (default 4)
 * propose-delay-ms        slow-primary bound: a held request unproposed this long is forwarded
 *                         to the primary, and after as long again the primary is replaced
 *                         (default 150); adaptive like the request time-out
 * retransmit-ms           status and retransmission period (default 50)
 * time-bound-ms           how far a proposed agreed time may be from a backup's clock (2000)
 * max-pending-requests    client requests held unordered per replica (default 10000)
 * replica-set             fixed (default): the cluster file's voters order forever; ordered:
 *                         the replica set is the executor's replicated state, changed by
 *                         ordered SetReplicas commands ({@code lockstep member}), read from
 *                         each stable checkpoint ({@link MembershipSchedule}); reads are then
 *                         ordered too (see {@link Pbft}'s read)
 * test-byzantine-behaviour.&lt;id&gt;   TEST ONLY: replica id runs a {@link ByzantineBehaviour}
 *                         by its {@link ByzantineBehaviour#configName} (e.g. wrong-replies)
 * </pre>
 *
 * <p>A data directory depends on the first three ({@link PositionSettings}): a request's
 * position, which the executor's state holds, is {@code (seq − 1) · max-batch + 1 + i}, and
 * saved checkpoints fall every K sequence numbers. So they are recorded in the hard state and
 * may never change for it: a replica whose cluster file names other values than its data
 * directory recorded refuses to start, and one whose file leaves them unset runs with the
 * recorded ones, or, for data written before they were recorded, with the defaults of the builds
 * that wrote it (max-batch 16) ({@link RecordedSettings}). Launchers write them into new cluster
 * files ({@link #pinnedSettings}).
 */
public final class PbftProtocol implements Protocol {
  private static final Map<String, String> DEFAULTS = defaults();
  /** The one setting that is not a number: whether the replica set can change. */
  static final String REPLICA_SET = "replica-set";
  /**
   * Largest t whose 2t+1 signed checkpoint votes fit the hard state ({@link DurableState}, at
   * most {@link io.lockstep.order.StorageWrite.HardState#MAX_BYTES}; a vote with an Ed25519
   * signature takes about 130 bytes: {@code PbftProtocolTest} measures it).
   */
  static final int MAX_T = 12;

  /** Called by the {@link java.util.ServiceLoader}. */
  public PbftProtocol() {}

  private static Map<String, String> defaults() {
    Map<String, String> d = new LinkedHashMap<>();
    // 64, not 16: with 32 clients a batch of 16 capped every three-phase round at 16 requests,
    // and each round costs about 27 MAC'd peer frames, an fsync and a Ready per replica; 64
    // spreads them over four times as many (docs/BENCHMARKS.md, "What still limits pbft").
    d.put("max-batch", "64");
    // K = 512 and L = 2K: four times Castro and Liskov's K. Their checkpoints digest only the
    // pages a batch changed; ours encode, hash and write the whole state (a snapshot every K
    // sequence numbers, its file written by the log thread between group commits). At K = 128
    // under 32 writing clients (~1,800 writes per checkpoint) that was over a quarter of a
    // replica's allocation, and K = 512 halved the p99 (docs/BENCHMARKS.md, "Checkpoints every
    // 512 sequence numbers"). The price: a longer journal between checkpoints, and view changes
    // that may carry up to L prepared batches.
    d.put("checkpoint-interval", "512");
    d.put("window", "1024");
    d.put("request-timeout-ms", "500");
    d.put("max-backoff-exponent", "4");
    d.put("propose-delay-ms", "150");
    d.put("retransmit-ms", "50");
    d.put("time-bound-ms", "2000");
    d.put("max-pending-requests", "10000");
    d.put(REPLICA_SET, "fixed");
    return Map.copyOf(d);
  }

  @Override
  public String name() {
    return "pbft";
  }

  @Override
  public Map<String, String> defaultSettings() {
    return new TreeMap<>(DEFAULTS);
  }

  /** The settings a data directory depends on ({@link PositionSettings}), with defaults. */
  @Override
  public Map<String, String> pinnedSettings() {
    Map<String, String> pinned = new TreeMap<>();
    for (String key : PositionSettings.KEYS) {
      pinned.put(key, DEFAULTS.get(key));
    }
    return pinned;
  }

  /** The file's settings with the unset position settings the data were made with. */
  @Override
  public ProtocolSetup withRecordedSettings(ProtocolSetup setup, Recovered recovered) {
    return setup.withSettings(RecordedSettings.resolve(setup.self(), setup.settings(),
        recovered, DEFAULTS));
  }

  @Override
  public List<String> check(ProtocolSetup setup) {
    List<String> problems = new ArrayList<>();
    if (setup.failureModel() != FailureModel.BYZANTINE) {
      problems.add("failure model " + setup.failureModel().name().toLowerCase(Locale.ROOT)
          + " is not what pbft is for: it tolerates Byzantine replicas (use raft for crashes)");
    }
    int needed = 3 * setup.t() + 1;
    if (setup.members().size() < needed) {
      problems.add("byzantine pbft with t=" + setup.t() + " needs at least " + needed
          + " replicas (3t+1: 2t+1 quorums must overlap in a correct replica while t are"
          + " faulty and t more are slow), but " + setup.members().size() + " are configured");
    }
    if (setup.t() < 1) {
      problems.add("byzantine pbft needs t of at least 1, was " + setup.t());
    }
    if (setup.t() > MAX_T) {
      problems.add("pbft keeps its stable checkpoint's 2t+1 signed votes in its hard state,"
          + " which holds at most " + io.lockstep.order.StorageWrite.HardState.MAX_BYTES
          + " bytes: t may be at most " + MAX_T + ", was " + setup.t());
    }
    problems.addAll(TestBehaviourSetting.problems(setup));
    for (String key : setup.settings().keySet()) {
      if (!DEFAULTS.containsKey(key) && !TestBehaviourSetting.isOne(key)) {
        problems.add("unknown setting pbft." + key + "; pbft's settings are pbft."
            + String.join(", pbft.", new TreeSet<>(DEFAULTS.keySet())));
      }
    }
    if (!Signer.holdsKey(setup.signer())) {
      problems.add("byzantine pbft signs checkpoints and view changes, but replica "
          + setup.self() + " has no signing key: the cluster file names no keys (run"
          + " `lockstep keys` and add them)");
    }
    List<String> values = new ArrayList<>();
    if (problems.stream().noneMatch(p -> p.contains("3t+1"))) {
      config(setup, values);
    } else {
      checkNumbers(setup, values);
    }
    problems.addAll(values);
    String replicaSet = replicaSetSetting(setup);
    if (!replicaSet.equals("fixed") && !replicaSet.equals("ordered")) {
      problems.add("pbft." + REPLICA_SET + " must be fixed or ordered, was '" + replicaSet + "'");
    }
    return problems;
  }

  private static String replicaSetSetting(ProtocolSetup setup) {
    return setup.settings().getOrDefault(REPLICA_SET, DEFAULTS.get(REPLICA_SET)).trim();
  }

  /** Whether {@code setup} lets the replica set change by ordered commands. */
  static boolean ordered(ProtocolSetup setup) {
    return replicaSetSetting(setup).equals("ordered");
  }

  /**
   * Builds the replica with the settings its data were made with
   * ({@link #withRecordedSettings}, applied here too so that every caller gets them).
   */
  @Override
  public Coordination create(ProtocolSetup given, Recovered recovered, long seed) {
    ProtocolSetup setup = withRecordedSettings(given, recovered);
    List<String> problems = check(setup);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    PbftConfig config = config(setup, new ArrayList<>());
    return ordered(setup)
        ? Pbft.recover(config, ThroughputPolicy.aardvark(), Executor::configurationIn, recovered,
            seed)
        : Pbft.recover(config, ThroughputPolicy.aardvark(), ConfigurationReader.FIXED, recovered,
            seed);
  }

  /**
   * With {@code pbft.replica-set=fixed}, a check that refuses every change; with
   * {@code ordered}, {@link ReplicaSetRule} and the distance
   * {@link MembershipSchedule#requiredDistance} (a change stated nearer could bind a replica
   * that has not yet read it from a stable checkpoint, and two correct replicas would count one
   * sequence number's certificates in different configurations).
   */
  @Override
  public Optional<ReplicaSetCheck> replicaSetCheck(ProtocolSetup setup, Set<Integer> listed) {
    List<String> problems = check(setup);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return Optional.of(ordered(setup)
        ? new PbftReplicaSetCheck(config(setup, new ArrayList<>()), listed)
        : PbftReplicaSetCheck.fixed());
  }

  @Override
  public Optional<TestBehaviour> testBehaviour(ProtocolSetup setup) {
    return TestBehaviourSetting.forSelf(setup);
  }

  @Override
  public ProtocolCodec codec() {
    return PbftCodec.INSTANCE;
  }

  /** The configuration {@code setup} asks for; bad values are added to {@code problems}. */
  private static PbftConfig config(ProtocolSetup setup, List<String> problems) {
    Map<String, Long> v = checkNumbers(setup, problems);
    if (!problems.isEmpty()) {
      return null;
    }
    try {
      return new PbftConfig(setup.self(), setup.members(), setup.t(), setup.signer(),
          v.get("max-batch").intValue(), v.get("checkpoint-interval").intValue(),
          v.get("window").intValue(), v.get("request-timeout-ms"),
          v.get("max-backoff-exponent").intValue(), v.get("propose-delay-ms"),
          v.get("retransmit-ms"), v.get("time-bound-ms"), v.get("max-pending-requests").intValue());
    } catch (IllegalArgumentException e) {
      problems.add("pbft settings do not fit together: " + e.getMessage());
      return null;
    }
  }

  /** Each setting as a number in range; bad ones are added to {@code problems}. */
  private static Map<String, Long> checkNumbers(ProtocolSetup setup, List<String> problems) {
    Map<String, Long> v = new TreeMap<>();
    for (String key : DEFAULTS.keySet()) {
      if (key.equals(REPLICA_SET)) {
        continue;
      }
      String text = setup.settings().getOrDefault(key, DEFAULTS.get(key)).trim();
      try {
        long value = Long.parseLong(text);
        if (value >= 1 && value <= Integer.MAX_VALUE) {
          v.put(key, value);
          continue;
        }
      } catch (NumberFormatException e) {
        // reported below, as a value out of range is
      }
      problems.add("pbft." + key + " must be a whole number in [1, " + Integer.MAX_VALUE
          + "], was '" + text + "'");
    }
    return v;
  }
}
