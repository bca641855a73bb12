package io.lockstep.server;

import io.lockstep.machine.ClientId;
import io.lockstep.machine.Context;
import io.lockstep.machine.StateMachine;
import java.nio.ByteBuffer;

/**
 * A counter of applied commands. Deterministic, or, to test divergence detection, deliberately
 * not: the noisy variant mixes {@code System.nanoTime()} into its state at every command, as a
 * user's machine that reads the clock would.
 */
final class TallyMachine implements StateMachine {
  private final boolean noisy;
  private long count;
  private long noise;

  TallyMachine(boolean noisy) {
    this.noisy = noisy;
  }

  @Override
  public byte[] apply(byte[] command, Context context) {
    count++;
    if (noisy) {
      noise = noise * 31 + System.nanoTime();
    }
    return ByteBuffer.allocate(8).putLong(count).array();
  }

  @Override
  public byte[] query(byte[] query, ClientId caller) {
    return ByteBuffer.allocate(8).putLong(count).array();
  }

  @Override
  public byte[] snapshot() {
    return ByteBuffer.allocate(16).putLong(count).putLong(noise).array();
  }

  @Override
  public void restore(byte[] snapshot) {
    ByteBuffer in = ByteBuffer.wrap(snapshot);
    count = in.getLong();
    noise = in.getLong();
  }
}
