package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** What {@code /health} says about a replica that stopped on its own. */
class RuntimeHealthTest {
  @Test
  void aStopCausedByAFailedFsyncIsAStorageFailureWhicheverThreadStoppedFirst() {
    IOException fsync = new IOException("Input/output error");
    // The shape of the log's refusal to the loop (LogStoppedException): caused by the fsync's.
    RuntimeException refused =
        new IllegalStateException("the log stopped after a storage failure: " + fsync, fsync);
    assertThat(RuntimeHealth.problem(fsync, false, null, null).orElseThrow())
        .startsWith("stopped: storage failed");
    assertThat(RuntimeHealth.problem(refused, false, null, null).orElseThrow())
        .startsWith("stopped: storage failed");
  }

  @Test
  void aStopWithNoIoErrorBehindItIsTheReplicasOwnFailure() {
    assertThat(RuntimeHealth.problem(new IllegalStateException("bug"), false, null, null)
        .orElseThrow()).startsWith("stopped: replica failed (bug)");
  }
}
