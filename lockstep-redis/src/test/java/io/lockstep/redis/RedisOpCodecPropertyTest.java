package io.lockstep.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.machine.ClientId;
import io.lockstep.machine.Rejection;
import io.lockstep.order.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class RedisOpCodecPropertyTest {
  private static Arbitrary<byte[]> bytes() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(12);
  }

  @Provide
  Arbitrary<RedisOp> ops() {
    Arbitrary<List<byte[]>> keys = bytes().list().ofMinSize(1).ofMaxSize(4);
    Arbitrary<RedisOp> set = Combinators.combine(bytes(), bytes(),
        Arbitraries.of(RedisOp.Condition.class), bytes(), Arbitraries.of(RedisOp.Expiry.class),
        Arbitraries.longs().between(1, Long.MAX_VALUE), Arbitraries.of(true, false))
        .as((k, v, cond, match, exp, millis, get) -> new RedisOp.Set(k, v, cond,
            cond == RedisOp.Condition.IFEQ || cond == RedisOp.Condition.IFNE ? match : null, exp,
            exp == RedisOp.Expiry.RELATIVE || exp == RedisOp.Expiry.ABSOLUTE ? millis : 0, get));
    return Arbitraries.oneOf(
        bytes().map(RedisOp.Get::new),
        keys.map(RedisOp.MGet::new),
        keys.map(RedisOp.Exists::new),
        keys.map(RedisOp.Del::new),
        set,
        keys.map(k -> new RedisOp.MSet(k, k)),
        Combinators.combine(bytes(), Arbitraries.longs()).as(RedisOp.IncrBy::new),
        Arbitraries.longs().map(RedisOp.Expire::new),
        expireKeys(),
        bytes().map(RedisOp.Persist::new),
        Combinators.combine(bytes(), Arbitraries.of(RedisOp.TtlCommand.class))
            .as(RedisOp.Ttl::new));
  }

  @Provide
  Arbitrary<RedisOp> multis() {
    return ops().filter(op -> !(op instanceof RedisOp.Expire)).list().ofMaxSize(5)
        .map(RedisOp.Multi::new);
  }

  private static Arbitrary<RedisOp> expireKeys() {
    Arbitrary<Set<RedisOp.ExpireOption>> options = Arbitraries.subsetOf(
        RedisOp.ExpireOption.values()).filter(o -> RedisOp.ExpireKey.incompatibility(o) == null);
    return Combinators.combine(bytes(), Arbitraries.of(RedisOp.ExpireCommand.class),
        Arbitraries.longs(), options).as(RedisOp.ExpireKey::new);
  }

  /** The options byte: bit 0 NX, 1 XX, 2 GT, 3 LT; the command byte indexes the enum. */
  private static byte[] expireKeyBytes(int command, int optionBits) {
    byte[] good = RedisOpCodec.encode(RedisOp.ExpireKey.of(new byte[] {'k'},
        RedisOp.ExpireCommand.EXPIRE, 5));
    good[good.length - 10] = (byte) command;
    good[good.length - 1] = (byte) optionBits;
    return good;
  }

  @Example
  void expireKeyWithUnknownOrIncompatibleOptionsOrUnknownCommandIsRejected() {
    RedisOp.ExpireKey valid = (RedisOp.ExpireKey) RedisOpCodec.decode(expireKeyBytes(3, 0b1010));
    assertThat(valid.command()).isEqualTo(RedisOp.ExpireCommand.PEXPIREAT);
    assertThat(valid.options()).containsExactlyInAnyOrder(RedisOp.ExpireOption.XX,
        RedisOp.ExpireOption.LT);
    for (byte[] bad : List.of(expireKeyBytes(4, 0), expireKeyBytes(0, 0b1_0000),
        expireKeyBytes(0, 0b0011), expireKeyBytes(0, 0b1100))) {
      assertThatThrownBy(() -> RedisOpCodec.decode(bad)).isInstanceOf(Rejection.class)
          .hasMessageStartingWith("ERR malformed command");
    }
  }

  @Property(tries = 500)
  void encodingRoundTripsToTheSameBytes(@ForAll("ops") RedisOp op) {
    byte[] encoded = RedisOpCodec.encode(op);
    RedisOp decoded = RedisOpCodec.decode(encoded);
    assertThat(decoded.getClass()).isEqualTo(op.getClass());
    assertThat(RedisOpCodec.encode(decoded)).isEqualTo(encoded);
  }

  @Property(tries = 500)
  void damagedCommandsAreRejectedWithAReasonOrStillDecode(@ForAll("ops") RedisOp op,
      @ForAll @IntRange(min = 0, max = 500) int at, @ForAll byte value,
      @ForAll @IntRange(min = 0, max = 500) int cut) {
    byte[] damaged = RedisOpCodec.encode(op);
    damaged[at % damaged.length] = value;
    damaged = java.util.Arrays.copyOf(damaged, Math.min(damaged.length, cut));
    try {
      RedisOp decoded = RedisOpCodec.decode(damaged);
      assertThat(RedisOpCodec.encode(decoded)).isEqualTo(damaged);
    } catch (Rejection refused) {
      assertThat(refused.getMessage()).startsWith("ERR malformed command");
    }
  }

  @Property(tries = 300)
  void transactionRoundTripsToTheSameBytesAndTheSameOperations(@ForAll("multis") RedisOp op) {
    byte[] encoded = RedisOpCodec.encode(op);
    RedisOp.Multi decoded = (RedisOp.Multi) RedisOpCodec.decode(encoded);
    List<RedisOp> ops = ((RedisOp.Multi) op).ops();
    assertThat(decoded.ops()).hasSameSizeAs(ops);
    for (int i = 0; i < ops.size(); i++) {
      assertThat(RedisOpCodec.encode(decoded.ops().get(i)))
          .isEqualTo(RedisOpCodec.encode(ops.get(i)));
    }
    assertThat(RedisOpCodec.encode(decoded)).isEqualTo(encoded);
  }

  @Property(tries = 500)
  void damagedTransactionsAreRejectedWithAReasonOrStillDecode(@ForAll("multis") RedisOp op,
      @ForAll @IntRange(min = 0, max = 500) int at, @ForAll byte value,
      @ForAll @IntRange(min = 0, max = 500) int cut) {
    damagedCommandsAreRejectedWithAReasonOrStillDecode(op, at, value, cut);
  }

  /** A transaction holding a transaction: refused before decoding, however deep it nests. */
  @Example
  void nestedTransactionsAreRejectedWithoutRecursingIntoThem() {
    byte[] inner = RedisOpCodec.encode(new RedisOp.Multi(List.of(new RedisOp.Get(new byte[0]))));
    for (int depth = 0; depth < 20_000; depth++) {
      inner = wrapInMulti(inner);
    }
    byte[] deep = inner;
    assertThatThrownBy(() -> RedisOpCodec.decode(deep)).isInstanceOf(Rejection.class)
        .hasMessage("ERR malformed command: a transaction cannot hold a transaction");
    byte[] expireInside = wrapInMulti(RedisOpCodec.encode(new RedisOp.Expire(5)));
    assertThatThrownBy(() -> RedisOpCodec.decode(expireInside)).isInstanceOf(Rejection.class)
        .hasMessageStartingWith("ERR malformed command");
    byte[] hugeCount = {1, 12, 0x7F, 0, 0, 0};
    assertThatThrownBy(() -> RedisOpCodec.decode(hugeCount)).isInstanceOf(Rejection.class)
        .hasMessageContaining("count");
  }

  /** Bytes of a MULTI (opcode 12) holding exactly {@code nested} as its one operation. */
  private static byte[] wrapInMulti(byte[] nested) {
    java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(10 + nested.length);
    out.put((byte) 1).put((byte) 12).putInt(1).putInt(nested.length).put(nested);
    return out.array();
  }

  /** Whatever a client sends inside or outside a transaction, dispatch answers, never throws. */
  @Property(tries = 300)
  void dispatchAnswersEveryCommandSequenceAndExecWritesOneTransaction(
      @ForAll @Size(max = 8) List<@From("lines") List<String>> lines) {
    RedisCommands commands = new RedisCommands(
        () -> new ReplicaInfo.Fixed(1, Role.LEADER, 1, 1, 0, 0), () -> 1);
    ClientSession session = new ClientSession(1, ClientId.of("c/1"), "127.0.0.1:1", 6379);
    for (List<String> line : lines) {
      String name = line.get(0);
      boolean queuing = session.inTransaction();
      RedisCommands.Action action = commands.dispatch(
          RespCommand.of(line.toArray(String[]::new)), session);
      if (action instanceof RedisCommands.Action.Write w) {
        RedisOp op = RedisOpCodec.decode(w.command());
        assertThat(queuing).as("writes leave only outside MULTI or at EXEC").isEqualTo(
            name.equals("exec"));
        assertThat(op instanceof RedisOp.Multi).isEqualTo(name.equals("exec"));
      } else if (queuing && !name.equals("quit")) {
        assertThat(action).isInstanceOf(RedisCommands.Action.Reply.class);
      }
    }
  }

  /** Whatever arguments a client sends, dispatch answers; it never throws. */
  @Property(tries = 1000)
  void dispatchAnswersEveryCommandWithoutThrowing(
      @ForAll("names") String name, @ForAll @Size(max = 6) List<@From("args") String> args) {
    RedisCommands commands = new RedisCommands(
        () -> new ReplicaInfo.Fixed(1, Role.LEADER, 1, 1, 0, 0), () -> 1);
    ClientSession session = new ClientSession(1, ClientId.of("c/1"), "127.0.0.1:1", 6379);
    List<String> all = new ArrayList<>();
    all.add(name);
    all.addAll(args);
    RedisCommands.Action action = commands.dispatch(RespCommand.of(all.toArray(String[]::new)),
        session);
    if (action instanceof RedisCommands.Action.Write w) {
      // Every write changes state, except the TTL family, ordered only to read agreed time.
      RedisOp op = RedisOpCodec.decode(w.command());
      assertThat(op.readOnly()).isEqualTo(op instanceof RedisOp.Ttl);
    } else if (action instanceof RedisCommands.Action.Read r) {
      assertThat(RedisOpCodec.decode(r.query()).readOnly()).isTrue();
    } else {
      assertThat(action).isInstanceOf(RedisCommands.Action.Reply.class);
    }
  }

  /** A known command name followed by 0 to 2 plausible arguments. */
  @Provide
  Arbitrary<List<String>> lines() {
    return Combinators.combine(names(), Arbitraries.integers().between(0, 2))
        .as((name, argc) -> {
          List<String> line = new ArrayList<>(List.of(name, "k", "1"));
          return line.subList(0, 1 + argc);
        });
  }

  @Provide
  Arbitrary<String> names() {
    List<String> known = new ArrayList<>();
    CommandTable.all().forEach(spec -> known.add(spec.name()));
    known.add("nosuch");
    return Arbitraries.of(known);
  }

  @Provide
  Arbitrary<String> args() {
    return Arbitraries.oneOf(
        Arbitraries.of("NX", "XX", "EX", "PX", "EXAT", "PXAT", "KEEPTTL", "GET", "IFEQ", "IFNE",
            "0", "-1", "10", "9223372036854775807", "SETNAME", "GETNAME", "SETINFO", "LIB-NAME",
            "COUNT", "INFO", "DOCS", "AUTH", "default", "2", "3", "GT", "LT",
            "-9223372036854775808", "9223372036854776"),
        Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(8));
  }
}
