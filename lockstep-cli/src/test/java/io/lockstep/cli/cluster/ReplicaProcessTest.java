package io.lockstep.cli.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReplicaProcessTest {
  @Test
  void extraJvmOptionsAreTheWordsOfTheEnvironmentVariable() {
    assertThat(ReplicaProcess.extraJvmOptions(null)).isEmpty();
    assertThat(ReplicaProcess.extraJvmOptions("  ")).isEmpty();
    assertThat(ReplicaProcess.extraJvmOptions(" -XX:+UnlockDiagnosticVMOptions \t"
        + "-XX:+PrintCompilation\n-Xlog:gc ")).containsExactly("-XX:+UnlockDiagnosticVMOptions",
        "-XX:+PrintCompilation", "-Xlog:gc");
  }
}
