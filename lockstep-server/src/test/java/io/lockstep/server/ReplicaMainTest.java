package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicaMainTest {
  @TempDir Path dir;

  @Test
  void badArgumentsAndInvalidConfigurationsExitWithCodeTwoListingEveryProblem() throws Exception {
    Path file = dir.resolve("cluster.properties");
    Files.writeString(file, "cluster.name=x\ncluster.t=1\nreplica.1.peer=nohost\n");
    PrintStream saved = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true));
    try {
      assertThat(ReplicaMain.run(new String[] {"--config"})).isEqualTo(2);
      assertThat(ReplicaMain.run(new String[] {"--config", file.toString(), "--id", "1"}))
          .isEqualTo(2);
    } finally {
      System.setErr(saved);
    }
    assertThat(err.toString()).contains("usage: ReplicaMain --config FILE --id N")
        .contains("cluster.data-dir is required")
        .contains("cluster.secret (hex) or cluster.secret-file is required")
        .contains("replica.1.peer 'nohost' must be host:port");
  }
}
