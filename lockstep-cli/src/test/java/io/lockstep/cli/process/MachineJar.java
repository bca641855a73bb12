package io.lockstep.cli.process;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A user's machine as a jar that is NOT on the replica processes' class path: the class
 * path entry holding {@code type} (the module's classes directory or its jar, depending on the
 * Maven phase) is packed into / copied to a jar in {@code dir}, and removed from the class path
 * the child JVMs get, so they can only run the machine by loading it from {@code --classpath}.
 *
 * @param jar the machine's jar
 * @param childClasspath this JVM's class path without the machine's entry
 */
record MachineJar(Path jar, String childClasspath) {
  /**
   * @param mainClass written as the packed jar's {@code Main-Class}, as the module's own jar
   *     has it
   */
  static MachineJar of(Class<?> type, String mainClass, Path dir)
      throws IOException, URISyntaxException {
    Path entry = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path jar = dir.resolve("machine.jar");
    if (Files.isDirectory(entry)) {
      pack(entry, jar, mainClass);
    } else {
      Files.copy(entry, jar);
    }
    String child = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> !Path.of(e).toAbsolutePath().equals(entry.toAbsolutePath()))
        .collect(Collectors.joining(File.pathSeparator));
    String resource = type.getName().replace('.', '/') + ".class";
    for (String e : child.split(File.pathSeparator)) {
      if (Files.isDirectory(Path.of(e)) && Files.exists(Path.of(e, resource))) {
        throw new AssertionError(type + " is still on the child class path at " + e);
      }
    }
    return new MachineJar(jar, child);
  }

  private static void pack(Path classes, Path jar, String mainClass) throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass);
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file, manifest);
        Stream<Path> walk = Files.walk(classes)) {
      for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
        out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
        out.write(Files.readAllBytes(p));
        out.closeEntry();
      }
    }
  }
}
