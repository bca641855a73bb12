package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.machine.ClientId;
import io.lockstep.net.ClientConfig;
import io.lockstep.net.FrameClient;
import io.lockstep.net.FrameConnection;
import io.lockstep.net.FrameHandler;
import io.lockstep.net.NetOptions;
import io.lockstep.redis.RedisOp;
import io.lockstep.redis.RedisOpCodec;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import io.lockstep.request.RequestSignature;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.wire.ClientCodec;
import io.lockstep.server.wire.ClientMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's own signature travels over real TCP from the client frame (type 16) through the
 * client port and the replica loop into the order: a Byzantine {@code replica-uid} cluster of
 * 2t+1 = 3 in-process replicas orders a request handed to ONE replica only when its client
 * signed it (paper §3.1), and otherwise waits for t+1 carriers.
 */
class SignedRequestServerTest {
  @TempDir static Path dir;

  private static ByzantineUidCluster cluster;
  private static ClusterConfig config;
  private static FrameClient alice;
  private static FrameClient bob;
  private static PrivateKey aliceKey;

  @BeforeAll
  static void start() throws Exception {
    cluster = new ByzantineUidCluster(dir, List.of("alice", "bob"));
    config = cluster.config;
    aliceKey = config.keys().clientPrivateKey("alice");
    alice = frames("alice", aliceKey);
    bob = frames("bob", config.keys().clientPrivateKey("bob"));
  }

  private static FrameClient frames(String id, PrivateKey key) {
    return new FrameClient(ClientConfig.keyed("signed", id, key, NetOptions.defaults()
        .withIoThreads(1).withMaxPayloadBytes(ReplicaServer.CLIENT_MAX_PAYLOAD)));
  }

  @AfterAll
  static void stop() {
    for (FrameClient f : new FrameClient[] {alice, bob}) {
      if (f != null) {
        f.close();
      }
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aSignedRequestHandedToOneReplicaIsOrderedByAllAndAnswered() throws Exception {
    Answers one = connect(alice, 1);
    Answers three = connect(alice, 3);
    Request write = Request.command(ClientId.of("alice"), 1,
        RedisOpCodec.encode(RedisOp.Set.of(bytes("x"), bytes("signed"))));
    one.send(new ClientMessage.Submit(11, write, true, RequestSignature.sign(write, aliceKey)));
    Reply written = one.reply(11, 60);
    assertThat(written).as("replica 1's reply to the signed write").isNotNull();
    assertThat(written.status()).as(written.reason()).isEqualTo(Reply.Status.OK);
    // Replica 1's order found the signature's verdict, which its client port had the pool
    // compute; the order's own chain signatures are never pre-verified, so nothing else could.
    assertThat(signatures(1, "preverified")).isPositive();
    assertThat(signatures(1, "remembered")).as("checks answered from the pool's verdict")
        .isPositive();
    // Replica 3 was not handed it, yet answers on the connection where alice proved her key.
    Reply pushed = three.reply(ClientMessage.UNASKED, 60);
    assertThat(pushed).as("replica 3's unasked reply").isNotNull();
    assertThat(pushed.sequence()).isEqualTo(1);
    assertThat(pushed.value()).isEqualTo(written.value());
    // Replica 2 never saw the write from the client: it reads x only if the order gave it.
    Answers two = connect(alice, 2);
    Request read = Request.command(ClientId.of("alice"), 2,
        RedisOpCodec.encode(new RedisOp.Get(bytes("x"))));
    two.send(new ClientMessage.Submit(12, read, true, RequestSignature.sign(read, aliceKey)));
    Reply got = two.reply(12, 60);
    assertThat(got).as("replica 2's reply to the signed read").isNotNull();
    assertThat(new String(got.value(), StandardCharsets.UTF_8)).contains("signed");
    // Replicas 2 and 3 had the write only in round messages: their peer ports' pre-check.
    assertThat(signatures(3, "remembered")).isPositive();
    assertThat(signatures(2, "remembered")).isPositive();
  }

  /** Replica {@code id}'s {@code lockstep_signatures_<kind>_total}. */
  private static double signatures(int id, String kind) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("lockstep_signatures_" + kind
        + "_total\\{[^}]*\\} ([0-9.E]+)").matcher(cluster.servers[id - 1].metrics().scrape());
    assertThat(m.find()).as(kind + " in replica " + id + "'s metrics").isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void anUnsignedRequestFromOneCarrierWaitsForASecondCarrier() throws Exception {
    Answers three = connect(bob, 3);
    Request write = Request.command(ClientId.of("bob"), 1,
        RedisOpCodec.encode(RedisOp.Set.of(bytes("y"), bytes("unsigned"))));
    three.send(new ClientMessage.Submit(21, write, true));
    // Without the signature t+1 = 2 carriers are needed; several rounds pass with one.
    assertThat(three.reply(21, 8)).as("an unsigned request on one carrier's word").isNull();
    // A copy only one replica heard is dropped after its wait; two carriers at once suffice.
    Answers two = connect(bob, 2);
    three.send(new ClientMessage.Submit(22, write, true));
    two.send(new ClientMessage.Submit(23, write, true));
    Reply second = two.reply(23, 60);
    assertThat(second).as("the same request when two replicas carry it").isNotNull();
    assertThat(second.status()).as(second.reason()).isEqualTo(Reply.Status.OK);
  }

  /** Answers on one key-authenticated connection to replica {@code id}. */
  private static Answers connect(FrameClient frames, int id) throws Exception {
    Answers answers = new Answers();
    answers.connection = frames.connect(config.replica(id).orElseThrow().client(),
        Integer.toString(id), config.keys().replicaKeys().get(id), answers)
        .get(30, TimeUnit.SECONDS);
    return answers;
  }

  private static final class Answers implements FrameHandler {
    final BlockingQueue<ClientMessage> received = new LinkedBlockingQueue<>();
    FrameConnection connection;

    @Override
    public void onFrame(FrameConnection c, byte[] payload) {
      received.add(ClientCodec.decode(payload));
    }

    void send(ClientMessage message) {
      assertThat(connection.send(ClientCodec.encode(message))).isTrue();
    }

    /** The reply tagged {@code tag}, or null if none came within {@code seconds}. */
    Reply reply(long tag, int seconds) throws InterruptedException {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      while (System.nanoTime() < end) {
        ClientMessage m = received.poll(100, TimeUnit.MILLISECONDS);
        if (m instanceof ClientMessage.Replied r && r.tag() == tag) {
          return r.reply();
        }
      }
      return null;
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

}
