package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.client.KvClient;
import io.lockstep.client.LockstepClient;
import io.lockstep.server.config.Service;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real full disk: one replica's data directory is a 4 MiB tmpfs that a filler
 * file fills up, so its writes fail with the kernel's own ENOSPC. Needs permission to mount
 * (root, as in CI); elsewhere the test is skipped with the reason, and the fault switch tests
 * in {@link DiskFaultClusterTest} cover the same path.
 */
class FullTmpfsTest {
  @TempDir Path dir;

  @Test
  void aReallyFullDiskStopsTheLeaderAndAfterFreeingItNoAcknowledgedWriteIsLost()
      throws Exception {
    TestCluster cluster = new TestCluster(dir, 3, Service.KV);
    Path victimDir = null;
    try (cluster) {
      for (int id = 1; id <= 3; id++) {
        cluster.start(id);
      }
      int leader = cluster.awaitLeader(DiskFaultClusterTest.ELECTION);
      cluster.stop(leader);
      victimDir = cluster.config.dataDirOf(leader);
      Path saved = dir.resolve("saved");
      copyTree(victimDir, saved);
      mountTmpfs(victimDir);
      copyTree(saved, victimDir);
      cluster.start(leader);
      try (LockstepClient client = cluster.client()) {
        KvClient kv = new KvClient(client);
        List<Long> values = new ArrayList<>();
        values.add(kv.incr("counter"));
        Path filler = victimDir.resolve("filler");
        fill(filler);
        // The log wrote zeros up to a mebibyte ahead of its records before the disk filled, so
        // its next writes land there: ballast of 32 KiB per increment uses that space up.
        String ballast = "b".repeat(32 << 10);
        for (int i = 0; i < 400 && cluster.server(leader).failure().isEmpty(); i++) {
          values.add(kv.incr("counter"));
          kv.set("ballast-" + i, ballast);
        }
        ReplicaServer full = cluster.server(leader);
        assertThat(full.failure()).as("the replica on the full tmpfs stopped").isPresent();
        HttpResponse<String> health = DiskFaultClusterTest.get(full, "/health");
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(health.body()).contains("No space left on device");
        for (int i = 0; i < 20; i++) {
          values.add(kv.incr("counter"));
        }
        DiskFaultClusterTest.assertCounterSequence(values);
        cluster.stop(leader);
        Files.delete(filler);
        cluster.start(leader);
        DiskFaultClusterTest.assertRestartedReplicaHoldsEverything(cluster, leader, kv,
            values.size());
      }
    } finally {
      if (victimDir != null) {
        new ProcessBuilder("umount", "-l", victimDir.toString()).inheritIO().start()
            .waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  private static void mountTmpfs(Path at) throws Exception {
    boolean linux = System.getProperty("os.name").toLowerCase().contains("linux");
    Assumptions.assumeTrue(linux, "a tmpfs needs Linux");
    Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs",
        at.toString()).redirectErrorStream(true).start();
    String output = new String(mount.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    boolean done = mount.waitFor(30, TimeUnit.SECONDS);
    Assumptions.assumeTrue(done && mount.exitValue() == 0,
        "skipped: cannot mount a tmpfs here (" + output.trim() + ")");
  }

  private static void copyTree(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (var files = Files.list(from)) {
      for (Path file : files.toList()) {
        if (!file.getFileName().toString().equals("lock")) {
          Files.copy(file, to.resolve(file.getFileName()),
              java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  /** Writes until the file system refuses: afterwards it has no free block left. */
  private static void fill(Path filler) throws IOException {
    byte[] block = new byte[4096];
    try (OutputStream out = Files.newOutputStream(filler)) {
      while (true) {
        out.write(block);
        out.flush();
      }
    } catch (IOException expected) {
      assertThat(expected).hasMessageContaining("No space left on device");
    }
  }
}
