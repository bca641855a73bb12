package io.lockstep.bench.ratis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.bench.BenchResult;
import io.lockstep.bench.LoadGenerator;
import io.lockstep.bench.Workload;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One real 3-peer Ratis cluster on loopback, shared by the tests of this class. */
class RatisClusterTest {

  @TempDir
  static Path temp;

  private static RatisCluster cluster;
  private static Path storage;

  @BeforeAll
  static void startCluster() throws Exception {
    storage = temp.resolve("ratis");
    cluster = RatisCluster.start(new RatisCluster.Options(3, storage, false, false, true, false));
  }

  @AfterAll
  static void stopCluster() throws Exception {
    cluster.close();
    assertThat(storage).doesNotExist();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void writeThenLinearizableReadReturnsTheValueAndCasSwapsOnlyOnAMatch() throws Exception {
    try (RatisTarget target = new RatisTarget(List.of(cluster.newClient()))) {
      target.write("k", bytes("v1")).get(10, TimeUnit.SECONDS);
      ByteString read = target.read("k").get(10, TimeUnit.SECONDS);
      boolean wrongExpected = target.cas("k", bytes("other"), bytes("v2")).get(10, TimeUnit.SECONDS);
      boolean rightExpected = target.cas("k", bytes("v1"), bytes("v3")).get(10, TimeUnit.SECONDS);
      ByteString after = target.read("k").get(10, TimeUnit.SECONDS);
      ByteString missing = target.read("absent").get(10, TimeUnit.SECONDS);

      assertThat(read.toStringUtf8()).isEqualTo("v1");
      assertThat(wrongExpected).isFalse();
      assertThat(rightExpected).isTrue();
      assertThat(after.toStringUtf8()).isEqualTo("v3");
      assertThat(missing.isEmpty()).isTrue();
    }
  }

  @Test
  void everyPeerKeepsADurableLogOnDisk() throws Exception {
    try (RatisTarget target = new RatisTarget(List.of(cluster.newClient()))) {
      target.write("durable", bytes("x")).get(10, TimeUnit.SECONDS);
    }
    for (String peer : List.of("p0", "p1", "p2")) {
      try (var files = Files.walk(storage.resolve(peer))) {
        assertThat(files.map(Path::getFileName).map(Path::toString))
            .anyMatch(name -> name.startsWith("log_inprogress_"));
      }
    }
  }

  @Test
  void loadGeneratorDrivesTheClusterWithAMixAndNoErrors() throws Exception {
    Workload mix = new Workload(4, Duration.ofSeconds(1), Duration.ofMillis(500), 0.5, 0.3, 0.2,
        100, 50);
    List<org.apache.ratis.client.RaftClient> clients = List.of(cluster.newClient(),
        cluster.newClient(), cluster.newClient(), cluster.newClient());
    try (RatisTarget target = new RatisTarget(clients)) {
      BenchResult result = new LoadGenerator(target, mix, 3L, line -> {}).run();

      assertThat(result.errors()).isEmpty();
      assertThat(result.ops()).isPositive();
      assertThat(result.p50Micros()).isPositive();
    }
  }
}
