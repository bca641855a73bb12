package io.lockstep.server.lock;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.machine.ClientId;
import io.lockstep.machine.Context;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * In a Byzantine cluster a read without 2t+1 matching answers (a read racing a grant, or a
 * lying replica) is resubmitted as an ordered request with the same bytes, so the lock
 * service's {@code apply} must answer a HOLDER query exactly as {@code query} does (RedisStore
 * does the same for its read-only commands), change nothing, and ask for no time-out.
 */
class LockServiceOrderedReadTest {
  private static final ClientId ALICE = ClientId.of("alice");
  private static final ClientId BOB = ClientId.of("bob");
  private static final ClientId CAROL = ClientId.of("carol");

  @Test
  void aHolderQueryOrderedAsARequestAnswersAsTheQueryAndChangesNothing() {
    LockService locks = new LockService();
    locks.apply(LockCodec.acquire("L", 60_000), new Ctx(ALICE, 1_000));
    locks.apply(LockCodec.acquire("L", 60_000), new Ctx(BOB, 1_001));
    byte[] before = locks.snapshot();
    for (ClientId caller : new ClientId[] {ALICE, BOB, CAROL}) {
      Ctx ordered = new Ctx(caller, 2_000);
      byte[] viaOrder = locks.apply(LockCodec.holder("L"), ordered);
      assertThat(viaOrder).as("%s", caller).isEqualTo(locks.query(LockCodec.holder("L"), caller));
      assertThat(ordered.scheduled).as("an ordered read schedules nothing").isZero();
    }
    LockCodec.State bob = LockCodec.decodeState(locks.apply(LockCodec.holder("L"),
        new Ctx(BOB, 2_000)));
    assertThat(bob.holder()).isEqualTo(ALICE);
    assertThat(bob.callerPosition()).isEqualTo(1);
    assertThat(locks.snapshot()).as("reads change no state").isEqualTo(before);
    assertThat(LockCodec.decodeState(locks.apply(LockCodec.holder("none"), new Ctx(CAROL, 3_000)))
        .holder()).isNull();
  }

  /** A context whose client is the caller, counting what the service schedules. */
  private static final class Ctx implements Context {
    private final ClientId client;
    private final long time;
    int scheduled;

    Ctx(ClientId client, long time) {
      this.client = client;
      this.time = time;
    }

    @Override
    public long time() {
      return time;
    }

    @Override
    public ClientId client() {
      return client;
    }

    @Override
    public long position() {
      return time;
    }

    @Override
    public RandomGenerator random() {
      return new SplittableRandom(1);
    }

    @Override
    public void schedule(byte[] command, long delayMillis) {
      scheduled++;
    }

    @Override
    public void expect(ClientId client, long deadline, byte[] defaultCommand) {
      scheduled++;
    }

    @Override
    public boolean isTimeout() {
      return false;
    }

    @Override
    public boolean isDefault() {
      return false;
    }
  }
}
