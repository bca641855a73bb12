package io.lockstep.examples.mutex;

import static io.lockstep.examples.Harness.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.examples.Harness;
import io.lockstep.machine.ClientId;
import io.lockstep.request.Reply;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Paper §5.2: the mutex with time-outs, driven through a real executor's schedule. */
class MutexTest {
  private static final long B = 100;
  private final Mutex mutex = new Mutex(B, 8);
  private final Harness lock = new Harness(mutex);

  private MutexCodec.LockState state() {
    return MutexCodec.decodeState(lock.executor.query(ClientId.of("observer"),
        MutexCodec.holder()));
  }

  private MutexCodec.Acquired acquire(String client, long time) {
    return MutexCodec.decodeAcquired(ok(lock.send(client, MutexCodec.acquire(), time)));
  }

  @Test
  void aFreeLockIsGrantedAtTheAgreedTimeAndOthersQueue() {
    assertThat(acquire("a", 1_000)).isEqualTo(new MutexCodec.Acquired(true, 1_000, 0));
    assertThat(acquire("b", 1_010)).isEqualTo(new MutexCodec.Acquired(false, 0, 1));
    assertThat(acquire("c", 1_020)).isEqualTo(new MutexCodec.Acquired(false, 0, 2));
    assertThat(acquire("b", 1_030)).isEqualTo(new MutexCodec.Acquired(false, 0, 1));
    assertThat(state()).isEqualTo(
        new MutexCodec.LockState(Optional.of(ClientId.of("a")), 1_000, 2));
  }

  @Test
  void lockPassesToTheNextWaiterWhenTheHolderExceedsB() {
    acquire("a", 1_000);
    acquire("b", 1_010);
    lock.tick(1_099);
    assertThat(state().holder()).contains(ClientId.of("a"));
    lock.tick(1_100);
    assertThat(state()).isEqualTo(
        new MutexCodec.LockState(Optional.of(ClientId.of("b")), 1_100, 0));
  }

  @Test
  void aHandOverSchedulesItsOwnTimeout() {
    acquire("a", 1_000);
    acquire("b", 1_010);
    acquire("c", 1_020);
    lock.tick(1_100);
    assertThat(state().holder()).contains(ClientId.of("b"));
    assertThat(lock.executor.nextDue()).hasValue(1_200);
    lock.tick(1_200);
    assertThat(state().holder()).contains(ClientId.of("c"));
    lock.tick(1_300);
    assertThat(state().holder()).isEmpty();
    assertThat(lock.executor.nextDue()).isEmpty();
  }

  @Test
  void aStaleTimeoutFromAnEarlierGrantIsIgnored() {
    acquire("a", 1_000);
    acquire("b", 1_010);
    ok(lock.send("a", MutexCodec.release(), 1_050));
    assertThat(state()).isEqualTo(
        new MutexCodec.LockState(Optional.of(ClientId.of("b")), 1_050, 0));
    lock.tick(1_100);
    assertThat(state().holder()).contains(ClientId.of("b"));
    lock.tick(1_150);
    assertThat(state().holder()).isEmpty();
  }

  @Test
  void releaseIsRefusedUnlessFromTheHolderAndChangesNothing() {
    acquire("a", 1_000);
    acquire("b", 1_010);
    String before = lock.executor.digest();
    Reply reply = lock.send("b", MutexCodec.release(), 1_020);
    assertThat(reply.status()).isEqualTo(Reply.Status.REJECTED);
    assertThat(reply.reason()).isEqualTo("release ignored: b does not hold the lock");
    assertThat(state().holder()).contains(ClientId.of("a"));
    assertThat(mutex.snapshot()).isNotEmpty();
    assertThat(lock.executor.digest()).isNotEqualTo(before);
  }

  @Test
  void clientsCannotSendTimeouts() {
    acquire("a", 1_000);
    Reply reply = lock.send("b", MutexCodec.timeout(1_000), 1_010);
    assertThat(reply.reason()).contains("only by the mutex's own schedule");
    assertThat(state().holder()).contains(ClientId.of("a"));
  }

  @Test
  void malformedCommandsAreRejected() {
    assertThat(lock.send("a", new byte[] {1, 9}, 1).reason()).contains("unknown operation 9");
    assertThat(lock.send("a", new byte[] {2, 1}, 2).reason()).contains("unsupported version 2");
    assertThat(lock.send("a", new byte[] {1, 3, 0}, 3).reason()).contains("truncated");
    assertThatThrownBy(() -> lock.executor.query(ClientId.of("a"), MutexCodec.acquire()))
        .hasMessageContaining("only mutex query");
  }

  @Test
  void snapshotRoundTripKeepsHolderTimeAndQueue() {
    acquire("a", 1_000);
    acquire("b", 1_010);
    acquire("c", 1_020);
    Mutex copy = new Mutex(B, 8);
    copy.restore(mutex.snapshot());
    assertThat(copy.snapshot()).isEqualTo(mutex.snapshot());
    assertThatThrownBy(() -> copy.restore(new byte[] {1, 1})).isInstanceOf(
        IllegalArgumentException.class);
  }

  @Test
  void fullQueueRefusesFurtherAcquires() {
    Harness small = new Harness(new Mutex(B, 1));
    small.send("a", MutexCodec.acquire(), 1);
    small.send("b", MutexCodec.acquire(), 2);
    assertThat(small.send("c", MutexCodec.acquire(), 3).reason()).contains("queue is full");
  }
}
