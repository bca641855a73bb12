package io.lockstep.check;

import java.util.Objects;
import java.util.Set;

/**
 * One event of a client history against a key-value register service: the invocation of an
 * operation, or its completion.
 *
 * <p>Histories are recorded at the clients, outside the replicated service (paper §4: what the
 * client sees after voting), so they can be checked for linearizability without trusting any
 * replica. The JSON-lines form of an event is exactly
 * {@code {"process":N,"type":"invoke|ok|fail|info","f":"read|write|cas|delete","key":"k",
 * "value":"v"|null,"expected":"v"|null,"time":NANOS}}.
 *
 * <p>Meaning of the fields:
 *
 * <ul>
 *   <li>{@code process}: the logical process (client) that issued the operation; a process has at
 *       most one outstanding operation, and its completion is paired with its invocation.
 *   <li>{@code type}: {@link Type#INVOKE}, or the outcome {@link Type#OK} (took effect),
 *       {@link Type#FAIL} (definitely did not take effect) or {@link Type#INFO} (unknown: it may
 *       take effect at any later point, or never).
 *   <li>{@code f}: {@code read}, {@code write}, {@code cas} (compare-and-set) or {@code delete}.
 *   <li>{@code value}: for {@code write} and {@code cas} the new value (required on the
 *       invocation); for a {@code read} completed {@code ok}, the value read (null = absent); null
 *       otherwise.
 *   <li>{@code expected}: for {@code cas} only, the value the key must hold for the swap to happen
 *       (null = the key must be absent); null for every other operation.
 *   <li>{@code time}: when the event happened, in nanoseconds on one clock shared by all processes
 *       (any origin; only the order of times matters).
 * </ul>
 *
 * <p>A completion may repeat its invocation's {@code value} and {@code expected} (the
 * {@code complete…} helpers do) or leave them null; {@link History#add} checks that they agree.
 *
 * @param process the process that issued the operation
 * @param type invocation or outcome
 * @param f the operation: read, write, cas or delete
 * @param key the key operated on
 * @param value new value (write, cas) or value read (read ok); nullable
 * @param expected the compared value of a cas (null = absent); null for other operations
 * @param time when the event happened, in nanoseconds
 */
public record Op(
    int process, Type type, String f, String key, String value, String expected, long time) {

  /** The operations of the register model. */
  public static final Set<String> FUNCTIONS = Set.of("read", "write", "cas", "delete");

  /** Invocation or outcome of an operation; written in lower case in JSON. */
  public enum Type {
    /** The process started the operation. */
    INVOKE,
    /** The operation took effect (a read: it returned {@code value}). */
    OK,
    /** The operation definitely did not take effect. */
    FAIL,
    /** Outcome unknown: it may take effect at any point after its invocation, or never. */
    INFO;

    /** The JSON spelling ({@code invoke}, {@code ok}, {@code fail}, {@code info}). */
    public String json() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Parses the JSON spelling; throws IllegalArgumentException for anything else. */
    public static Type fromJson(String text) {
      return switch (text) {
        case "invoke" -> INVOKE;
        case "ok" -> OK;
        case "fail" -> FAIL;
        case "info" -> INFO;
        default -> throw new IllegalArgumentException(
            "unknown type \"" + text + "\" (expected invoke, ok, fail or info)");
      };
    }
  }

  public Op {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(f, "f");
    Objects.requireNonNull(key, "key");
    if (!FUNCTIONS.contains(f)) {
      throw new IllegalArgumentException(
          "unknown f \"" + f + "\" (expected read, write, cas or delete)");
    }
    if (expected != null && !f.equals("cas")) {
      throw new IllegalArgumentException(
          "only a cas carries expected, but this " + f + " has expected \"" + expected + "\"");
    }
    checkValue(type, f, value);
  }

  /** Which events may carry a value: see the class comment. */
  private static void checkValue(Type type, String f, String value) {
    boolean isRead = f.equals("read");
    boolean carriesNewValue = f.equals("write") || f.equals("cas");
    if (type == Type.INVOKE && carriesNewValue && value == null) {
      throw new IllegalArgumentException("the invocation of a " + f + " needs a value");
    }
    if (value == null || carriesNewValue) {
      return;
    }
    if (isRead && type != Type.OK) {
      throw new IllegalArgumentException(
          "only a read completed ok carries a value, but this read " + type.json()
              + " has value \"" + value + "\"");
    }
    if (!isRead) {
      throw new IllegalArgumentException("a delete carries no value, but has \"" + value + "\"");
    }
  }

  /** The invocation of any operation (the general form of the typed factories below). */
  public static Op invoke(
      int process, String f, String key, String value, String expected, long time) {
    return new Op(process, Type.INVOKE, f, key, value, expected, time);
  }

  /** The invocation of a read. */
  public static Op read(int process, String key, long time) {
    return invoke(process, "read", key, null, null, time);
  }

  /** The invocation of a write of {@code value}. */
  public static Op write(int process, String key, String value, long time) {
    return invoke(process, "write", key, value, null, time);
  }

  /** The invocation of a compare-and-set from {@code expected} (null = absent) to {@code value}. */
  public static Op cas(int process, String key, String expected, String value, long time) {
    return invoke(process, "cas", key, value, expected, time);
  }

  /** The invocation of a delete. */
  public static Op delete(int process, String key, long time) {
    return invoke(process, "delete", key, null, null, time);
  }

  /** This invocation's {@code ok} completion; a read uses {@link #completeRead} instead. */
  public Op completeOk(long time) {
    requireInvoke();
    if (f.equals("read")) {
      throw new IllegalArgumentException("a read completes with the value it read: completeRead");
    }
    return new Op(process, Type.OK, f, key, value, expected, time);
  }

  /** This read invocation's {@code ok} completion, having read {@code readValue} (null: absent). */
  public Op completeRead(String readValue, long time) {
    requireInvoke();
    if (!f.equals("read")) {
      throw new IllegalArgumentException("completeRead completes a read, not a " + f);
    }
    return new Op(process, Type.OK, f, key, readValue, null, time);
  }

  /** This invocation's {@code fail} completion: the operation definitely did not take effect. */
  public Op completeFail(long time) {
    return completeWith(Type.FAIL, time);
  }

  /** This invocation's {@code info} completion: the outcome is unknown. */
  public Op completeInfo(long time) {
    return completeWith(Type.INFO, time);
  }

  private Op completeWith(Type outcome, long time) {
    requireInvoke();
    String carried = f.equals("read") ? null : value;
    return new Op(process, outcome, f, key, carried, expected, time);
  }

  private void requireInvoke() {
    if (type != Type.INVOKE) {
      throw new IllegalArgumentException("only an invocation can be completed, not " + this);
    }
  }

  /** True for the invocation event. */
  public boolean isInvoke() {
    return type == Type.INVOKE;
  }
}
