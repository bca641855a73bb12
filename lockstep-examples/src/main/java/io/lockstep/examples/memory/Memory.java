package io.lockstep.examples.memory;

import io.lockstep.codec.WireReader;
import io.lockstep.codec.WireWriter;
import io.lockstep.machine.ClientId;
import io.lockstep.machine.Context;
import io.lockstep.machine.Rejection;
import io.lockstep.machine.StateMachine;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The paper's {@code memory} (§5.2, defensive programming): a word-addressed memory of longs
 * (every address reads 0 until written) in which each client may write only its own address
 * ranges. A write outside the caller's ranges is refused with a reason naming them, and changes
 * nothing, so a faulty client cannot corrupt another client's words. Reads are open to all.
 */
public final class Memory implements StateMachine {
  private static final int SNAPSHOT_VERSION = 1;

  private final Map<ClientId, List<WriteRange>> writeRanges;
  private final int maxCells;
  /** Written, non-zero words; sorted so snapshots are identical on every replica. */
  private final TreeMap<Long, Long> cells = new TreeMap<>();

  /**
   * @param writeRanges the ranges each client may write; clients not listed may only read
   * @param maxCells most non-zero words held; a write that would exceed it is refused
   */
  public Memory(Map<ClientId, List<WriteRange>> writeRanges, int maxCells) {
    Objects.requireNonNull(writeRanges, "writeRanges");
    if (maxCells < 1) {
      throw new IllegalArgumentException("maxCells must be positive, was " + maxCells);
    }
    TreeMap<ClientId, List<WriteRange>> copy = new TreeMap<>();
    writeRanges.forEach((client, ranges) -> copy.put(
        Objects.requireNonNull(client, "client"), List.copyOf(ranges)));
    this.writeRanges = copy;
    this.maxCells = maxCells;
  }

  @Override
  public byte[] apply(byte[] command, Context context) {
    Command decoded = decode(command);
    if (decoded.op() == MemoryCodec.READ) {
      return MemoryCodec.encodeValue(cells.getOrDefault(decoded.address(), 0L));
    }
    checkWritable(context.client(), decoded.address());
    long previous = cells.getOrDefault(decoded.address(), 0L);
    if (decoded.value() == 0) {
      cells.remove(decoded.address());
    } else {
      if (previous == 0 && cells.size() >= maxCells) {
        throw new Rejection("memory is full (" + maxCells + " non-zero words)");
      }
      cells.put(decoded.address(), decoded.value());
    }
    return MemoryCodec.encodeValue(previous);
  }

  @Override
  public byte[] query(byte[] query, ClientId caller) {
    Command decoded = decode(query);
    if (decoded.op() != MemoryCodec.READ) {
      throw new Rejection("only READ can run as a query");
    }
    return MemoryCodec.encodeValue(cells.getOrDefault(decoded.address(), 0L));
  }

  /** The word at {@code address} (for tests and tools). */
  public long peek(long address) {
    return cells.getOrDefault(address, 0L);
  }

  private void checkWritable(ClientId client, long address) {
    List<WriteRange> ranges = writeRanges.getOrDefault(client, List.of());
    for (WriteRange range : ranges) {
      if (range.contains(address)) {
        return;
      }
    }
    if (ranges.isEmpty()) {
      throw new Rejection("client " + client + " may not write: it has no write range");
    }
    throw new Rejection("address " + address + " is outside the write range of client " + client
        + ": " + ranges.stream().map(WriteRange::toString).collect(Collectors.joining(", ")));
  }

  @Override
  public byte[] snapshot() {
    WireWriter out = new WireWriter().writeByte(SNAPSHOT_VERSION).writeInt(cells.size());
    cells.forEach((address, value) -> out.writeLong(address).writeLong(value));
    return out.toByteArray();
  }

  @Override
  public void restore(byte[] snapshot) {
    WireReader in = new WireReader(snapshot, "memory snapshot");
    if (in.readByte() != SNAPSHOT_VERSION) {
      throw in.malformed("unsupported snapshot version");
    }
    int count = in.readInt();
    if (count < 0 || (long) count * 16 != in.remaining()) {
      throw in.malformed("cell count " + count + " does not match " + in.remaining() + " bytes");
    }
    TreeMap<Long, Long> restored = new TreeMap<>();
    for (int i = 0; i < count; i++) {
      restored.put(in.readLong(), in.readLong());
    }
    cells.clear();
    cells.putAll(restored);
  }

  private static Command decode(byte[] command) {
    WireReader in = new WireReader(command, "memory command");
    try {
      int version = in.readByte();
      if (version != MemoryCodec.VERSION) {
        throw in.malformed("unsupported version " + version);
      }
      int op = in.readByte();
      if (op != MemoryCodec.READ && op != MemoryCodec.WRITE) {
        throw in.malformed("unknown operation " + op);
      }
      long address = in.readLong();
      long value = op == MemoryCodec.WRITE ? in.readLong() : 0;
      in.end();
      return new Command(op, address, value);
    } catch (WireReader.MalformedException e) {
      throw new Rejection(e.getMessage());
    }
  }

  /** A decoded command. */
  private record Command(int op, long address, long value) {}
}
