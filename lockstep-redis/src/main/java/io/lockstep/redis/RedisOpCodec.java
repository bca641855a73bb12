package io.lockstep.redis;

import io.lockstep.codec.WireWriter;
import io.lockstep.machine.Rejection;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The binary form of {@link RedisOp}s: the bytes replicated through the log and given to
 * {@link RedisStore}. Layout, big-endian ({@code bytes} = u32 length + content, {@code list} =
 * u32 count + that many {@code bytes}):
 *
 * <pre>
 * u8 version (1), u8 opcode, then
 *   1 GET    bytes key
 *   2 MGET   list keys
 *   3 EXISTS list keys
 *   4 DEL    list keys
 *   5 SET    bytes key, bytes value, u8 condition, [bytes match if IFEQ/IFNE],
 *            u8 expiry, [i64 millis if RELATIVE/ABSOLUTE], u8 get (0/1)
 *   6 MSET   u32 pairs × { bytes key, bytes value }
 *   7 INCRBY bytes key, i64 delta
 *   8 EXPIRE i64 at                       (the store's own sweep time-out)
 *   9 EXPIREKEY bytes key, u8 command (EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT), i64 millis,
 *            u8 options (bit 0 NX, 1 XX, 2 GT, 3 LT)
 *  10 PERSIST bytes key
 *  11 TTL    bytes key, u8 command (TTL, PTTL, EXPIRETIME, PEXPIRETIME)
 *  12 MULTI  u32 count × { bytes op }    (each op a whole encoding of opcodes 1-7, 9-11)
 * </pre>
 *
 * <p>Opcodes 9 to 12 came after the first release of this format; they are additions, so the
 * version stays 1 (every earlier command decodes exactly as before).
 *
 * <p>Decoding trusts nothing (the bytes may come from a faulty replica or client, S17): every
 * length is checked against what is left before anything is allocated, trailing bytes are
 * refused, and every problem becomes a {@link Rejection} with a reason, never another exception.
 */
public final class RedisOpCodec {
  /** Format version written in the first byte. */
  public static final int VERSION = 1;

  private static final int GET = 1;
  private static final int MGET = 2;
  private static final int EXISTS = 3;
  private static final int DEL = 4;
  private static final int SET = 5;
  private static final int MSET = 6;
  private static final int INCRBY = 7;
  private static final int EXPIRE = 8;
  private static final int EXPIREKEY = 9;
  private static final int PERSIST = 10;
  private static final int TTL = 11;
  private static final int MULTI = 12;
  /**
   * Bytes of a MULTI's encoding besides its operations (version, opcode, count); each operation
   * adds its own length plus a 4-byte length prefix.
   */
  static final int MULTI_HEADER_BYTES = 6;
  /** Smallest nested operation: a 4-byte length prefix, version and opcode. */
  private static final int MIN_NESTED_BYTES = 6;

  private RedisOpCodec() {}

  /** Encodes an operation. */
  public static byte[] encode(RedisOp op) {
    WireWriter out = new WireWriter();
    out.writeByte(VERSION);
    if (op instanceof RedisOp.Get g) {
      out.writeByte(GET);
      out.writeBytes(g.key());
    } else if (op instanceof RedisOp.MGet m) {
      out.writeByte(MGET);
      writeList(out, m.keys());
    } else if (op instanceof RedisOp.Exists e) {
      out.writeByte(EXISTS);
      writeList(out, e.keys());
    } else if (op instanceof RedisOp.Del d) {
      out.writeByte(DEL);
      writeList(out, d.keys());
    } else if (op instanceof RedisOp.Set s) {
      encodeSet(out, s);
    } else if (op instanceof RedisOp.MSet m) {
      out.writeByte(MSET);
      out.writeInt(m.keys().size());
      for (int i = 0; i < m.keys().size(); i++) {
        out.writeBytes(m.keys().get(i));
        out.writeBytes(m.values().get(i));
      }
    } else if (op instanceof RedisOp.IncrBy i) {
      out.writeByte(INCRBY);
      out.writeBytes(i.key());
      out.writeLong(i.delta());
    } else if (op instanceof RedisOp.Expire e) {
      out.writeByte(EXPIRE);
      out.writeLong(e.at());
    } else if (op instanceof RedisOp.ExpireKey e) {
      encodeExpireKey(out, e);
    } else if (op instanceof RedisOp.Persist p) {
      out.writeByte(PERSIST);
      out.writeBytes(p.key());
    } else if (op instanceof RedisOp.Ttl t) {
      out.writeByte(TTL);
      out.writeBytes(t.key());
      out.writeByte(t.command().ordinal());
    } else if (op instanceof RedisOp.Multi m) {
      out.writeByte(MULTI);
      out.writeInt(m.ops().size());
      m.ops().forEach(inner -> out.writeBytes(encode(inner)));
    } else {
      throw new RedisOp.Invalid("unknown operation " + op);
    }
    return out.toByteArray();
  }

  private static void encodeSet(WireWriter out, RedisOp.Set s) {
    out.writeByte(SET);
    out.writeBytes(s.key());
    out.writeBytes(s.value());
    out.writeByte(s.condition().ordinal());
    if (s.match() != null) {
      out.writeBytes(s.match());
    }
    out.writeByte(s.expiry().ordinal());
    if (s.expiry() == RedisOp.Expiry.RELATIVE || s.expiry() == RedisOp.Expiry.ABSOLUTE) {
      out.writeLong(s.expiryMillis());
    }
    out.writeByte(s.get() ? 1 : 0);
  }

  private static void encodeExpireKey(WireWriter out, RedisOp.ExpireKey e) {
    out.writeByte(EXPIREKEY);
    out.writeBytes(e.key());
    out.writeByte(e.command().ordinal());
    out.writeLong(e.millis());
    int bits = 0;
    for (RedisOp.ExpireOption option : e.options()) {
      bits |= 1 << option.ordinal();
    }
    out.writeByte(bits);
  }

  /**
   * Decodes an operation.
   *
   * @throws Rejection with {@code ERR malformed command: ...} if the bytes are not exactly one
   *     valid operation
   */
  public static RedisOp decode(byte[] bytes) {
    if (bytes == null) {
      throw new Rejection("ERR malformed command: no bytes");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      int version = in.get() & 0xFF;
      if (version != VERSION) {
        throw new Rejection("ERR malformed command: unsupported version " + version);
      }
      RedisOp op = decodeBody(in.get() & 0xFF, in);
      if (in.hasRemaining()) {
        throw new Rejection("ERR malformed command: " + in.remaining() + " trailing bytes");
      }
      return op;
    } catch (BufferUnderflowException e) {
      throw new Rejection("ERR malformed command: truncated");
    } catch (RedisOp.Invalid e) {
      throw new Rejection("ERR malformed command: " + e.getMessage());
    } catch (IllegalArgumentException e) {
      // The refusal is a replicated reply: a JDK exception's wording may differ by version.
      throw new Rejection("ERR malformed command");
    }
  }

  private static RedisOp decodeBody(int opcode, ByteBuffer in) {
    return switch (opcode) {
      case GET -> new RedisOp.Get(bytes(in));
      case MGET -> new RedisOp.MGet(list(in));
      case EXISTS -> new RedisOp.Exists(list(in));
      case DEL -> new RedisOp.Del(list(in));
      case SET -> decodeSet(in);
      case MSET -> decodeMSet(in);
      case INCRBY -> new RedisOp.IncrBy(bytes(in), in.getLong());
      case EXPIRE -> new RedisOp.Expire(in.getLong());
      case EXPIREKEY -> decodeExpireKey(in);
      case PERSIST -> new RedisOp.Persist(bytes(in));
      case TTL -> new RedisOp.Ttl(bytes(in),
          enumAt(RedisOp.TtlCommand.values(), in.get(), "TTL command"));
      case MULTI -> decodeMulti(in);
      default -> throw new Rejection("ERR malformed command: unknown opcode " + opcode);
    };
  }

  private static RedisOp decodeSet(ByteBuffer in) {
    byte[] key = bytes(in);
    byte[] value = bytes(in);
    RedisOp.Condition condition = enumAt(RedisOp.Condition.values(), in.get(), "condition");
    byte[] match = condition == RedisOp.Condition.IFEQ || condition == RedisOp.Condition.IFNE
        ? bytes(in) : null;
    RedisOp.Expiry expiry = enumAt(RedisOp.Expiry.values(), in.get(), "expiry");
    long millis = expiry == RedisOp.Expiry.RELATIVE || expiry == RedisOp.Expiry.ABSOLUTE
        ? in.getLong() : 0;
    byte get = in.get();
    if (get != 0 && get != 1) {
      throw new RedisOp.Invalid("GET flag " + get);
    }
    return new RedisOp.Set(key, value, condition, match, expiry, millis, get == 1);
  }

  private static RedisOp decodeExpireKey(ByteBuffer in) {
    byte[] key = bytes(in);
    RedisOp.ExpireCommand command =
        enumAt(RedisOp.ExpireCommand.values(), in.get(), "expire command");
    long millis = in.getLong();
    int bits = in.get() & 0xFF;
    RedisOp.ExpireOption[] all = RedisOp.ExpireOption.values();
    if (bits >>> all.length != 0) {
      throw new RedisOp.Invalid("unknown expire option bits " + bits);
    }
    Set<RedisOp.ExpireOption> options = EnumSet.noneOf(RedisOp.ExpireOption.class);
    for (RedisOp.ExpireOption option : all) {
      if ((bits & 1 << option.ordinal()) != 0) {
        options.add(option);
      }
    }
    return new RedisOp.ExpireKey(key, command, millis, options);
  }

  /**
   * Each nested operation is decoded as a whole command (version, opcode, no trailing bytes);
   * a nested MULTI is refused before it is decoded, so that hostile bytes cannot nest deeply
   * enough to exhaust the stack.
   */
  private static RedisOp decodeMulti(ByteBuffer in) {
    int n = count(in, MIN_NESTED_BYTES);
    List<RedisOp> ops = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] nested = bytes(in);
      if (nested.length >= 2 && (nested[1] & 0xFF) == MULTI) {
        throw new RedisOp.Invalid("a transaction cannot hold a transaction");
      }
      ops.add(decode(nested));
    }
    return new RedisOp.Multi(ops);
  }

  private static RedisOp decodeMSet(ByteBuffer in) {
    int pairs = count(in, 8);
    List<byte[]> keys = new ArrayList<>(pairs);
    List<byte[]> values = new ArrayList<>(pairs);
    for (int i = 0; i < pairs; i++) {
      keys.add(bytes(in));
      values.add(bytes(in));
    }
    return new RedisOp.MSet(keys, values);
  }

  private static <E extends Enum<E>> E enumAt(E[] values, byte b, String what) {
    int i = b & 0xFF;
    if (i >= values.length) {
      throw new RedisOp.Invalid("unknown " + what + " " + i);
    }
    return values[i];
  }

  private static byte[] bytes(ByteBuffer in) {
    int length = in.getInt();
    if (length < 0 || length > in.remaining()) {
      throw new RedisOp.Invalid("length " + length + " exceeds the "
          + in.remaining() + " bytes left");
    }
    byte[] b = new byte[length];
    in.get(b);
    return b;
  }

  private static List<byte[]> list(ByteBuffer in) {
    int n = count(in, 4);
    List<byte[]> items = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      items.add(bytes(in));
    }
    return items;
  }

  private static void writeList(WireWriter out, List<byte[]> items) {
    out.writeInt(items.size());
    items.forEach(out::writeBytes);
  }

  /** A count of items that take at least {@code minItemBytes} each, checked against the rest. */
  private static int count(ByteBuffer in, int minItemBytes) {
    int n = in.getInt();
    if (n < 0 || n > in.remaining() / minItemBytes) {
      throw new RedisOp.Invalid("count " + n + " exceeds the " + in.remaining()
          + " bytes left");
    }
    return n;
  }
}
