package io.lockstep.examples.kv;

import io.lockstep.codec.WireReader;
import io.lockstep.codec.WireWriter;
import io.lockstep.machine.ClientId;
import io.lockstep.machine.Context;
import io.lockstep.machine.Rejection;
import io.lockstep.machine.StateMachine;
import java.util.Map;
import java.util.TreeMap;

/**
 * A replicated key-value store (X6): get, put, delete, compare-and-set and increment over string
 * keys and values, encoded by {@link KvCodec}.
 *
 * <p>Deterministic (paper §1): the state is a sorted map, so snapshots of equal states are
 * byte-identical on every replica. Defensive (paper §5.2): malformed commands, unknown opcodes,
 * oversized keys or values and increments of non-integers are refused with a {@link Rejection}
 * before any state changes.
 */
public final class KvStore implements StateMachine {
  private static final int SNAPSHOT_VERSION = 1;

  private final TreeMap<String, String> data = new TreeMap<>();

  @Override
  public byte[] apply(byte[] command, Context context) {
    KvCommand decoded = decode(command);
    if (decoded instanceof KvCommand.Get get) {
      return KvCodec.encodeValue(data.get(get.key()));
    }
    if (decoded instanceof KvCommand.Put put) {
      return KvCodec.encodeValue(data.put(put.key(), put.value()));
    }
    if (decoded instanceof KvCommand.Delete delete) {
      return KvCodec.encodeBoolean(data.remove(delete.key()) != null);
    }
    if (decoded instanceof KvCommand.Cas cas) {
      return KvCodec.encodeBoolean(compareAndSet(cas));
    }
    return KvCodec.encodeLong(increment((KvCommand.Increment) decoded));
  }

  /** Only GET may run as a query (paper §3: read-only requests need no ordering). */
  @Override
  public byte[] query(byte[] query, ClientId caller) {
    KvCommand decoded = decode(query);
    if (!(decoded instanceof KvCommand.Get get)) {
      throw new Rejection("only GET can run as a query, not " + decoded.getClass().getSimpleName()
          .toUpperCase(java.util.Locale.ROOT));
    }
    return KvCodec.encodeValue(data.get(get.key()));
  }

  @Override
  public byte[] snapshot() {
    WireWriter out = new WireWriter().writeByte(SNAPSHOT_VERSION).writeInt(data.size());
    for (Map.Entry<String, String> e : data.entrySet()) {
      out.writeString(e.getKey()).writeString(e.getValue());
    }
    return out.toByteArray();
  }

  @Override
  public void restore(byte[] snapshot) {
    WireReader in = new WireReader(snapshot, "kv snapshot");
    int version = in.readByte();
    if (version != SNAPSHOT_VERSION) {
      throw in.malformed("unsupported snapshot version " + version);
    }
    int count = in.readInt();
    if (count < 0 || (long) count * 8 > in.remaining()) {
      throw in.malformed("entry count " + count + " does not fit in " + in.remaining() + " bytes");
    }
    TreeMap<String, String> restored = new TreeMap<>();
    for (int i = 0; i < count; i++) {
      String key = in.readString("key", KvCodec.MAX_KEY_BYTES);
      restored.put(key, in.readString("value", KvCodec.MAX_VALUE_BYTES));
    }
    in.end();
    data.clear();
    data.putAll(restored);
  }

  /** The current value of {@code key}, or null (for tests and tools). */
  public String get(String key) {
    return data.get(key);
  }

  /** The number of keys. */
  public int size() {
    return data.size();
  }

  private boolean compareAndSet(KvCommand.Cas cas) {
    String current = data.get(cas.key());
    boolean matches = cas.expected() == null ? current == null : cas.expected().equals(current);
    if (matches) {
      data.put(cas.key(), cas.value());
    }
    return matches;
  }

  private long increment(KvCommand.Increment incr) {
    String current = data.get(incr.key());
    long value;
    try {
      value = current == null ? 0 : Long.parseLong(current);
    } catch (NumberFormatException e) {
      throw new Rejection("INCR of key '" + incr.key() + "' whose value is not an integer");
    }
    long next;
    try {
      next = Math.addExact(value, incr.delta());
    } catch (ArithmeticException e) {
      throw new Rejection("INCR of key '" + incr.key() + "' overflows a 64-bit integer");
    }
    data.put(incr.key(), Long.toString(next));
    return next;
  }

  private static KvCommand decode(byte[] command) {
    try {
      return KvCodec.decode(command);
    } catch (WireReader.MalformedException e) {
      throw new Rejection(e.getMessage());
    }
  }
}
