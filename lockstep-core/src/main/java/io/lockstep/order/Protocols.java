package io.lockstep.order;

import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The registry of coordination protocols on the class path. A protocol registers itself with one
 * line in its module's {@code META-INF/services/io.lockstep.order.Protocol} naming its
 * {@link Protocol} class (a public class with a public no-argument constructor), so that the
 * runtime can run it without naming any of its classes.
 */
public final class Protocols {
  private Protocols() {}

  /** Every registered protocol, by name. */
  public static Map<String, Protocol> all() {
    Map<String, Protocol> byName = new TreeMap<>();
    for (Protocol protocol : ServiceLoader.load(Protocol.class, Protocols.class.getClassLoader())) {
      Protocol earlier = byName.putIfAbsent(protocol.name(), protocol);
      if (earlier != null && earlier.getClass() != protocol.getClass()) {
        throw new IllegalStateException("two protocols are registered as '" + protocol.name()
            + "': " + earlier.getClass().getName() + " and " + protocol.getClass().getName());
      }
    }
    return byName;
  }

  /** The protocol registered as {@code name}, if any. */
  public static Optional<Protocol> find(String name) {
    return Optional.ofNullable(all().get(name));
  }

  /**
   * The protocol registered as {@code name}.
   *
   * @throws IllegalArgumentException naming the protocols there are, if none is
   */
  public static Protocol named(String name) {
    return find(name).orElseThrow(() -> new IllegalArgumentException("protocol '" + name
        + "' is not available; registered protocols: " + String.join(", ", all().keySet())));
  }
}
