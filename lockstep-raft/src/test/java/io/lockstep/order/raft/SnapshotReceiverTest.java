package io.lockstep.order.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Input;
import io.lockstep.order.LogEntry;
import io.lockstep.order.Ready;
import io.lockstep.order.Recovered;
import io.lockstep.order.SnapshotData;
import io.lockstep.order.SnapshotReceiver;
import io.lockstep.request.Request;
import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * A follower hands the chunks of a snapshot it receives to the runtime's
 * {@link SnapshotReceiver} and keeps none of them: the real runtime writes them to a file, so a
 * follower catching up needs no heap for the received state (before, the chunks stayed on the
 * heap as "the latest snapshot" until the follower's own next snapshot).
 */
class SnapshotReceiverTest {
  private static final int CHUNK = SnapshotChunks.MAX_CHUNK_BYTES;
  private static final long INDEX = 10;

  /** Keeps only a count and a checksum, as a file-backed receiver does; logs what it is told. */
  private static final class Recording implements SnapshotReceiver {
    final List<String> events = new ArrayList<>();
    final CRC32C crc = new CRC32C();
    SnapshotData completed;

    @Override
    public Incoming begin(long index, long term, long size) {
      events.add("begin " + index);
      return new Incoming() {
        private long received;

        @Override
        public void append(byte[] chunk) {
          crc.update(chunk);
          received += chunk.length;
        }

        @Override
        public long received() {
          return received;
        }

        @Override
        public int crc32c() {
          return (int) crc.getValue();
        }

        @Override
        public SnapshotData complete() {
          events.add("complete " + index);
          completed = new Stored(size);
          return completed;
        }

        @Override
        public void abandon() {
          events.add("abandon " + index);
        }
      };
    }
  }

  /** Stands for a state in a file: a size, no bytes on the heap. */
  private record Stored(long size) implements SnapshotData {
    @Override
    public InputStream open() {
      throw new UnsupportedOperationException("not read in this test");
    }
  }

  private static Raft follower(SnapshotReceiver receiver) {
    Raft raft = new Raft(RaftConfig.defaults(1, Nodes.THREE), Recovered.EMPTY, 7, receiver);
    raft.step(new Input.Tick(Cluster.EPOCH, Cluster.EPOCH));
    raft.ready();
    return raft;
  }

  private static RaftMessage.InstallSnapshot chunk(long index, long size, long offset, byte fill) {
    byte[] data = new byte[(int) Math.min(CHUNK, size - offset)];
    java.util.Arrays.fill(data, fill);
    return new RaftMessage.InstallSnapshot(1, index, 1, index, Nodes.THREE, size,
        wholeChecksum(size, fill), offset, data);
  }

  /** The CRC32C of a state of {@code size} bytes that all hold {@code fill}. */
  private static int wholeChecksum(long size, byte fill) {
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    byte[] piece = new byte[CHUNK];
    java.util.Arrays.fill(piece, fill);
    for (long left = size; left > 0; left -= CHUNK) {
      crc.update(piece, 0, (int) Math.min(CHUNK, left));
    }
    return (int) crc.getValue();
  }

  @Test
  void aFollowerKeepsNoReceivedChunkOnItsHeap() {
    Recording receiver = new Recording();
    Raft raft = follower(receiver);
    long size = 4L * CHUNK;
    List<WeakReference<byte[]>> sent = new ArrayList<>();
    for (long offset = 0; offset < size - CHUNK; offset += CHUNK) {
      RaftMessage.InstallSnapshot m = chunk(INDEX, size, offset, (byte) offset);
      sent.add(new WeakReference<>(m.data()));
      Ready ready = Nodes.receive(raft, 2, m);
      assertThat(Nodes.sent(ready, RaftMessage.InstallSnapshotResponse.class).get(0).received())
          .isEqualTo(offset + CHUNK);
    }
    awaitCollected(sent);
    Ready last = Nodes.receive(raft, 2, chunk(INDEX, size, size - CHUNK, (byte) (size - CHUNK)));
    assertThat(last.install()).isNotNull();
    assertThat(last.install().data()).isSameAs(receiver.completed);
    assertThat(raft.snapshot().data()).isSameAs(receiver.completed);
    assertThat(last.writes()).anySatisfy(w -> assertThat(w)
        .isInstanceOf(io.lockstep.order.StorageWrite.SaveSnapshot.class));
    assertThat(receiver.events).containsExactly("begin 10", "complete 10");
  }

  @Test
  void aPartlyReceivedSnapshotIsAbandonedWhenAnotherOneStarts() {
    Recording receiver = new Recording();
    Raft raft = follower(receiver);
    Nodes.receive(raft, 2, chunk(INDEX, 3L * CHUNK, 0, (byte) 1));
    Nodes.receive(raft, 2, chunk(INDEX + 5, 3L * CHUNK, 0, (byte) 2));
    assertThat(receiver.events).containsExactly("begin 10", "abandon 10", "begin 15");
    Nodes.receive(raft, 2, chunk(INDEX + 5, 2L * CHUNK, 0, (byte) 3));
    assertThat(receiver.events).containsExactly("begin 10", "abandon 10", "begin 15",
        "abandon 15", "begin 15");
  }

  @Test
  void aPartlyReceivedSnapshotIsAbandonedOnceTheLogCommittedPastIt() {
    Recording receiver = new Recording();
    Raft raft = follower(receiver);
    Nodes.receive(raft, 2, chunk(INDEX, 3L * CHUNK, 0, (byte) 1));
    List<LogEntry> entries = new ArrayList<>();
    for (int i = 1; i <= INDEX + 2; i++) {
      entries.add(new LogEntry(i, 1, i, Request.command(Cluster.CLIENT, i, new byte[] {1})));
    }
    Nodes.receive(raft, 2, new RaftMessage.AppendEntries(1, 0, 0, entries, INDEX + 2));
    Ready late = Nodes.receive(raft, 2, chunk(INDEX, 3L * CHUNK, CHUNK, (byte) 2));
    assertThat(late.install()).isNull();
    assertThat(receiver.events).containsExactly("begin 10", "abandon 10");
  }

  /** Collects garbage until every chunk sent is gone; fails if any stays reachable. */
  private static void awaitCollected(List<WeakReference<byte[]>> chunks) {
    for (int attempt = 0; attempt < 50 && chunks.stream().anyMatch(r -> r.get() != null);
        attempt++) {
      System.gc();
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    assertThat(chunks).as("chunks still reachable after the follower answered them")
        .allSatisfy(r -> assertThat(r.get()).isNull());
  }
}
