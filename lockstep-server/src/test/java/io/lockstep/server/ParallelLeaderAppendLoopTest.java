package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.executor.ExecutorConfig;
import io.lockstep.machine.ClientId;
import io.lockstep.order.Recovered;
import io.lockstep.order.Role;
import io.lockstep.order.raft.Raft;
import io.lockstep.order.raft.RaftConfig;
import io.lockstep.order.raft.wire.RaftCodec;
import io.lockstep.order.raft.RaftMessage;
import io.lockstep.redis.RedisOp;
import io.lockstep.redis.RedisOpCodec;
import io.lockstep.redis.RedisStore;
import io.lockstep.replica.Replica;
import io.lockstep.request.Request;
import io.lockstep.server.wire.PeerEnvelope;
import io.lockstep.storage.FileStorage;
import io.lockstep.storage.GroupCommitLog;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loop with parallel leader appends (dissertation §10.2.1): a leader's AppendEntries leave
 * before its own fsync, but the leader counts itself toward a commit only once the fsync is
 * reported, so a commit (and its client answer) still needs a durable majority.
 */
class ParallelLeaderAppendLoopTest {
  @TempDir Path dir;

  private record Sent(int to, RaftMessage message, boolean resendable) {}

  @Test
  void appendEntriesLeaveBeforeTheLeadersFsyncButItsOwnCopyIsNotCountedUntilReported()
      throws Exception {
    DurabilityTest.GatedStorage storage = new DurabilityTest.GatedStorage(FileStorage.open(dir));
    AtomicReference<Throwable> failed = new AtomicReference<>();
    GroupCommitLog log = GroupCommitLog.start(storage, GroupCommitLog.Options.defaults(),
        failed::set);
    Recovered recovered = storage.recover();
    RaftConfig config = RaftConfig.defaults(1, List.of(1, 2, 3)).withTimeouts(100, 20)
        .withElectionSafeguards(false, false).withParallelLeaderAppend(true);
    Replica replica = new Replica(1, new Raft(config, recovered, 7),
        Replica.recover(new RedisStore(), ExecutorConfig.defaults(1), recovered), 0, 0);
    ReplicaLoop loop = new ReplicaLoop(replica, RaftCodec.INSTANCE, log, new ServerMetrics(1),
        1_000, 60_000, id -> "", failed::set);
    List<Sent> sent = new CopyOnWriteArrayList<>();
    loop.peers((to, payload, resendable) -> sent.add(new Sent(to, RaftCodec.INSTANCE.decode(
        ((PeerEnvelope.Payload.Protocol) PeerEnvelope.decode(payload)).message()), resendable)));
    Thread thread = new Thread(loop, "test-loop");
    thread.start();
    try {
      // The peers answer its first-start check (it started empty): nobody remembers it.
      loop.offerPeer(2, new RaftMessage.IncarnationAnswer(0, 0));
      loop.offerPeer(3, new RaftMessage.IncarnationAnswer(0, 0));
      tickUntil(loop, () -> loop.status().role() == Role.CANDIDATE);
      loop.offerPeer(2, new RaftMessage.RequestVoteResponse(loop.status().term(), true));
      tickUntil(loop, () -> loop.status().role() == Role.LEADER);
      long term = loop.status().term();
      long noOp = loop.status().lastIndex();
      ack(loop, term, noOp);
      tickUntil(loop, () -> loop.status().commitIndex() == noOp);

      storage.close(true); // the leader's fsync now blocks
      DurabilityTest.Recording origin = new DurabilityTest.Recording();
      loop.offerSubmit(set(), origin);
      long index = noOp + 1;
      tickUntil(loop, () -> sent.stream().anyMatch(s -> s.to() == 2
          && s.message() instanceof RaftMessage.AppendEntries a
          && a.entries().stream().anyMatch(e -> e.index() == index)));
      // A full peer queue may drop what Raft resends (AppendEntries), never a vote request.
      assertThat(sent).filteredOn(x -> x.message() instanceof RaftMessage.AppendEntries)
          .isNotEmpty().allMatch(Sent::resendable);
      assertThat(sent).filteredOn(x -> x.message() instanceof RaftMessage.RequestVote)
          .isNotEmpty().noneMatch(Sent::resendable);
      ack(loop, term, index); // follower 2 durable; the leader is not: 1 of 3
      Thread.sleep(100);
      assertThat(loop.status().commitIndex()).as("not committed on the leader's unsynced copy")
          .isEqualTo(noOp);
      assertThat(origin.replies).isEmpty();

      storage.close(false); // the leader's fsync returns and is reported
      tickUntil(loop, () -> !origin.replies.isEmpty());
      // The loop publishes its status after the batch whose commit released the reply.
      tickUntil(loop, () -> loop.status().commitIndex() == index);
      assertThat(storage.syncedWhenReleased).isTrue();
      assertThat(failed.get()).isNull();
    } finally {
      storage.close(false);
      loop.stop();
      thread.join();
      log.close();
      storage.close();
    }
  }

  private static void ack(ReplicaLoop loop, long term, long index) {
    loop.offerPeer(2, new RaftMessage.AppendEntriesResponse(term, true, index, 0, 0, 0));
  }

  private static void tickUntil(ReplicaLoop loop, BooleanSupplier done)
      throws InterruptedException {
    long end = System.nanoTime() + 5_000_000_000L;
    while (!done.getAsBoolean() && System.nanoTime() < end) {
      loop.tick();
      Thread.sleep(5);
    }
    assertThat(done.getAsBoolean()).as("condition reached within 5 s").isTrue();
  }

  private static Request set() {
    return Request.command(ClientId.of("c"), 1,
        RedisOpCodec.encode(RedisOp.Set.of("k".getBytes(), "v".getBytes())));
  }
}
