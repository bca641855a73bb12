package io.lockstep.cli;

import io.lockstep.server.config.ClusterKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code lockstep keys}: an Ed25519 key pair for every replica and client of a cluster. Each
 * private key goes to a file of its own in {@code -o DIR}, readable by its owner only; the lines
 * the cluster file needs (public keys, and where each private key lives) are printed, to be
 * appended to it. Copy each replica's key file to that replica's machine only.
 */
@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    header = "Generates a cluster's Ed25519 keys and prints its cluster-file lines.",
    description = {
        "Writes DIR/replica-N.key for replicas 1..N and DIR/client-ID.key for each client",
        "(PEM, mode 0600; existing files are never overwritten) and prints the lines to add",
        "to the cluster file: replica.N.public-key, replica.N.private-key-file,",
        "client.ID.public-key, client.ID.private-key-file.",
        "With keys, replicas prove their own key to each other instead of cluster.secret,",
        "and cluster.failure-model=byzantine needs them."})
public final class KeysCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--replicas", required = true, description = "number of replicas (ids 1..N)")
  int replicas;

  @Option(names = "--clients", defaultValue = "0",
      description = "number of clients (ids client-1..client-M); default ${DEFAULT-VALUE}")
  int clients;

  @Option(names = "--client-id", description = "a named client (repeatable), besides --clients")
  List<String> clientIds = new ArrayList<>();

  @Option(names = {"-o", "--out"}, required = true, description = "directory for the key files")
  Path out;

  @Override
  public Integer call() throws IOException {
    if (replicas < 1 || replicas > 1000 || clients < 0 || clients > 100_000) {
      throw new ParameterException(spec.commandLine(),
          "--replicas must be 1..1000 and --clients 0..100000");
    }
    List<String> ids = new ArrayList<>();
    IntStream.rangeClosed(1, clients).forEach(i -> ids.add("client-" + i));
    ids.addAll(clientIds);
    for (String id : ids) {
      if (!id.matches("[A-Za-z0-9._-]{1,64}") || id.startsWith("lockstep-replica-")) {
        throw new ParameterException(spec.commandLine(), "client id '" + id + "' must be 1-64 of"
            + " A-Z a-z 0-9 . _ - and must not start with lockstep-replica-");
      }
    }
    ClusterKeys keys = ClusterKeys.generate(out,
        IntStream.rangeClosed(1, replicas).boxed().toList(), ids);
    PrintWriter printed = spec.commandLine().getOut();
    printed.println("# Ed25519 keys written by `lockstep keys` (private keys in " + out.toAbsolutePath()
        + ", mode 0600): append to the cluster file");
    keys.lines().forEach(printed::println);
    printed.flush();
    return 0;
  }
}
