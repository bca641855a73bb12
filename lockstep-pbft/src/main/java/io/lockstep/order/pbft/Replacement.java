package io.lockstep.order.pbft;

import io.lockstep.configuration.SystemCommand;
import io.lockstep.configuration.SystemCommands;
import io.lockstep.machine.ClientId;
import io.lockstep.request.Request;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedSet;
import java.util.function.IntPredicate;

/**
 * The {@link PbftConfigurator} inside the protocol: the primary proposes a replacement as a
 * request of its own, and backups prepare it only if they would have proposed it themselves.
 *
 * <p>Who signs: nobody's signature stands in for an operator's. An operator's
 * {@code lockstep member} command is signed because one replica's word must not change the
 * set; the configurator's change is instead checked by every correct backup against its own
 * evidence (t+1 replicas' reports, {@link Silence}) before it prepares the batch, like a
 * backup checks every client request it prepares. A batch commits with 2t+1 commits, which
 * include t+1 correct replicas that prepared it, so a change a correct replica would not make
 * is never ordered, whoever is primary.
 *
 * <p>The request is a {@code SetReplicas} from the administrator session
 * {@code lockstep:admin/configurator-<seq>} at sequence 1, a new session per proposal: the
 * executor treats it as a system command, judges it by the same {@link ReplicaSetRule} where
 * it is ordered, states it one window ahead, and a primary need not know how many earlier
 * proposals a session took (a restarted replica does not).
 */
final class Replacement {
  /** The session name's prefix: {@code lockstep:admin/configurator-<seq>}. */
  static final String SESSION = "configurator-";
  private static final String CLIENT_PREFIX = SystemCommands.adminSession(SESSION).value();

  private final Pbft p;
  private PbftConfigurator configurator;
  /** The sequence number of this primary's last proposal (not proposing again until after). */
  private long proposedAt;
  /** The earliest time of the next proposal: a refused one is retried after a bound. */
  private long nextAt;
  /** The last sequence number each peer said it executed (its status), for the spare choice. */
  private final Map<Integer, Long> executedBy = new HashMap<>();

  Replacement(Pbft p) {
    this.p = p;
  }

  void configure(PbftConfigurator with) {
    this.configurator = with;
  }

  /**
   * The replacement the primary orders at {@code seq} now, or null: only in a cluster whose
   * set can change, with no earlier change still on its way (Membership#settleBy).
   */
  Request propose(long seq) {
    if (configurator == null || !p.membership.canChange() || !p.membership.settled()
        || p.membership.settleBy() > p.lastExecuted || proposedAt > p.lastExecuted
        || p.now < nextAt) {
      return null;
    }
    PbftConfiguration current = p.membership.current();
    long now = Math.max(p.now, 0);
    long slack = Silence.STALE_PERIODS * p.config.retransmitMs();
    long bound = configurator.unreachableMillis();
    IntPredicate heard = spare -> !p.silence.fellSilent(spare, now, bound);
    SortedSet<Integer> next = configurator.proposal(current, evidenced(current), slack,
        spare -> heard.test(spare) && keepsUp(spare));
    if (next == null) {
      next = configurator.proposal(current, evidenced(current), slack, heard);
    }
    if (next == null) {
      return null;
    }
    proposedAt = seq;
    nextAt = p.now + configurator.unreachableMillis();
    return Request.command(ClientId.of(CLIENT_PREFIX + seq), 1,
        SystemCommands.encode(new SystemCommand.SetReplicas(next, 0)));
  }

  /** Notes what {@code from} said it executed (every status it sends). */
  void statusFrom(int from, long executed) {
    executedBy.put(from, executed);
  }

  /**
   * Whether spare {@code spare} said it executed at least up to this replica's stable
   * checkpoint. A spare that fell behind it can catch up only by a state transfer, and one
   * that fell behind across a replica-set change may not manage even that (the state it asks
   * for was dropped everywhere, and it reads the old set's members as the voters of later
   * checkpoints): made a member, it is a member that cannot vote, and the next failure leaves
   * no quorum (configurator simulation seed 17 at 64 seeds). So spares that keep up come
   * first; a lagging one is still taken when no other is heard. Its word only orders the
   * choice: a lying spare gains nothing it could not by being chosen first anyway.
   */
  private boolean keepsUp(int spare) {
    return executedBy.getOrDefault(spare, -1L) >= p.low;
  }

  /** Whether {@code request} is a configurator proposal. */
  static boolean isProposal(Request request) {
    return request.client().value().startsWith(CLIENT_PREFIX);
  }

  /**
   * Whether this backup would make the change {@code request} carries: it prepares the batch
   * only then (the caller treats it as held, as it treats a client's request it holds).
   */
  boolean agrees(Request request) {
    if (configurator == null || !p.membership.canChange() || request.sequence() != 1) {
      return false;
    }
    SystemCommand command;
    try {
      command = SystemCommands.decode(request.command());
    } catch (IllegalArgumentException e) {
      p.drop("configurator proposal that is not a system command");
      return false;
    }
    if (!(command instanceof SystemCommand.SetReplicas set)) {
      p.drop("configurator proposal that is not a replica set");
      return false;
    }
    PbftConfiguration current = p.membership.current();
    return configurator.agrees(current, evidenced(current), set.replicas());
  }

  /**
   * Why this backup should suspect the primary of {@code p.view}, or null: t+1 replicas, this
   * one included, report it silent past the configurator's bound. On an idle cluster nothing
   * else would: no backup holds a request, so no request timer runs, and only a primary
   * proposes replacements, so a dead primary would keep its place for good. The view change
   * makes another member primary, whose configurator then replaces the silent one. The same
   * t+1 evidence as a replacement ({@link Silence}): t liars reporting a live primary silent
   * cannot start it, as the correct replicas that hear the primary outvote them.
   */
  String primarySilence() {
    if (configurator == null || !p.membership.canChange() || p.isPrimary()) {
      return null;
    }
    PbftConfiguration current = p.membership.current();
    int primary = p.primary(p.view);
    long silent = evidenced(current).getOrDefault(primary, 0L);
    return silent > configurator.unreachableMillis()
        ? "t+1 replicas report primary " + primary + " silent for " + silent + " ms, past "
            + configurator.unreachableMillis() + " ms"
        : null;
  }

  private Map<Integer, Long> evidenced(PbftConfiguration current) {
    return p.silence.evidenced(current.members(), p.self(), current.t(), Math.max(p.now, 0));
  }
}
