package io.lockstep.examples.kv;

import java.util.Objects;

/** A decoded key-value command (see {@link KvCodec} for the encoding). */
public sealed interface KvCommand {
  /** The key the command touches. */
  String key();

  /** Reads a key; output: the value or absent. */
  record Get(String key) implements KvCommand {
    public Get {
      Objects.requireNonNull(key, "key");
    }
  }

  /** Sets a key; output: the previous value or absent. */
  record Put(String key, String value) implements KvCommand {
    public Put {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
    }
  }

  /** Removes a key; output: whether it existed. */
  record Delete(String key) implements KvCommand {
    public Delete {
      Objects.requireNonNull(key, "key");
    }
  }

  /**
   * Compare-and-set; output: whether it swapped.
   *
   * @param expected the value required now, or null for "the key is absent"
   */
  record Cas(String key, String expected, String value) implements KvCommand {
    public Cas {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
    }
  }

  /** Adds {@code delta} to the key's integer value (absent counts as 0); output: the new value. */
  record Increment(String key, long delta) implements KvCommand {
    public Increment {
      Objects.requireNonNull(key, "key");
    }
  }
}
