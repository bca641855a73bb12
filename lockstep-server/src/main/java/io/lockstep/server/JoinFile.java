package io.lockstep.server;

import io.lockstep.configuration.MemberAddresses;
import io.lockstep.identity.Ed25519Signer;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ConfigException;
import io.lockstep.server.config.KeyFiles;
import io.lockstep.server.wire.ClientMessage;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A new machine starts from a small file ({@code lockstep replica --config FILE --id N
 * --join}): the cluster's settings, its own replica entry, and one or more running replicas
 * (seeds) to ask where the others are. The original replicas' addresses are only in their
 * cluster file and added ones only in the replicated configuration, so a seed answers from both
 * ({@link ClientMessage.AddressBookAsk}, {@link AddressBook#entries}); the answer is merged
 * into the small file's keys in memory (the file is never rewritten) and the result is checked
 * as any cluster file is.
 *
 * <p>Merge rules: every {@code replica.ID.*} key of another replica is replaced by the seed's
 * entry (the seed knows; the small file only says where to ask); this replica's own keys stay
 * (its private key file, its ports), and its role is what the seed's file says (a machine the
 * file does not list starts as a spare: it votes once a membership change adds it). The
 * initial configuration is the seed's file's voters, exactly, because every replica must start
 * from the same one. A port nobody recorded ({@code --http}/{@code --redis} left out of
 * {@code member add}) becomes {@code host:0}: this replica never dials another's HTTP or Redis
 * port, it only shows them. Every replica's public key in the book becomes its {@code
 * replica.ID.public-key}: a Byzantine replica verifies each one's signatures by that key.
 *
 * <p>In the Byzantine model the book merged is one t+1 seeds gave alike over key-checked
 * connections ({@link SeedPlan}); the small file then names each seed's public key and this
 * replica's private key file.
 */
public final class JoinFile {
  private static final Pattern REPLICA_KEY = Pattern.compile("replica\\.(\\d{1,9})\\.([\\w-]+)");

  /** How long to wait before asking again for a book that does not list this replica yet. */
  private static final long RETRY_MILLIS = 500;
  /** Time left for the last ask: one with no time left would fail for that alone. */
  private static final long LAST_ASK_MILLIS = 1_000;

  private JoinFile() {}

  /**
   * Reads {@code smallFile}, asks its seeds for the address book ({@code SeedAsk}) and returns the
   * merged configuration. A book that does not list {@code self} yet is asked for again until
   * {@code timeout} has passed (the record may be on its way).
   *
   * @throws ConfigException if the small file or the merged configuration is invalid
   * @throws IOException if the file cannot be read or no seed answered
   */
  public static Joined load(Path smallFile, int self, Duration timeout)
      throws ConfigException, IOException, InterruptedException {
    Properties small = new Properties();
    try (Reader reader = Files.newBufferedReader(smallFile, StandardCharsets.UTF_8)) {
      small.load(reader);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    Path base = smallFile.toAbsolutePath().getParent();
    while (true) {
      long left = deadline - System.nanoTime();
      SeedAsk.Answer answer;
      try {
        answer = SeedAsk.ask(small, base, smallFile.toString(), self,
            Duration.ofNanos(Math.max(1, left)));
      } catch (SeedAsk.NoAgreement disagreed) {
        // Correct seeds may differ for a moment (one applied a record the other has not yet);
        // a liar's book stays alone. Ask again; never merge a book fewer than t+1 gave.
        if (deadline - System.nanoTime() < (RETRY_MILLIS + LAST_ASK_MILLIS) * 1_000_000L) {
          throw disagreed;
        }
        Thread.sleep(RETRY_MILLIS);
        continue;
      }
      boolean listed = answer.entries().stream().anyMatch(e -> e.addresses().replica() == self);
      left = deadline - System.nanoTime();
      if (listed || left < (RETRY_MILLIS + LAST_ASK_MILLIS) * 1_000_000L) {
        Properties merged = merge(small, smallFile.toString(), self, answer.entries());
        ClusterConfig config = ClusterConfig.parse(merged, smallFile + " merged with replica "
            + answer.seed() + "'s address book", base);
        return new Joined(config, answer.seed());
      }
      // Not recorded yet: the operator may start the machine before `lockstep member add`
      // orders its record, so ask again until the time is up.
      Thread.sleep(RETRY_MILLIS);
    }
  }

  /**
   * The merged configuration and the seed whose address book it holds.
   *
   * @param config the cluster as the seed knows it, with this replica's own entry
   * @param seed the replica that answered
   */
  public record Joined(ClusterConfig config, int seed) {}

  /**
   * The small file's keys with the address book merged in (see the class comment).
   *
   * @throws ConfigException if the book does not list {@code self}, or lists it at addresses
   *     other than the small file's
   */
  static Properties merge(Properties small, String source, int self,
      List<ClientMessage.BookEntry> book) throws ConfigException {
    ClientMessage.BookEntry own = book.stream()
        .filter(e -> e.addresses().replica() == self).findFirst().orElse(null);
    List<String> problems = ownProblems(small, self, own);
    if (!problems.isEmpty()) {
      throw new ConfigException(source, problems);
    }
    Properties out = new Properties();
    for (String key : small.stringPropertyNames()) {
      Matcher m = REPLICA_KEY.matcher(key);
      if (!m.matches() || Integer.parseInt(m.group(1)) == self) {
        out.setProperty(key, small.getProperty(key));
      }
    }
    String prefix = "replica." + self + ".";
    out.remove(prefix + "role");
    if (!own.initialVoter()) {
      out.setProperty(prefix + "role", "spare");
    }
    for (ClientMessage.BookEntry e : book) {
      if (e.addresses().replica() != self) {
        put(out, e);
      }
    }
    return out;
  }

  /**
   * Why {@code own}, this replica's entry in the book, does not fit the small file. The
   * cluster dials the addresses it holds, so a small file that says otherwise would start a
   * replica nobody reaches: refused rather than guessed.
   */
  private static List<String> ownProblems(Properties small, int self,
      ClientMessage.BookEntry own) {
    List<String> problems = new ArrayList<>();
    if (own == null) {
      problems.add("the seed's address book has no replica " + self + ": record it first with"
          + " `lockstep member add " + self + " --peer HOST:PORT --client HOST:PORT` (run with"
          + " a file of the running cluster), then start this replica again");
      return problems;
    }
    String[][] fields = {{"peer", own.addresses().peer()}, {"client", own.addresses().client()}};
    for (String[] f : fields) {
      String mine = trimmed(small.getProperty("replica." + self + "." + f[0]));
      if (!f[1].equals(mine)) {
        problems.add("replica." + self + "." + f[0] + " is " + mine + " here, but the cluster"
            + " records " + f[1] + " (it dials that one): use the recorded address, or record"
            + " this one with `lockstep member add " + self + "`");
      }
    }
    return problems;
  }

  /** Another replica's keys from its book entry. */
  private static void put(Properties out, ClientMessage.BookEntry e) {
    MemberAddresses m = e.addresses();
    String prefix = "replica." + m.replica() + ".";
    String host = m.peer().substring(0, m.peer().lastIndexOf(':'));
    out.setProperty(prefix + "peer", m.peer());
    out.setProperty(prefix + "client", m.client());
    out.setProperty(prefix + "metrics", m.http().isEmpty() ? host + ":0" : m.http());
    out.setProperty(prefix + "redis", m.redis().isEmpty() ? host + ":0" : m.redis());
    if (!e.initialVoter()) {
      out.setProperty(prefix + "role", "spare");
    }
    if (m.hasKey()) {
      try {
        out.setProperty(prefix + "public-key",
            KeyFiles.publicKeyText(Ed25519Signer.publicKey(m.publicKey())));
      } catch (IllegalArgumentException bad) {
        // Left out: with keys in the cluster the merged file is then refused for the missing
        // key, naming the replica.
      }
    }
  }

  /** The other replicas the small file names, by id: the seeds to ask, in id order. */
  static TreeMap<Integer, String> seeds(Properties small, int self) {
    TreeMap<Integer, String> out = new TreeMap<>();
    for (String key : small.stringPropertyNames()) {
      Matcher m = REPLICA_KEY.matcher(key);
      if (m.matches() && m.group(2).equals("client") && Integer.parseInt(m.group(1)) != self) {
        out.put(Integer.parseInt(m.group(1)), small.getProperty(key).trim());
      }
    }
    return out;
  }

  static String trimmed(String value) {
    return value == null ? null : value.trim();
  }
}
