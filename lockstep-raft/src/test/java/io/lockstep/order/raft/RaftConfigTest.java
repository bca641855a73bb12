package io.lockstep.order.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RaftConfigTest {
  private static final List<Integer> MEMBERS = List.of(1, 2, 3);

  @Test
  void defaultsAreTheDocumentedValues() {
    assertThat(RaftConfig.defaults(2, MEMBERS))
        .isEqualTo(new RaftConfig(2, MEMBERS, 300, 50, 256, 8, true, true, false, 0.1));
  }

  @Test
  void aReplicaOutsideTheInitialMembersIsASpareButItsIdMustBeValid() {
    assertThat(RaftConfig.defaults(4, MEMBERS).self()).isEqualTo(4);
    assertInvalid(() -> RaftConfig.defaults(-2, MEMBERS), "self must be a non-negative id");
  }

  @Test
  void membersMustBeDistinctNonNegativeAndPresent() {
    assertInvalid(() -> RaftConfig.defaults(1, List.of()), "members must not be empty");
    assertInvalid(() -> RaftConfig.defaults(1, List.of(1, 2, 2)), "members must be distinct");
    assertInvalid(() -> RaftConfig.defaults(1, List.of(1, -2)), "must be non-negative");
    assertInvalid(() -> RaftConfig.defaults(1, Arrays.asList(1, null)), "must be non-negative");
    assertThatThrownBy(() -> RaftConfig.defaults(1, null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void timeoutsMustBePositiveWithHeartbeatsBelowTheElectionTimeout() {
    RaftConfig config = RaftConfig.defaults(1, MEMBERS);
    assertInvalid(() -> config.withTimeouts(0, 50), "electionTimeoutMillis must be positive");
    assertInvalid(() -> config.withTimeouts(300, 0), "heartbeatMillis must be positive");
    assertInvalid(() -> config.withTimeouts(300, 300), "must be below electionTimeoutMillis");
  }

  @Test
  void flowControlLimitsMustBePositive() {
    RaftConfig config = RaftConfig.defaults(1, MEMBERS);
    assertInvalid(() -> config.withFlowControl(0, 8), "maxBatchEntries must be at least 1");
    assertInvalid(() -> config.withFlowControl(8, 0), "maxInflightAppends must be at least 1");
  }

  @Test
  void leaseReadsNeedCheckQuorumAndABoundedDrift() {
    assertInvalid(() -> new RaftConfig(1, MEMBERS, 300, 50, 1, 1, true, false, true, 0.1),
        "leaseReads requires checkQuorum");
    RaftConfig config = RaftConfig.defaults(1, MEMBERS);
    assertInvalid(() -> config.withLeaseReads(true, 1.0), "maxClockDrift must be in [0, 1)");
    assertInvalid(() -> config.withLeaseReads(true, Double.NaN), "maxClockDrift must be in [0, 1)");
    assertThat(config.withElectionSafeguards(true, false).withLeaseReads(true, 0.2).checkQuorum())
        .isTrue();
  }

  @Test
  void forMemberKeepsEverythingElse() {
    RaftConfig config = RaftConfig.defaults(1, MEMBERS).withTimeouts(1000, 100);
    assertThat(config.forMember(3)).isEqualTo(new RaftConfig(3, MEMBERS, 1000, 100, 256, 8,
        true, true, false, 0.1));
  }

  private static void assertInvalid(Runnable build, String message) {
    assertThatThrownBy(build::run).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }
}
