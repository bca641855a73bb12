package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.configuration.MemberAddresses;
import io.lockstep.net.ClientAuth;
import io.lockstep.net.FrameServer;
import io.lockstep.net.NetOptions;
import io.lockstep.net.ServerConfig;
import io.lockstep.server.config.ClusterKeys;
import io.lockstep.server.config.ConfigException;
import io.lockstep.server.config.KeyFiles;
import io.lockstep.server.wire.ClientCodec;
import io.lockstep.server.wire.ClientMessage;
import io.lockstep.server.wire.ClientMessage.BookEntry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A machine joining a Byzantine cluster from a small file (t = 1) takes an address book only
 * when t+1 = 2 seeds give it alike, each over a connection that checks the seed's replica key
 * while the machine proves its own. The seeds here are real TCP servers the test runs, so one
 * can lie (answer another book) or pretend to be a seed it is not (prove another key).
 */
class ByzantineSeedAskTest {
  @TempDir Path dir;

  private ClusterKeys keys;
  private final List<FrameServer> seeds = new ArrayList<>();

  @BeforeEach
  void keys() throws IOException {
    keys = ClusterKeys.generate(dir.resolve("keys"), List.of(1, 2, 3, 5), List.of());
  }

  @AfterEach
  void stop() {
    seeds.forEach(FrameServer::close);
  }

  @Test
  void aBookTwoSeedsGiveAlikeIsTakenWithEveryReplicasKey() throws Exception {
    List<BookEntry> truth = book("127.0.0.1:7101");
    Properties small = small(seed(1, 1, truth), seed(2, 2, truth));
    SeedAsk.Answer answer = SeedAsk.ask(small, dir, "join", 5, Duration.ofSeconds(20));
    assertThat(answer.entries()).isEqualTo(truth);
    assertThat(answer.seed()).isEqualTo(1);
    Properties merged = JoinFile.merge(small, "join", 5, answer.entries());
    assertThat(merged.getProperty("replica.3.public-key"))
        .as("a replica the small file does not name is verified by the book's key")
        .isEqualTo(KeyFiles.publicKeyText(keys.replicaKeys().get(3)));
    assertThat(merged.getProperty("replica.1.peer")).isEqualTo("127.0.0.1:7101");
  }

  @Test
  void aSeedThatLiesAboutTheBookIsNeverMerged() throws Exception {
    // Seed 2 moves replica 1 to an address it controls: with t = 1 one seed's word is not
    // evidence, so the join refuses rather than take either book.
    Properties small = small(seed(1, 1, book("127.0.0.1:7101")),
        seed(2, 2, book("127.0.0.1:6666")));
    assertThatThrownBy(() -> SeedAsk.ask(small, dir, "join", 5, Duration.ofSeconds(20)))
        .isInstanceOf(SeedAsk.NoAgreement.class)
        .hasMessageContaining("no 2 seeds in join gave the same address book (2 answered");
  }

  @Test
  void aJoinWhoseSeedsKeepDisagreeingAsksAgainAndStopsAtItsTimeoutWithoutMerging()
      throws Exception {
    Properties small = small(seed(1, 1, book("127.0.0.1:7101")),
        seed(2, 2, book("127.0.0.1:6666")));
    Path file = dir.resolve("join.properties");
    try (java.io.Writer w = java.nio.file.Files.newBufferedWriter(file)) {
      small.store(w, null);
    }
    long start = System.nanoTime();
    assertThatThrownBy(() -> JoinFile.load(file, 5, Duration.ofSeconds(3)))
        .isInstanceOf(SeedAsk.NoAgreement.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .as("it asked again until the time-out, not once").isGreaterThan(Duration.ofMillis(1_500));
  }

  @Test
  void aServerThatCannotProveTheSeedsKeyIsNotCountedAsThatSeed() throws Exception {
    List<BookEntry> lie = book("127.0.0.1:6666");
    // Both answer the same book, but the second proves replica 3's key on seed 2's address.
    Properties small = small(seed(1, 1, lie), seed(2, 3, lie));
    assertThatThrownBy(() -> SeedAsk.ask(small, dir, "join", 5, Duration.ofSeconds(20)))
        .isInstanceOf(SeedAsk.NoAgreement.class)
        .hasMessageContaining("1 answered").hasMessageContaining("replica 2 at");
  }

  @Test
  void aByzantineSmallFileNamingFewerThanTPlusOneSeedsIsRefusedWithTheReason() throws Exception {
    Properties small = small(seed(1, 1, book("127.0.0.1:7101")));
    assertThatThrownBy(() -> SeedAsk.ask(small, dir, "join", 5, Duration.ofSeconds(5)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("at least t+1 = 2 seeds").hasMessageContaining("it names 1");
  }

  @Test
  void aByzantineSmallFileWithoutTheSeedsKeysOrItsOwnKeyIsRefused() throws Exception {
    Properties small = small(seed(1, 1, book("a:1")), seed(2, 2, book("a:1")));
    small.remove("replica.2.public-key");
    small.remove("replica.5.private-key-file");
    assertThatThrownBy(() -> SeedAsk.ask(small, dir, "join", 5, Duration.ofSeconds(5)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("replica.2.public-key is missing")
        .hasMessageContaining("replica.5.private-key-file is required");
  }

  @Test
  void agreementNeedsTheNeededCountOfByteForByteEqualBooks() {
    Map<Integer, List<BookEntry>> books = new TreeMap<>();
    books.put(1, book("127.0.0.1:7101"));
    books.put(2, book("127.0.0.1:6666"));
    assertThat(SeedAsk.agreement(books, 2)).isNull();
    books.put(3, book("127.0.0.1:6666"));
    assertThat(SeedAsk.agreement(books, 2).seed()).isEqualTo(2);
    assertThat(SeedAsk.agreement(books, 2).entries()).isEqualTo(book("127.0.0.1:6666"));
    assertThat(SeedAsk.agreement(books, 3)).isNull();
  }

  /** The book: replicas 1–3 (initial voters, keyed) and machine 5 (recorded, keyed). */
  private List<BookEntry> book(String replicaOnePeer) {
    List<BookEntry> out = new ArrayList<>();
    for (int id : List.of(1, 2, 3, 5)) {
      String peer = id == 1 ? replicaOnePeer : "127.0.0.1:" + (7100 + id);
      out.add(new BookEntry(new MemberAddresses(id, peer, "127.0.0.1:" + (7200 + id), "", "",
          keys.replicaKeys().get(id).getEncoded()), id != 5));
    }
    return out;
  }

  /**
   * A seed at a fresh port claiming to be replica {@code id} and proving replica {@code
   * proves}'s key; it admits machine 5 by its key and answers {@code book}.
   */
  private Map.Entry<Integer, Integer> seed(int id, int proves, List<BookEntry> book)
      throws IOException {
    PrivateKey key = KeyFiles.readPrivateKey(keys.replicaKeyFiles().get(proves));
    PublicKey joiner = keys.replicaKeys().get(5);
    FrameServer server = FrameServer.start(new ServerConfig("byz", Integer.toString(id),
        new InetSocketAddress("127.0.0.1", 0),
        ClientAuth.none().withLateKeys(c -> c.equals(JoinerId.of(5)) ? joiner : null),
        NetOptions.defaults().withIoThreads(1), key), (connection, payload) -> {
          ClientMessage ask = decode(payload);
          connection.send(ClientCodec.encode(new ClientMessage.AddressBookAnswer(ask.tag(),
              book)));
        });
    seeds.add(server);
    return Map.entry(id, server.port());
  }

  @SafeVarargs
  private Properties small(Map.Entry<Integer, Integer>... seedPorts) {
    Properties p = new Properties();
    p.setProperty("cluster.name", "byz");
    p.setProperty("cluster.failure-model", "byzantine");
    p.setProperty("cluster.t", "1");
    for (Map.Entry<Integer, Integer> s : seedPorts) {
      p.setProperty("replica." + s.getKey() + ".client", "127.0.0.1:" + s.getValue());
      p.setProperty("replica." + s.getKey() + ".public-key",
          KeyFiles.publicKeyText(keys.replicaKeys().get(s.getKey())));
    }
    p.setProperty("replica.5.peer", "127.0.0.1:7105");
    p.setProperty("replica.5.client", "127.0.0.1:7205");
    p.setProperty("replica.5.public-key", KeyFiles.publicKeyText(keys.replicaKeys().get(5)));
    p.setProperty("replica.5.private-key-file", keys.replicaKeyFiles().get(5).toString());
    return p;
  }

  private static ClientMessage decode(byte[] payload) {
    try {
      return ClientCodec.decode(payload);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
