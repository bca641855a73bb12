package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.executor.ExecutorConfig;
import io.lockstep.machine.ClientId;
import io.lockstep.order.Coordination;
import io.lockstep.order.Input;
import io.lockstep.order.MessageInterceptor;
import io.lockstep.order.Ordered;
import io.lockstep.order.Protocol;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.Ready;
import io.lockstep.order.Recovered;
import io.lockstep.order.Role;
import io.lockstep.order.Status;
import io.lockstep.order.raft.wire.RaftCodec;
import io.lockstep.replica.QueryResult;
import io.lockstep.replica.Replica;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import io.lockstep.storage.FileStorage;
import io.lockstep.storage.GroupCommitLog;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica process told to lie for a test ({@link TestMisbehaviour}): its loop passes every
 * reply through the protocol's behaviour while the executor underneath stays correct, an honest
 * replica's effects pass untouched, and what the protocol drops reaches the metrics by reason.
 */
class TestMisbehaviourLoopTest {
  @TempDir Path dir;

  /** A leader that orders every request at once and has dropped three forged votes. */
  private static final class Leader implements Coordination {
    private final List<Ordered> stable = new ArrayList<>();
    private long position;

    @Override
    public void step(Input input) {
      if (input instanceof Input.Propose p) {
        stable.add(new Ordered(++position, 1, p.request()));
      }
    }

    @Override
    public Ready ready() {
      Ready ready = new Ready(List.of(), List.of(), null, stable, List.of(), List.of());
      stable.clear();
      return ready;
    }

    @Override
    public Status status() {
      return new Status(1, Role.LEADER, 0, 1, position, position, 0);
    }

    @Override
    public long dropped() {
      return 3;
    }

    @Override
    public Map<String, Long> dropsByReason() {
      return Map.of("vote with a bad signature", 3L);
    }
  }

  /** Records the replies a client gets. */
  private static final class Client implements Origin {
    final List<Reply> replies = new CopyOnWriteArrayList<>();

    @Override
    public void replied(Reply reply) {
      replies.add(reply);
    }

    @Override
    public void readResult(QueryResult result) {}

    @Override
    public void redirect(int leaderHint, String leaderAddress, String reason) {}

    @Override
    public void busy(String reason) {}
  }

  private static final MessageInterceptor LIAR = new MessageInterceptor() {
    @Override
    public List<Ready.Outbound> intercept(int from, Ready.Outbound outbound,
        java.util.random.RandomGenerator random) {
      return List.of(outbound, outbound); // every message twice
    }

    @Override
    public Reply reply(Reply reply, java.util.random.RandomGenerator random) {
      return new Reply(reply.client(), reply.sequence(), reply.status(),
          "lie".getBytes(StandardCharsets.UTF_8), reply.reason(), reply.position(),
          reply.replica());
    }
  };

  @Test
  void aLyingReplicasClientGetsTheLieAndAnHonestOnesTheTruth() throws Exception {
    assertThat(answer(new TestMisbehaviour(1, new Protocol.TestBehaviour("liar", LIAR))))
        .isEqualTo("lie");
    byte[] truth = answerBytes(TestMisbehaviour.NONE);
    assertThat(ByteBuffer.wrap(truth).getLong()).as("the counter after adding 5").isEqualTo(5);
  }

  @Test
  void theBehaviourRewritesWhatIsSentAndAnHonestReplicaSendsItUnchanged() {
    List<Ready.Outbound> sent = List.of(new Ready.Outbound(2, new ProtocolMessage() {}));
    assertThat(TestMisbehaviour.NONE.messages(sent)).isSameAs(sent);
    assertThat(new TestMisbehaviour(1, new Protocol.TestBehaviour("liar", LIAR)).messages(sent))
        .hasSize(2);
    assertThat(new TestMisbehaviour(1, new Protocol.TestBehaviour("liar", LIAR)).warning())
        .contains("event=test_behaviour_active replica=1 behaviour=liar");
  }

  @Test
  void theProtocolsDropsReachTheMetricsByReason() throws Exception {
    ServerMetrics metrics = new ServerMetrics(1);
    answerBytes(TestMisbehaviour.NONE, metrics);
    assertThat(metrics.protocolDrops("vote with a bad signature")).isEqualTo(3);
    assertThat(metrics.scrape()).contains("lockstep_protocol_dropped_total{reason=\"vote with a"
        + " bad signature\",replica=\"1\"} 3.0");
  }

  @Test
  void dropReasonsShownAreBounded() {
    ServerMetrics metrics = new ServerMetrics(1);
    Map<String, Long> many = new java.util.TreeMap<>();
    for (int i = 0; i < ServerMetrics.MAX_DROP_REASONS + 10; i++) {
      many.put("reason " + i, 1L);
    }
    metrics.protocolDrops(many);
    assertThat(metrics.scrape().lines()
        .filter(l -> l.startsWith("lockstep_protocol_dropped_total{"))).hasSize(
            ServerMetrics.MAX_DROP_REASONS);
  }

  private String answer(TestMisbehaviour behaviour) throws Exception {
    return new String(answerBytes(behaviour), StandardCharsets.UTF_8);
  }

  private byte[] answerBytes(TestMisbehaviour behaviour) throws Exception {
    return answerBytes(behaviour, new ServerMetrics(1));
  }

  /** Adds 5 through a loop over {@link Leader} running {@code behaviour}; the reply's value. */
  private byte[] answerBytes(TestMisbehaviour behaviour, ServerMetrics metrics) throws Exception {
    AtomicReference<Throwable> failed = new AtomicReference<>();
    Path home = java.nio.file.Files.createTempDirectory(dir, "replica");
    FileStorage storage = FileStorage.open(home);
    GroupCommitLog log = GroupCommitLog.start(storage, GroupCommitLog.Options.defaults(),
        failed::set);
    Recovered recovered = storage.recover();
    Replica replica = new Replica(1, new Leader(),
        Replica.recover(new CounterMachine(), ExecutorConfig.defaults(1), recovered), 0, 0);
    ReplicaLoop loop = new ReplicaLoop(replica, RaftCodec.INSTANCE, log, metrics, 1_000, 60_000,
        id -> "replica-" + id, failed::set);
    loop.misbehave(behaviour);
    Thread thread = new Thread(loop, "test-loop");
    thread.start();
    Client client = new Client();
    try {
      loop.offerSubmit(Request.command(ClientId.of("c"), 1,
          ByteBuffer.allocate(8).putLong(5).array()), client);
      await(() -> !client.replies.isEmpty());
      assertThat(failed.get()).isNull();
      return client.replies.get(0).value();
    } finally {
      loop.stop();
      thread.join();
      log.close();
      storage.close();
    }
  }

  private static void await(BooleanSupplier done) throws InterruptedException {
    long end = System.nanoTime() + 5_000_000_000L;
    while (!done.getAsBoolean() && System.nanoTime() < end) {
      Thread.sleep(5);
    }
    assertThat(done.getAsBoolean()).as("answered within 5 s").isTrue();
  }
}
