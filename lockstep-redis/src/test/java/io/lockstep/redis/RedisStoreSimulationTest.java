package io.lockstep.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.machine.StateMachine;
import io.lockstep.sim.RegisterService;
import io.lockstep.sim.SimOptions;
import io.lockstep.sim.SimResult;
import io.lockstep.sim.Simulation;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Redis service's own state machine ({@link RedisStore}, the one the server runs) replicated
 * by Raft in the deterministic simulator, under every fault the simulator injects: every client
 * history must be linearizable and every replica's state digest equal (X7; users
 * point the simulator at their own state machine through {@link RegisterService}).
 */
class RedisStoreSimulationTest {
  /** SET, SET … IFEQ (or NX when the key must be absent), DEL and GET over RESP2 outputs. */
  static final RegisterService REDIS = new RegisterService() {
    @Override
    public String name() {
      return "redis";
    }

    @Override
    public StateMachine newMachine() {
      return new RedisStore();
    }

    @Override
    public byte[] write(String key, String value) {
      return RedisOpCodec.encode(RedisOp.Set.of(bytes(key), bytes(value)));
    }

    @Override
    public byte[] cas(String key, String expected, String value) {
      RedisOp.Set op = expected == null
          ? new RedisOp.Set(bytes(key), bytes(value), RedisOp.Condition.NX, null,
              RedisOp.Expiry.NONE, 0, false)
          : new RedisOp.Set(bytes(key), bytes(value), RedisOp.Condition.IFEQ, bytes(expected),
              RedisOp.Expiry.NONE, 0, false);
      return RedisOpCodec.encode(op);
    }

    @Override
    public byte[] delete(String key) {
      return RedisOpCodec.encode(new RedisOp.Del(List.of(bytes(key))));
    }

    @Override
    public byte[] read(String key) {
      return RedisOpCodec.encode(new RedisOp.Get(bytes(key)));
    }

    @Override
    public String readValue(byte[] output) {
      RespReply reply = RespReplies.parse(output);
      return reply instanceof RespReply.Bulk b ? new String(b.value(), StandardCharsets.UTF_8)
          : null;
    }

    @Override
    public boolean casApplied(byte[] output) {
      return RespReplies.parse(output).equals(RespReply.OK);
    }
  };

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void theRedisStoreStaysLinearizableAndAgreedUnderRandomFaults() {
    List<String> failures = new ArrayList<>();
    long ops = 0;
    for (long seed = 1; seed <= 40; seed++) {
      SimResult result = Simulation.run(SimOptions.defaults(), seed, Simulation.raft(), REDIS);
      ops += result.ops();
      if (!result.ok()) {
        failures.add("seed " + seed + ": " + result.failure());
      }
    }
    assertThat(failures).isEmpty();
    assertThat(ops).isPositive();
  }
}
