package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.machine.ClientId;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** The new primary's decision from 2t+1 or more view changes (t = 1, n = 4). */
class NewViewDecisionTest {
  private static final Quorum QUORUM = new Quorum(4, 1);
  private static final Batch COMMITTED = batch("committed");
  private static final Batch OTHER = batch("other");

  private static Batch batch(String what) {
    return new Batch(5, List.of(Request.command(ClientId.of("c"), 1, what.getBytes())));
  }

  private static PbftMessage.ViewChange vc(int replica, List<PbftMessage.Prepared> p,
      List<PbftMessage.PrePrepared> q) {
    return new PbftMessage.ViewChange(2, replica, 0, List.of(), p, q, new byte[64]);
  }

  private static PbftMessage.Prepared prepared(long view, Batch b) {
    return new PbftMessage.Prepared(1, view, b.digest(), b);
  }

  private static PbftMessage.PrePrepared pre(long view, Batch b) {
    return new PbftMessage.PrePrepared(1, view, b.digest());
  }

  /**
   * A batch committed in view 0 was prepared by 2t+1 = 3 replicas, so at least two correct
   * ones report it. Whichever 3 or 4 view changes the new primary holds, and whatever the
   * faulty replica (3) claims — another batch prepared in a later view, or nothing — the
   * decision is the committed batch or no decision yet, never another batch or a null.
   */
  @Property
  void aBatchCommittedInAnEarlierViewIsNeverReplaced(
      @ForAll @IntRange(min = 0, max = 3) int faultyClaim,
      @ForAll @IntRange(min = 0, max = 3) int left, @ForAll boolean includeAll) {
    List<PbftMessage.ViewChange> changes = new ArrayList<>();
    changes.add(vc(0, List.of(prepared(0, COMMITTED)), List.of(pre(0, COMMITTED))));
    changes.add(vc(1, List.of(prepared(0, COMMITTED)), List.of(pre(0, COMMITTED))));
    // Replica 2 was the third preparer but its view change may be missing or stale.
    changes.add(vc(2, List.of(), List.of(pre(0, COMMITTED))));
    changes.add(switch (faultyClaim) {
      case 0 -> vc(3, List.of(), List.of());
      case 1 -> vc(3, List.of(prepared(1, OTHER)), List.of(pre(1, OTHER)));
      case 2 -> vc(3, List.of(prepared(0, OTHER)), List.of(pre(0, OTHER)));
      default -> vc(3, List.of(prepared(1, COMMITTED)), List.of(pre(1, COMMITTED)));
    });
    if (!includeAll) {
      changes.remove(left);
    }
    Optional<NewViewDecision.Decision> decision = NewViewDecision.decide(changes, QUORUM);
    decision.ifPresent(d -> assertThat(d.batches().get(1L)).isEqualTo(COMMITTED));
  }

  @Property
  void withEveryViewChangeInTheDecisionIsMade(@ForAll @IntRange(min = 0, max = 3) int claim) {
    List<PbftMessage.ViewChange> changes = new ArrayList<>(List.of(
        vc(0, List.of(prepared(0, COMMITTED)), List.of(pre(0, COMMITTED))),
        vc(1, List.of(prepared(0, COMMITTED)), List.of(pre(0, COMMITTED))),
        vc(2, List.of(prepared(0, COMMITTED)), List.of(pre(0, COMMITTED))),
        claim == 0 ? vc(3, List.of(), List.of())
            : vc(3, List.of(prepared(1, OTHER)), List.of(pre(1, OTHER)))));
    assertThat(NewViewDecision.decide(changes, QUORUM)).get()
        .satisfies(d -> assertThat(d.batches().get(1L)).isEqualTo(COMMITTED));
  }

  @Property
  void whereNoQuorumPreparedAnythingTheNullBatchIsOrdered(
      @ForAll @IntRange(min = 0, max = 3) int liar) {
    List<PbftMessage.ViewChange> changes = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      // One replica (perhaps faulty) claims a prepared batch no one else vouches for.
      changes.add(i == liar ? vc(i, List.of(prepared(0, OTHER)), List.of(pre(0, OTHER)))
          : vc(i, List.of(), List.of()));
    }
    assertThat(NewViewDecision.decide(changes, QUORUM)).get()
        .satisfies(d -> assertThat(d.batches().get(1L)).isEqualTo(Batch.NULL));
  }

  @Property
  void fewerThanAQuorumOfViewChangesDecideNothing(@ForAll @IntRange(min = 0, max = 2) int n) {
    List<PbftMessage.ViewChange> changes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      changes.add(vc(i, List.of(), List.of()));
    }
    assertThat(NewViewDecision.decide(changes, QUORUM)).isEmpty();
  }
}
