package io.lockstep.server;

import io.lockstep.machine.StateMachine;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Loads a user's {@link StateMachine} class by name, from jars (or class directories) given at
 * run time, e.g. {@code lockstep replica --machine com.example.Bank --classpath bank.jar}.
 *
 * <p>The jars get a child class loader of Lockstep's own, so the machine sees the one
 * {@code io.lockstep.machine} API the runtime uses (parent first), while its own classes come
 * from its jars. Every way this can go wrong is a {@link MachineLoadException} with one line
 * naming the class and the jars: not found, not a {@code StateMachine}, abstract, no public
 * no-argument constructor, a constructor that throws, or a class it needs that is missing.
 * The class is instantiated once here, so a constructor that fails does so before the replica
 * touches its storage or ports.
 */
public final class MachineLoader {
  private MachineLoader() {}

  /** Why a machine class cannot be used; the message is one line for the user. */
  public static final class MachineLoadException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    MachineLoadException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * A loaded machine class: where it came from, and a factory of fresh instances.
   *
   * @param className the class's name
   * @param source the jar or directory the class was found in (or "the application class
   *     path" when its parent loader had it)
   * @param factory makes an instance (the first call returns the instance made while loading)
   */
  public record Loaded(String className, String source, Supplier<StateMachine> factory) {}

  /**
   * Loads {@code className} from {@code classpath} (each a jar or a class directory; may be
   * empty when the class is on the application's own class path) and instantiates it once.
   *
   * @throws MachineLoadException if it cannot be used as a state machine
   */
  public static Loaded load(String className, List<Path> classpath) {
    Objects.requireNonNull(className, "className");
    String jars = classpath.isEmpty() ? "the application class path" : classpath.toString();
    ClassLoader loader = loader(classpath, className);
    Class<?> type;
    try {
      type = Class.forName(className, false, loader);
    } catch (ClassNotFoundException e) {
      throw new MachineLoadException("machine class " + className + " not found in " + jars, e);
    } catch (LinkageError e) {
      throw new MachineLoadException("machine class " + className + " from " + jars
          + " cannot be loaded: " + e, e);
    }
    String source = source(type, jars);
    Constructor<? extends StateMachine> constructor = constructor(type, source);
    StateMachine first = instantiate(constructor, source);
    AtomicReference<StateMachine> unused = new AtomicReference<>(first);
    Supplier<StateMachine> factory = () -> {
      StateMachine ready = unused.getAndSet(null);
      return ready != null ? ready : instantiate(constructor, source);
    };
    return new Loaded(className, source, factory);
  }

  /** Splits a {@code --classpath} value ({@code a.jar:b.jar}, the platform's separator). */
  public static List<Path> parseClasspath(String text) {
    List<Path> out = new ArrayList<>();
    if (text == null || text.isBlank()) {
      return out;
    }
    for (String part : text.split(java.io.File.pathSeparator)) {
      if (!part.isBlank()) {
        out.add(Path.of(part.trim()));
      }
    }
    return out;
  }

  private static ClassLoader loader(List<Path> classpath, String className) {
    ClassLoader parent = MachineLoader.class.getClassLoader();
    if (classpath.isEmpty()) {
      return parent;
    }
    URL[] urls = new URL[classpath.size()];
    for (int i = 0; i < urls.length; i++) {
      Path entry = classpath.get(i).toAbsolutePath();
      if (!Files.exists(entry)) {
        throw new MachineLoadException("classpath entry " + classpath.get(i) + " for machine "
            + className + " does not exist", null);
      }
      try {
        urls[i] = entry.toUri().toURL();
      } catch (MalformedURLException e) {
        throw new MachineLoadException("classpath entry " + entry + " is not a valid path", e);
      }
    }
    // Never closed: the machine's classes are needed for the life of the replica.
    return new URLClassLoader("lockstep-machine", urls, parent);
  }

  private static String source(Class<?> type, String jars) {
    CodeSource code = type.getProtectionDomain().getCodeSource();
    return code == null || code.getLocation() == null ? jars : code.getLocation().getPath();
  }

  private static Constructor<? extends StateMachine> constructor(Class<?> type, String source) {
    String name = type.getName() + " (from " + source + ")";
    if (!StateMachine.class.isAssignableFrom(type)) {
      throw new MachineLoadException("machine class " + name + " does not implement "
          + StateMachine.class.getName(), null);
    }
    if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
      throw new MachineLoadException("machine class " + name + " is abstract", null);
    }
    if (!Modifier.isPublic(type.getModifiers())) {
      throw new MachineLoadException("machine class " + name + " is not public", null);
    }
    try {
      return type.asSubclass(StateMachine.class).getConstructor();
    } catch (NoSuchMethodException e) {
      throw new MachineLoadException("machine class " + name
          + " has no public no-argument constructor", e);
    } catch (LinkageError e) {
      throw new MachineLoadException("machine class " + name + " cannot be linked: " + e, e);
    }
  }

  private static StateMachine instantiate(Constructor<? extends StateMachine> constructor,
      String source) {
    String name = constructor.getDeclaringClass().getName() + " (from " + source + ")";
    try {
      return constructor.newInstance();
    } catch (InvocationTargetException e) {
      throw new MachineLoadException("machine class " + name + ": its constructor threw "
          + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException | LinkageError e) {
      throw new MachineLoadException("machine class " + name + " cannot be instantiated: " + e,
          e);
    }
  }
}
