package io.lockstep.executor;

import io.lockstep.machine.SnapshotWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The executor's whole replicated state as it was at {@link #position()}, captured on the
 * replica's thread by {@link Executor#captureSnapshot()} and written later, possibly on another
 * thread, in the format of {@link SnapshotFormat} (X2).
 *
 * <p>Capturing costs the executor's own bounded state (sessions, timers, copies, encoded at
 * once) and whatever the state machine's {@link io.lockstep.machine.StateMachine#captureSnapshot}
 * costs; writing streams the machine's part, so the encoded state is never whole in memory.
 */
public final class CapturedSnapshot {
  private final long position;
  private final long time;
  private final byte[] executorPart;
  private final SnapshotWriter machine;
  private final boolean compared;
  private boolean written;

  CapturedSnapshot(long position, long time, byte[] executorPart, SnapshotWriter machine) {
    this(position, time, executorPart, machine, false);
  }

  private CapturedSnapshot(long position, long time, byte[] executorPart, SnapshotWriter machine,
      boolean compared) {
    this.position = position;
    this.time = time;
    this.executorPart = executorPart;
    this.machine = machine;
    this.compared = compared;
  }

  /**
   * This capture, marked as one whose digest replicas also compare (S1): whoever writes it takes
   * the digest in the same pass ({@link #writeDigestedTo}), so a snapshot due at a compared
   * position costs one pass over the state instead of two, and one capture held instead of two.
   * Use this instead of the capture it was made from.
   */
  public CapturedSnapshot compared() {
    return new CapturedSnapshot(position, time, executorPart, machine, true);
  }

  /** Whether its digest is compared as well ({@link #compared()}). */
  public boolean isCompared() {
    return compared;
  }

  /** The last applied position the state includes. */
  public long position() {
    return position;
  }

  /**
   * Writes the encoded snapshot to {@code out} (left open); at most once, since a machine's
   * capture may be consumed by writing it.
   *
   * @throws IllegalStateException if called a second time
   */
  public synchronized void writeTo(OutputStream out) throws IOException {
    if (written) {
      throw new IllegalStateException("the snapshot at " + position + " was already written");
    }
    written = true;
    SnapshotFormat.write(position, time, executorPart, machine, out);
  }

  /**
   * Hex SHA-256 of the encoded snapshot, streamed (never encoded whole in memory): what
   * replicas compare to detect divergence (S1). Consumes the capture, as {@link #writeTo} does;
   * it costs a pass over the whole state, so the server runs it off the replica's loop.
   */
  public String digest() {
    // Streamed into the digest: a large state is never encoded whole in memory for it.
    try {
      return writeDigestedTo(OutputStream.nullOutputStream());
    } catch (IOException e) {
      throw new UncheckedIOException("digesting the snapshot failed", e);
    }
  }

  /**
   * Writes the encoded snapshot to {@code out} as {@link #writeTo} does and returns its hex
   * SHA-256, taken from the same bytes in the same pass: {@link #digest()} of this state.
   */
  public String writeDigestedTo(OutputStream out) throws IOException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
    writeTo(new DigestOutputStream(out, sha));
    return HexFormat.of().formatHex(sha.digest());
  }

  /** The encoded snapshot in one array: for small states, tests and the simulator. */
  public byte[] toByteArray() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException("writing a snapshot into memory failed", e);
    }
    return out.toByteArray();
  }
}
