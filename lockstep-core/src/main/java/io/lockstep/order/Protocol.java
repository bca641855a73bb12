package io.lockstep.order;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A coordination protocol as the runtime sees it: a name, a way to check and build a
 * {@link Coordination} for one replica, and the codec of its messages. The runtime (server,
 * storage, network, command line) knows protocols only through this interface and
 * {@link Protocols}, so adding one is a new module that implements it and registers it (see
 * {@link Protocols} for how).
 *
 * <p>What the runtime keeps for a protocol is opaque to it: messages are bytes made by
 * {@link #codec()}, durable protocol state is {@link StorageWrite.HardState}'s bytes, and the
 * protocol's settings are the cluster file's keys under {@code <name>.} (e.g.
 * {@code raft.election-timeout-ms}), handed over as text.
 */
public interface Protocol {
  /** The name the cluster file selects it by ({@code cluster.protocol}), e.g. {@code raft}. */
  String name();

  /**
   * Every problem that keeps this protocol from running {@code setup} (replica count for the
   * failure model and t, unknown or invalid settings), each a sentence an operator can act on;
   * empty if it can run. Keys of {@code setup.settings()} are given without the protocol's
   * prefix.
   */
  List<String> check(ProtocolSetup setup);

  /**
   * The protocol's settings with their defaults (keys without the prefix), for documentation
   * and for launchers that write a complete cluster file.
   */
  Map<String, String> defaultSettings();

  /**
   * The settings a replica's stored data depend on, with their defaults (keys without the
   * prefix): a launcher that writes a new cluster file writes these explicitly, so that a later
   * build with other defaults cannot silently apply them to an existing cluster. Default: none.
   */
  default Map<String, String> pinnedSettings() {
    return Map.of();
  }

  /**
   * The setup replica {@code setup.self()} runs with, given what its storage recorded: a
   * protocol whose stored data depend on some settings ({@link #pinnedSettings}) fills in those
   * the cluster file leaves unset with the values the data were made with. The runtime calls
   * it before {@link #replicaSetCheck} and {@link #create}, so both see the same values.
   * Default: {@code setup} unchanged.
   *
   * @throws IllegalArgumentException if the file sets one of them to another value than the
   *     data were made with (the message names both, and what to put in the file)
   */
  default ProtocolSetup withRecordedSettings(ProtocolSetup setup, Recovered recovered) {
    return setup;
  }

  /**
   * Builds replica {@code setup.self()}'s protocol core from what its storage held.
   *
   * @param seed the seed of the core's only randomness (e.g. election time-outs)
   * @throws IllegalArgumentException if {@code setup} fails {@link #check} or {@code recovered}
   *     is inconsistent (the message says what is wrong; the replica must not start)
   */
  Coordination create(ProtocolSetup setup, Recovered recovered, long seed);

  /** The binary form of this protocol's messages on the peer port. */
  ProtocolCodec codec();

  /**
   * Whether every replica orders the requests handed to it, with no leader to send them to
   * (the paper's own schemes: each replica stamps and broadcasts what its clients give it). The
   * runtime then hands every request to the protocol instead of redirecting it. Default: no,
   * only the leader orders.
   */
  default boolean everyReplicaOrders() {
    return false;
  }

  /**
   * The message delay and clock skew bounds {@code setup} configures and this protocol's order
   * is only correct under, for the runtime to watch (it measures delays and clock differences
   * between replicas and reports every breach); empty for a protocol whose safety assumes no
   * timing. {@code setup} has passed {@link #check}.
   */
  default Optional<TimingAssumptions> timingAssumptions(ProtocolSetup setup) {
    return Optional.empty();
  }

  /**
   * Whether this protocol may apply requests that {@link ProtocolSetup#commuting()} declares
   * commuting before its order rule reaches them (paper §3, S12). Replicas then apply such
   * requests in different orders between the same positions, so the runtime must not compare
   * their state digests at equal positions: those legitimately differ. Default: no, every
   * replica applies the same request at each position (the declaration is ignored).
   * {@code setup} has passed {@link #check}.
   */
  default boolean appliesCommutingEarly(ProtocolSetup setup) {
    return false;
  }

  /**
   * The rule the executor applies where a replica-set change ({@code SetReplicas}) is ordered,
   * for a protocol that reads its replica set from the executor's replicated state (PBFT with
   * ordered membership changes): which sets it can run, and how far ahead a change must be
   * stated so that every correct replica learns of it before it binds them. Empty when the
   * protocol's replica set is fixed or its own (Raft's membership entries): the executor then
   * applies no rule beyond its own. {@code setup} has passed {@link #check}.
   *
   * @param listed every replica the cluster file lists, spares included: only they have keys
   *     and addresses, so only they may join
   */
  default Optional<io.lockstep.configuration.ReplicaSetCheck> replicaSetCheck(ProtocolSetup setup,
      java.util.Set<Integer> listed) {
    return Optional.empty();
  }

  /**
   * <b>Test only</b>: the misbehaviour {@code setup}'s settings ask replica {@code setup.self()}
   * to run, so process tests can run a lying replica in real processes (a Byzantine protocol's
   * own fault shapes: equivocation, corrupt signatures, replays, wrong replies); empty for an
   * honest replica. The runtime passes everything the replica sends, and its answers to
   * clients, through the interceptor, and says loudly that it does. {@code setup} has passed
   * {@link #check}, which refuses unknown behaviours. Default: never misbehaves.
   */
  default Optional<TestBehaviour> testBehaviour(ProtocolSetup setup) {
    return Optional.empty();
  }

  /**
   * A misbehaviour a replica runs for a test ({@link #testBehaviour}).
   *
   * @param name the name the cluster file chose it by, for logs and health reports
   * @param interceptor what the replica sends and answers instead of the truth
   */
  record TestBehaviour(String name, MessageInterceptor interceptor) {
    public TestBehaviour {
      java.util.Objects.requireNonNull(name, "name");
      java.util.Objects.requireNonNull(interceptor, "interceptor");
    }
  }
}
