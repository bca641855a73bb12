package io.lockstep.order.cuid;

import io.lockstep.identity.Signer;
import io.lockstep.order.Coordination;
import io.lockstep.order.FailureModel;
import io.lockstep.order.MessageInterceptor;
import io.lockstep.order.ProtocolCodec;
import io.lockstep.order.ProtocolSetup;
import io.lockstep.order.Recovered;
import io.lockstep.order.stamped.Settings;
import io.lockstep.order.stamped.StampedProtocol;
import io.lockstep.order.stamped.TestLies;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Order by replica-generated identifiers (paper §3.2.3) as the runtime finds it, registered as
 * {@code replica-uid}. Its settings, under {@code replica-uid.} in the cluster file:
 *
 * <pre>
 * variant              every-replica (the paper's fail-stop protocol: every replica broadcasts
 *                      its candidate and takes the largest) or abcast (candidates go to the
 *                      request's coordinator, which broadcasts the largest) (default
 *                      every-replica)
 * null-interval-ms     an idle replica broadcasts a null message this often (default 20)
 * max-delay-ms         assumed bound on a message's one-way delay (default 100)
 * failure-timeout-ms   silence after which a replica is detected failed; must exceed
 *                      null-interval-ms + max-delay-ms (default 300)
 * start-timeout-ms     how long a replica nobody has heard from yet may take to start before
 *                      it is detected failed; at least failure-timeout-ms (default 3000)
 * resend-ms            unacknowledged broadcasts are retransmitted this often (default 50)
 * max-pending          requests being ordered before proposals are refused as busy
 *                      (default 10000)
 * cluster-started      true once the cluster has run: a replica with an empty data
 *                      directory then rejoins like a restarted one (under fail-stop, either
 *                      variant; refused under Byzantine faults) (default false)
 * round-ms             Byzantine only: the length of one signed-agreement round; must exceed
 *                      max-delay-ms + 2 × clock-skew-ms (default 120)
 * clock-skew-ms        Byzantine only: the bound on the difference between two replicas'
 *                      clocks (default 2)
 * </pre>
 *
 * <p>Assumptions (refused by {@link #check} when they cannot hold). Fail-stop: t+1 replicas,
 * and delays bounded well enough for timeouts to detect failures. Byzantine
 * ({@code cluster.failure-model=byzantine}, {@link ByzantineCandidateOrder}): 2t+1 replicas,
 * a signing key each, synchronized clocks within clock-skew-ms and delays within max-delay-ms
 * (the rounds of signed agreement and the timeouts stand on both), the every-replica variant
 * (ABCAST's coordinator is not built for Byzantine faults). Requests the state machine
 * declares commuting ({@link io.lockstep.order.ProtocolSetup#commuting()}) are applied without
 * waiting for the order rule when nothing they might follow conflicts with them (paper §3,
 * S12), under fail-stop only (the Byzantine order orders everything). A replica that stopped
 * rejoins (paper §7.2, {@link CandidateJoin}) under fail-stop, with either variant; under
 * Byzantine faults {@code create} refuses storage that shows it ran before.
 */
public final class ReplicaUidProtocol extends StampedProtocol {
  /** Called by the {@link java.util.ServiceLoader}. */
  public ReplicaUidProtocol() {
    super("replica-uid", Map.of("variant", UidChoice.EVERY_REPLICA.setting(), "round-ms", "120",
        SKEW, "2"), null);
  }

  private static final String SKEW = "clock-skew-ms";

  @Override
  public List<String> check(ProtocolSetup setup) {
    Settings s = settings(setup);
    UidChoice choice = variant(s);
    if (byzantine(setup)) {
      s.requireByzantine(setup, "round-ms", SKEW, Signer.holdsKey(setup.signer()));
      if (choice != UidChoice.EVERY_REPLICA) {
        s.problem("replica-uid.variant " + choice.setting() + " is fail-stop only (its"
            + " coordinator is trusted to choose the uid); under Byzantine faults use "
            + UidChoice.EVERY_REPLICA.setting());
      }
    } else {
      s.requireFailStop(setup);
    }
    s.checkShared();
    return s.problems();
  }

  private static boolean byzantine(ProtocolSetup setup) {
    return setup.failureModel() == FailureModel.BYZANTINE;
  }

  @Override
  protected String skewKey(ProtocolSetup setup) {
    return byzantine(setup) ? SKEW : null;
  }

  private static UidChoice variant(Settings s) {
    UidChoice choice = UidChoice.named(s.text("variant"));
    if (choice == null) {
      s.problem("replica-uid.variant must be " + UidChoice.EVERY_REPLICA.setting() + " or "
          + UidChoice.ABCAST.setting() + ", was '" + s.text("variant") + "'");
      return UidChoice.EVERY_REPLICA;
    }
    return choice;
  }

  /** Test only: under Byzantine faults, the simulator's {@link UidLie}s ({@code TestLies}). */
  @Override
  protected Map<String, Function<ProtocolSetup, MessageInterceptor>> testLies(
      ProtocolSetup setup) {
    if (!byzantine(setup)) {
      return Map.of();
    }
    return TestLies.byName(UidLie.values(), (lie, s) -> lie.interceptor(s.signer(), s.members(),
        ByzantineConfig.defaults(s.self(), s.members(), s.t()).candidateSpan()));
  }

  @Override
  protected Coordination order(Settings settings, ProtocolSetup setup, Recovered recovered) {
    if (byzantine(setup)) {
      ByzantineConfig d = ByzantineConfig.defaults(setup.self(), setup.members(), setup.t());
      ByzantineConfig config = new ByzantineConfig(setup.self(), setup.members(), setup.t(),
          settings.positive("round-ms"), Math.min(d.maxBatch(), Batch.MAX_ENTRIES
          / setup.members().size()), d.candidateSpan(), setup.t() + 1,
          (int) Math.min(Integer.MAX_VALUE, settings.positive("max-pending")));
      return new ByzantineCandidateOrder(config, setup.signer(), setup.clientKeys(), recovered);
    }
    // The machine's declaration comes through the setup: requests it declares commuting skip
    // the order rule when they commute with everything they might follow (CommutingSkip).
    return CandidateOrder.halting(settings.config(setup), recovered, variant(settings),
        setup.commuting());
  }

  @Override
  protected boolean rejoins(ProtocolSetup setup) {
    return !byzantine(setup);
  }

  @Override
  public boolean appliesCommutingEarly(ProtocolSetup setup) {
    // CandidateOrder's CommutingSkip, given setup.commuting(); the Byzantine order orders
    // everything, so its replicas' digests stay comparable.
    return !byzantine(setup);
  }

  @Override
  public ProtocolCodec codec() {
    return CuidCodec.INSTANCE;
  }
}
