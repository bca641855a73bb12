package io.lockstep.server;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Compiles Java sources at test time into a jar that is NOT on the test's class path, so a
 * class found in it was really loaded from the jar (a user's machine, as {@code --classpath}
 * gives it).
 */
final class MachineJars {
  private MachineJars() {}

  /** Compiles {@code sources} (class name → source) and packs the classes into {@code jar}. */
  static Path compile(Path work, String jarName, Map<String, String> sources) throws IOException {
    Path src = Files.createDirectories(work.resolve(jarName + "-src"));
    Path classes = Files.createDirectories(work.resolve(jarName + "-classes"));
    List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-classpath",
        System.getProperty("java.class.path"), "--release", "17"));
    for (Map.Entry<String, String> e : sources.entrySet()) {
      Path file = src.resolve(e.getKey().replace('.', '/') + ".java");
      Files.createDirectories(file.getParent());
      Files.writeString(file, e.getValue());
      args.add(file.toString());
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac.run(null, null, null, args.toArray(String[]::new)) != 0) {
      throw new IllegalStateException("test sources did not compile: " + sources.keySet());
    }
    return jar(classes, work.resolve(jarName + ".jar"));
  }

  /** Packs every file under {@code classes} into {@code jar}. */
  static Path jar(Path classes, Path jar) throws IOException {
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file);
        Stream<Path> walk = Files.walk(classes)) {
      for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
        out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
        out.write(Files.readAllBytes(p));
        out.closeEntry();
      }
    }
    return jar;
  }
}
