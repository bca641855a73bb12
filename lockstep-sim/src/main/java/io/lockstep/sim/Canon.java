package io.lockstep.sim;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renders protocol messages and requests as canonical text for the {@link Trace}.
 *
 * <p>Default {@code toString} is unusable in a replayable trace: a record holding a
 * {@code byte[]} prints the array's identity hash, which changes between runs. Records are
 * rendered component by component, arrays by length and content hash, sets and maps in sorted
 * order, and objects that keep {@link Object#toString} by class name only.
 */
final class Canon {
  private static final ClassValue<Method[]> RECORD_ACCESSORS = new ClassValue<>() {
    @Override
    protected Method[] computeValue(Class<?> type) {
      RecordComponent[] components = type.getRecordComponents();
      Method[] accessors = new Method[components.length];
      for (int i = 0; i < components.length; i++) {
        accessors[i] = components[i].getAccessor();
        accessors[i].setAccessible(true);
      }
      return accessors;
    }
  };

  private static final ClassValue<Boolean> OWN_TO_STRING = new ClassValue<>() {
    @Override
    protected Boolean computeValue(Class<?> type) {
      try {
        return type.getMethod("toString").getDeclaringClass() != Object.class;
      } catch (NoSuchMethodException e) {
        return false;
      }
    }
  };

  private Canon() {}

  /** Canonical text of {@code value}. */
  static String of(Object value) {
    StringBuilder out = new StringBuilder(64);
    append(out, value);
    return out.toString();
  }

  static void append(StringBuilder out, Object value) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof byte[] bytes) {
      out.append("bytes(").append(bytes.length).append(':')
          .append(Integer.toHexString(Arrays.hashCode(bytes))).append(')');
    } else if (value instanceof io.lockstep.order.SnapshotData data) {
      // A snapshot's state by content, as when it was a byte[] (the simulator's are in memory).
      append(out, data.toByteArray());
    } else if (value instanceof CharSequence || value instanceof Number
        || value instanceof Boolean || value instanceof Enum<?>) {
      out.append(value);
    } else if (value instanceof Set<?> set) {
      appendSorted(out, set);
    } else if (value instanceof Collection<?> items) {
      appendAll(out, items);
    } else if (value instanceof Map<?, ?> map) {
      appendSorted(out, map.entrySet());
    } else if (value.getClass().isRecord()) {
      appendRecord(out, value);
    } else if (OWN_TO_STRING.get(value.getClass())) {
      out.append(value);
    } else {
      out.append(value.getClass().getSimpleName());
    }
  }

  private static void appendAll(StringBuilder out, Collection<?> items) {
    out.append('[');
    boolean first = true;
    for (Object item : items) {
      if (!first) {
        out.append(',');
      }
      append(out, item);
      first = false;
    }
    out.append(']');
  }

  /**
   * Sets and maps render in sorted order: the iteration order of {@code Set.of}/{@code Map.of}
   * changes from one JVM run to the next.
   */
  private static void appendSorted(StringBuilder out, Collection<?> items) {
    List<String> rendered = new ArrayList<>(items.size());
    for (Object item : items) {
      if (item instanceof Map.Entry<?, ?> entry) {
        rendered.add(of(entry.getKey()) + "=" + of(entry.getValue()));
      } else {
        rendered.add(of(item));
      }
    }
    Collections.sort(rendered);
    out.append('{').append(String.join(",", rendered)).append('}');
  }

  private static void appendRecord(StringBuilder out, Object record) {
    out.append(record.getClass().getSimpleName()).append('{');
    Method[] accessors = RECORD_ACCESSORS.get(record.getClass());
    for (int i = 0; i < accessors.length; i++) {
      if (i > 0) {
        out.append(',');
      }
      try {
        append(out, accessors[i].invoke(record));
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException("cannot read " + accessors[i] + " for the trace", e);
      }
    }
    out.append('}');
  }
}
