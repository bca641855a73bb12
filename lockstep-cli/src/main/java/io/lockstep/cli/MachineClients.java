package io.lockstep.cli;

import io.lockstep.server.config.ClusterConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * How to reach a cluster that runs a user's state machine, printed by {@code lockstep local
 * --machine}. Lockstep cannot know the machine's commands, so it names the generic Java client
 * ({@code LockstepClient} with {@code ClientOptions.fromConfig}) and, when the machine's jar
 * has a {@code Main-Class} (the example bank's does), the command that runs the jar's own client
 * against this cluster's config file.
 */
final class MachineClients {
  private MachineClients() {}

  static void print(ClusterConfig config, Path configFile, List<Path> jars, PrintWriter out) {
    out.printf("Machine %s; Java clients connect to the client ports %s:%n", config.machine(),
        config.replicas().stream().map(r -> Integer.toString(r.client().getPort())).toList());
    out.printf("  LockstepClient.connect(ClientOptions.fromConfig(Path.of(\"%s\")))%n",
        configFile);
    for (Path jar : jars) {
      Optional<String> main = mainClass(jar);
      if (main.isPresent()) {
        out.printf("The jar's own command line (its Main-Class %s):%n", main.get());
        out.printf("  java -jar %s --config %s ...%n", jar, configFile);
        break;
      }
    }
  }

  /** The jar's {@code Main-Class}, if it is a readable jar that has one. */
  static Optional<String> mainClass(Path jar) {
    if (!Files.isRegularFile(jar)) {
      return Optional.empty();
    }
    try (JarFile file = new JarFile(jar.toFile())) {
      Manifest manifest = file.getManifest();
      return manifest == null ? Optional.empty()
          : Optional.ofNullable(manifest.getMainAttributes().getValue("Main-Class"));
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
