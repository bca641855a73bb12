package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Configuration;
import io.lockstep.order.Input.ChangeMembership;
import io.lockstep.order.Input.ChangeMembership.Change;
import io.lockstep.server.wire.ClientMessage;
import io.lockstep.server.wire.ClientMessage.MemberOperation;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An operator's command is refused while another change is in flight and when it would break
 * the combining condition (the voters that answer must stay a majority); replace is an add
 * followed by a remove, each skipped once in force (so a replace asked again carries on), and a
 * step is done only once a committed configuration shows it.
 */
class MemberChecksTest {
  private static final List<Integer> LISTED = List.of(1, 2, 3, 4);
  private static final long SILENT = CombiningWatch.UNREACHABLE_MILLIS + 1;

  private static Configuration view(List<Integer> voters, List<Integer> learners,
      boolean committed, Map<Integer, Long> silent) {
    return new Configuration(voters, learners, 5, committed, "", silent);
  }

  private static MembershipRuntime.Ask ask(MemberOperation op, int replica, int other) {
    return new MembershipRuntime.Ask(op, replica, other, null);
  }

  @Test
  void nothingStartsWhileAChangeIsInFlight() {
    assertThat(MemberChecks.refusal(ask(MemberOperation.ADD, 4, -1),
        view(List.of(1, 2, 3), List.of(), false, Map.of()), LISTED, 1)).get().asString()
        .contains("in flight").contains("not committed yet");
    assertThat(MemberChecks.refusal(ask(MemberOperation.REMOVE, 3, -1),
        view(List.of(1, 2, 3), List.of(4), true, Map.of()), LISTED, 1)).get().asString()
        .contains("in flight").contains("being caught up");
    assertThat(MemberChecks.refusal(ask(MemberOperation.REMOVE, 4, -1),
        view(List.of(1, 2, 3), List.of(4), true, Map.of()), LISTED, 1))
        .as("removing the learner cancels its catch-up").isEmpty();
    assertThat(MemberChecks.done(new ChangeMembership(Change.REMOVE, 4),
        view(List.of(1, 2, 3), List.of(), true, Map.of()))).isTrue();
  }

  @Test
  void aRemovalThatLeavesNoAnsweringMajorityIsRefusedOneThatKeepsItIsNot() {
    Configuration oneSilent = view(List.of(1, 2, 3), List.of(), true, Map.of(2, SILENT, 3, 0L));
    assertThat(MemberChecks.refusal(ask(MemberOperation.REMOVE, 3, -1), oneSilent, LISTED, 1))
        .get().asString().contains("would break the combining condition");
    assertThat(MemberChecks.refusal(ask(MemberOperation.REMOVE, 2, -1), oneSilent, LISTED, 1))
        .as("removing the silent voter lowers P and F alike").isEmpty();
    assertThat(MemberChecks.refusal(ask(MemberOperation.REMOVE, 1, -1),
        view(List.of(1, 2, 3), List.of(), true, Map.of()), LISTED, 1))
        .as("the leader may remove itself").isEmpty();
  }

  @Test
  void addsNeedAListedNonVoterAndAnAnsweringMajority() {
    Configuration all = view(List.of(1, 2, 3), List.of(), true, Map.of());
    assertThat(MemberChecks.refusal(ask(MemberOperation.ADD, 9, -1), all, LISTED, 1)).get()
        .asString().contains("no addresses in the cluster file");
    assertThat(MemberChecks.refusal(ask(MemberOperation.ADD, 3, -1), all, LISTED, 1))
        .as("already a voter: where the add ends is in force").isEmpty();
    assertThat(MemberChecks.steps(ask(MemberOperation.ADD, 3, -1), all)).isEmpty();
    Configuration twoSilent = view(List.of(1, 2, 3), List.of(), true,
        Map.of(2, SILENT, 3, SILENT));
    assertThat(MemberChecks.refusal(ask(MemberOperation.ADD, 4, -1), twoSilent, LISTED, 1))
        .get().asString().contains("not a majority");
    assertThat(MemberChecks.refusal(ask(MemberOperation.REPLACE, 3, 4), all, LISTED, 1))
        .isEmpty();
    assertThat(MemberChecks.refusal(ask(MemberOperation.REPLACE, 9, 4), all, LISTED, 1)).get()
        .asString().contains("replica 9 is not a voter");
    assertThat(MemberChecks.refusal(ask(MemberOperation.REPLACE, 3, 3), all, LISTED, 1)).get()
        .asString().contains("two different replicas");
  }

  @Test
  void aCommandAskedAgainCarriesOnFromTheConfigurationInForce() {
    MembershipRuntime.Ask replace = ask(MemberOperation.REPLACE, 2, 4);
    Configuration added = view(List.of(1, 2, 3, 4), List.of(), true, Map.of());
    assertThat(MemberChecks.refusal(replace, added, LISTED, 1))
        .as("the addition is in force: not refused as 'already a voter'").isEmpty();
    assertThat(MemberChecks.steps(replace, added))
        .containsExactly(new ChangeMembership(Change.REMOVE, 2));
    Configuration done = view(List.of(1, 3, 4), List.of(), true, Map.of());
    assertThat(MemberChecks.refusal(replace, done, LISTED, 1)).isEmpty();
    assertThat(MemberChecks.steps(replace, done)).as("nothing left").isEmpty();
    Configuration addedSilent = view(List.of(1, 2, 3, 4), List.of(), true,
        Map.of(3, SILENT, 4, SILENT));
    assertThat(MemberChecks.refusal(replace, addedSilent, LISTED, 1)).get().asString()
        .as("the removal left is still checked").contains("would break the combining condition");
    Configuration learning = view(List.of(1, 2, 3), List.of(4), true, Map.of());
    assertThat(MemberChecks.steps(ask(MemberOperation.REMOVE, 4, -1), learning))
        .as("a learner is removed too").containsExactly(new ChangeMembership(Change.REMOVE, 4));
    assertThat(MemberChecks.steps(ask(MemberOperation.REMOVE, 4, -1),
        view(List.of(1, 2, 3), List.of(), true, Map.of()))).as("neither votes nor learns")
        .isEmpty();
  }

  @Test
  void refusalsWhileAChangeIsInFlightSayTheSameCommandMayBeSentAgain() {
    String uncommitted = MemberChecks.refusal(ask(MemberOperation.ADD, 4, -1),
        view(List.of(1, 2, 3), List.of(), false, Map.of()), LISTED, 1).orElseThrow();
    String learning = MemberChecks.refusal(ask(MemberOperation.REPLACE, 3, 4),
        view(List.of(1, 2, 3), List.of(4), true, Map.of()), LISTED, 1).orElseThrow();
    String unlisted = MemberChecks.refusal(ask(MemberOperation.ADD, 9, -1),
        view(List.of(1, 2, 3), List.of(), true, Map.of()), LISTED, 1).orElseThrow();
    assertThat(new ClientMessage.MemberResult(1, false, uncommitted).mayTryAgain()).isTrue();
    assertThat(new ClientMessage.MemberResult(1, false, learning).mayTryAgain()).isTrue();
    assertThat(new ClientMessage.MemberResult(1, false, unlisted).mayTryAgain())
        .as("a refusal that holds however often it is asked").isFalse();
  }

  @Test
  void replaceAddsFirstAndAStepIsDoneOnlyWhenCommitted() {
    assertThat(MemberChecks.steps(ask(MemberOperation.REPLACE, 2, 4),
        view(List.of(1, 2, 3), List.of(), true, Map.of()))).containsExactly(
        new ChangeMembership(Change.ADD, 4), new ChangeMembership(Change.REMOVE, 2));
    ChangeMembership add = new ChangeMembership(Change.ADD, 4);
    assertThat(MemberChecks.done(add, view(List.of(1, 2, 3, 4), List.of(), false, Map.of())))
        .isFalse();
    assertThat(MemberChecks.done(add, view(List.of(1, 2, 3), List.of(4), true, Map.of())))
        .as("a learner does not vote yet").isFalse();
    assertThat(MemberChecks.done(add, view(List.of(1, 2, 3, 4), List.of(), true, Map.of())))
        .isTrue();
  }
}
