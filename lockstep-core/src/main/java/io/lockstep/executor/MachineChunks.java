package io.lockstep.executor;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The framing of the state machine's part of a version-3 executor snapshot: the machine writes a
 * stream of unknown length, so it is cut into chunks of {@code int length (1..MAX) + bytes},
 * ended by a zero length. Neither side ever holds more than one chunk.
 */
final class MachineChunks {
  /** Largest chunk written and accepted. */
  static final int MAX = 64 * 1024;

  private MachineChunks() {}

  /** Frames what is written to it into {@code out}; {@link #close} writes the end mark only. */
  static final class Writer extends OutputStream {
    private final DataOutputStream out;
    private final byte[] buffer = new byte[MAX];
    private int used;
    private boolean closed;

    Writer(DataOutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      if (used == MAX) {
        flushChunk();
      }
      buffer[used++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      while (len > 0) {
        if (used == MAX) {
          flushChunk();
        }
        int n = Math.min(len, MAX - used);
        System.arraycopy(b, off, buffer, used, n);
        used += n;
        off += n;
        len -= n;
      }
    }

    private void flushChunk() throws IOException {
      if (used > 0) {
        out.writeInt(used);
        out.write(buffer, 0, used);
        used = 0;
      }
    }

    /** Writes the last chunk and the end mark; leaves the underlying stream open. */
    @Override
    public void close() throws IOException {
      if (!closed) {
        closed = true;
        flushChunk();
        out.writeInt(0);
      }
    }
  }

  /**
   * Reads the machine's bytes back out of their chunks; end of stream at the end mark. A bad
   * length or a cut stream is an {@link IllegalArgumentException}, as for any corrupt snapshot.
   */
  static final class Reader extends InputStream {
    private final DataInputStream in;
    private int left;
    private boolean ended;

    Reader(DataInputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (!nextChunk()) {
        return -1;
      }
      int n = in.read(b, off, Math.min(len, left));
      if (n < 0) {
        throw new IllegalArgumentException("corrupt executor snapshot: machine state cut short");
      }
      left -= n;
      return n;
    }

    private boolean nextChunk() throws IOException {
      while (left == 0 && !ended) {
        int length;
        try {
          length = in.readInt();
        } catch (EOFException e) {
          throw new IllegalArgumentException("corrupt executor snapshot: machine state cut short",
              e);
        }
        if (length < 0 || length > MAX) {
          throw new IllegalArgumentException("corrupt executor snapshot: machine chunk of "
              + length + " bytes (at most " + MAX + ")");
        }
        ended = length == 0;
        left = length;
      }
      return !ended;
    }

    /** Skips what the machine left unread, up to the end mark; returns how many bytes. */
    long drain() throws IOException {
      long skipped = 0;
      while (nextChunk()) {
        in.skipNBytes(left);
        skipped += left;
        left = 0;
      }
      return skipped;
    }

    /** Nothing here is closed: the executor reads its trailer from the same stream. */
    @Override
    public void close() {}
  }
}
