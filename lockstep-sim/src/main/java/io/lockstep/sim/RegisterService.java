package io.lockstep.sim;

import io.lockstep.examples.kv.KvCodec;
import io.lockstep.examples.kv.KvStore;
import io.lockstep.machine.StateMachine;

/**
 * A replicated key-value service the simulator's clients drive: the state machine each replica
 * runs, and how a client encodes the operations of the checker's model (a register per key:
 * read, write, compare-and-set, delete) and decodes their outputs. Point the simulator at your
 * own key-value state machine by implementing this; every history is then
 * checked for linearizability against that model.
 *
 * <p>Implementations must be stateless: the simulator calls them from one thread, for every
 * replica and client of a run.
 */
public interface RegisterService {
  /** A short name for traces and reports. */
  String name();

  /** A fresh state machine for one replica (called again at every restart). */
  StateMachine newMachine();

  /** The command that sets {@code key} to {@code value}. */
  byte[] write(String key, String value);

  /**
   * The command that sets {@code key} to {@code value} only if it holds {@code expected}
   * ({@code null}: only if it is absent).
   */
  byte[] cas(String key, String expected, String value);

  /** The command that removes {@code key}. */
  byte[] delete(String key);

  /** The command or read-only query that reads {@code key}. */
  byte[] read(String key);

  /** The value a read's output carries, null when the key is absent. */
  String readValue(byte[] output);

  /** Whether a compare-and-set's output says the swap happened. */
  boolean casApplied(byte[] output);

  /** The example key-value store of {@code lockstep-examples} ({@link KvStore}). */
  static RegisterService exampleKvStore() {
    return new RegisterService() {
      @Override
      public String name() {
        return "kv";
      }

      @Override
      public StateMachine newMachine() {
        return new KvStore();
      }

      @Override
      public byte[] write(String key, String value) {
        return KvCodec.put(key, value);
      }

      @Override
      public byte[] cas(String key, String expected, String value) {
        return KvCodec.cas(key, expected, value);
      }

      @Override
      public byte[] delete(String key) {
        return KvCodec.delete(key);
      }

      @Override
      public byte[] read(String key) {
        return KvCodec.get(key);
      }

      @Override
      public String readValue(byte[] output) {
        return KvCodec.decodeValue(output);
      }

      @Override
      public boolean casApplied(byte[] output) {
        return KvCodec.decodeBoolean(output);
      }
    };
  }
}
