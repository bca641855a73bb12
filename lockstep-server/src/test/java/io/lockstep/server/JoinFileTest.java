package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.configuration.MemberAddresses;
import io.lockstep.identity.Ed25519Signer;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ConfigException;
import io.lockstep.server.config.KeyFiles;
import io.lockstep.server.wire.ClientMessage.BookEntry;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** How a small join file and a seed's address book merge into a cluster configuration. */
class JoinFileTest {
  private static Properties small() {
    Properties p = new Properties();
    p.setProperty("cluster.name", "c");
    p.setProperty("cluster.t", "1");
    p.setProperty("cluster.data-dir", "/tmp/join-test");
    p.setProperty("cluster.secret", "00112233445566778899aabbccddeeff");
    p.setProperty("replica.1.peer", "127.0.0.1:9101"); // the seed, as the operator wrote it
    p.setProperty("replica.1.client", "127.0.0.1:9201");
    p.setProperty("replica.1.redis", "127.0.0.1:9001");
    p.setProperty("replica.1.metrics", "127.0.0.1:9301");
    p.setProperty("replica.4.peer", "127.0.0.1:9104");
    p.setProperty("replica.4.client", "127.0.0.1:9204");
    p.setProperty("replica.4.redis", "127.0.0.1:9004");
    p.setProperty("replica.4.metrics", "127.0.0.1:9304");
    return p;
  }

  private static BookEntry original(int id) {
    return new BookEntry(new MemberAddresses(id, "127.0.0.1:910" + id, "127.0.0.1:920" + id,
        "127.0.0.1:930" + id, "127.0.0.1:900" + id, new byte[0]), true);
  }

  private static BookEntry recorded(int id, String peer, String client) {
    return new BookEntry(new MemberAddresses(id, peer, client, "", "", new byte[0]), false);
  }

  private static ClusterConfig merged(List<BookEntry> book) throws ConfigException {
    return ClusterConfig.parse(JoinFile.merge(small(), "small", 4, book), "merged", Path.of("/"));
  }

  @Test
  void theInitialConfigurationIsTheSeedsFileAndTheJoinerIsASpare() throws Exception {
    ClusterConfig config = merged(List.of(original(1), original(2), original(3),
        recorded(4, "127.0.0.1:9104", "127.0.0.1:9204"),
        recorded(5, "10.0.0.5:7000", "10.0.0.5:7001")));
    assertThat(config.voters()).containsExactly(1, 2, 3);
    assertThat(config.spares()).containsExactly(4, 5);
    assertThat(config.replica(2).orElseThrow().client().getPort()).isEqualTo(9202);
    assertThat(config.replica(4).orElseThrow().redis().getPort())
        .as("its own Redis port from the small file, though the record has none").isEqualTo(9004);
    assertThat(config.replica(5).orElseThrow().metrics().getPort())
        .as("a port nobody recorded: a placeholder, never dialed").isZero();
    assertThat(config.replica(5).orElseThrow().metrics().getHostString()).isEqualTo("10.0.0.5");
  }

  @Test
  void theBookWinsOverWhatTheSmallFileSaysAboutOtherReplicas() throws Exception {
    BookEntry moved = new BookEntry(new MemberAddresses(1, "127.0.0.1:8101", "127.0.0.1:8201",
        "", "", new byte[0]), true);
    ClusterConfig config = merged(List.of(moved, original(2), original(3),
        recorded(4, "127.0.0.1:9104", "127.0.0.1:9204")));
    assertThat(config.replica(1).orElseThrow().client().getPort()).isEqualTo(8201);
  }

  @Test
  void aJoinerTheBookDoesNotListOrListsElsewhereIsRefusedWithWhatToDo() {
    assertThatThrownBy(() -> merged(List.of(original(1), original(2), original(3))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("has no replica 4")
        .hasMessageContaining("lockstep member add 4");
    assertThatThrownBy(() -> merged(List.of(original(1), original(2), original(3),
        recorded(4, "127.0.0.1:9999", "127.0.0.1:9204"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("replica.4.peer is 127.0.0.1:9104 here, but the cluster records"
            + " 127.0.0.1:9999");
  }

  @Test
  void recordedKeysBecomeTheFilesPublicKeys() throws Exception {
    byte[] key = Ed25519Signer.generate().getPublic().getEncoded();
    BookEntry keyed = new BookEntry(new MemberAddresses(5, "10.0.0.5:7000", "10.0.0.5:7001", "",
        "", key), false);
    Properties out = JoinFile.merge(small(), "small", 4, List.of(original(1), original(2),
        original(3), recorded(4, "127.0.0.1:9104", "127.0.0.1:9204"), keyed));
    assertThat(KeyFiles.parsePublicKey(out.getProperty("replica.5.public-key")).getEncoded())
        .isEqualTo(key);
    assertThat(out.getProperty("replica.5.role")).isEqualTo("spare");
    assertThat(out.getProperty("replica.1.role")).isNull();
  }
}
