package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.executor.ExecutorConfig;
import io.lockstep.machine.ClientId;
import io.lockstep.order.Coordination;
import io.lockstep.order.Input;
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
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who takes a client request at a replica that does not lead. Under fail-stop the loop
 * redirects it to the leader at once (nothing is ordered here). In the Byzantine model clients
 * send every request to every replica and a PBFT backup prepares only batches whose requests
 * it holds itself, so the loop must hand the request to the protocol: redirecting it is what
 * kept a real pbft cluster from committing anything.
 */
class EveryReplicaOrdersLoopTest {
  @TempDir Path dir;

  /** Replica 2, never the leader (replica 1 is); records the inputs it is given. */
  private static final class Backup implements Coordination {
    final List<Input> inputs = new CopyOnWriteArrayList<>();

    @Override
    public void step(Input input) {
      inputs.add(input);
    }

    @Override
    public Ready ready() {
      return Ready.EMPTY;
    }

    @Override
    public Status status() {
      return new Status(2, Role.FOLLOWER, 0, 1, 0, 0, 0);
    }

    @Override
    public long dropped() {
      return 0;
    }
  }

  /** Records how a request was answered. */
  private static final class Answers implements Origin {
    final List<Integer> redirects = new CopyOnWriteArrayList<>();

    @Override
    public void replied(Reply reply) {}

    @Override
    public void readResult(QueryResult result) {}

    @Override
    public void redirect(int leaderHint, String leaderAddress, String reason) {
      redirects.add(leaderHint);
    }

    @Override
    public void busy(String reason) {}
  }

  @Test
  void inTheByzantineModelABackupHandsTheRequestToTheProtocol() throws Exception {
    Backup backup = new Backup();
    Answers answers = submitToBackup(backup, true);
    assertThat(backup.inputs).filteredOn(i -> i instanceof Input.Propose).singleElement()
        .satisfies(i -> assertThat(((Input.Propose) i).request().sequence()).isEqualTo(1));
    assertThat(answers.redirects).as("not sent away to the primary").isEmpty();
  }

  @Test
  void underFailStopAFollowerRedirectsTheRequestToTheLeader() throws Exception {
    Backup follower = new Backup();
    Answers answers = submitToBackup(follower, false);
    assertThat(answers.redirects).containsExactly(1);
    assertThat(follower.inputs).noneMatch(i -> i instanceof Input.Propose);
  }

  /** Offers one request to a loop over {@code protocol}; waits until it was taken. */
  private Answers submitToBackup(Backup protocol, boolean everyReplicaOrders) throws Exception {
    AtomicReference<Throwable> failed = new AtomicReference<>();
    FileStorage storage = FileStorage.open(dir);
    GroupCommitLog log = GroupCommitLog.start(storage, GroupCommitLog.Options.defaults(),
        failed::set);
    Recovered recovered = storage.recover();
    Replica replica = new Replica(2, protocol,
        Replica.recover(new CounterMachine(), ExecutorConfig.defaults(2), recovered), 0, 0);
    ReplicaLoop loop = new ReplicaLoop(replica, RaftCodec.INSTANCE, log, new ServerMetrics(2),
        1_000, 60_000, id -> "replica-" + id, failed::set);
    loop.everyReplicaOrders(everyReplicaOrders);
    Thread thread = new Thread(loop, "test-loop");
    thread.start();
    Answers answers = new Answers();
    try {
      loop.offerSubmit(Request.command(ClientId.of("c"), 1,
          ByteBuffer.allocate(8).putLong(1).array()), answers);
      await(() -> !answers.redirects.isEmpty()
          || protocol.inputs.stream().anyMatch(i -> i instanceof Input.Propose));
      assertThat(failed.get()).isNull();
      return answers;
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
    assertThat(done.getAsBoolean()).as("the request was taken within 5 s").isTrue();
  }
}
