package io.lockstep.example.bank;

import io.lockstep.client.LockstepException;
import io.lockstep.client.RejectedException;
import io.lockstep.server.LockstepReplica;
import io.lockstep.server.ReplicaServer;
import io.lockstep.server.config.ConfigException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The bank's command line, {@code java -jar lockstep-example-bank.jar --config FILE COMMAND}:
 * a client ({@code open}, {@code deposit}, {@code withdraw}, {@code transfer}, {@code balance})
 * or, with {@code replica ID}, one replica of the cluster started in this JVM through
 * {@link LockstepReplica} — embedding without the {@code lockstep} tool. Exit status: 0 done,
 * 1 refused or failed (the reason is printed), 2 usage error.
 */
public final class BankMain {
  static final String USAGE = String.join("\n",
      "usage: bank --config FILE COMMAND",
      "  open ACCOUNT                 open an account (balance 0)",
      "  deposit ACCOUNT AMOUNT       credit it; prints the new balance",
      "  withdraw ACCOUNT AMOUNT      debit it (refused if it holds less)",
      "  transfer FROM TO AMOUNT      move AMOUNT (refused if FROM holds less)",
      "  balance ACCOUNT              read the balance (linearizable)",
      "  replica ID                   run replica ID of the cluster in this JVM (until Ctrl-C)",
      "FILE is the cluster config the replicas read (cluster.machine="
          + Bank.class.getName() + ").");

  /** Each command's words, its own name included. */
  private static final java.util.Map<String, Integer> WORDS = java.util.Map.of("open", 2,
      "deposit", 3, "withdraw", 3, "transfer", 4, "balance", 2, "replica", 2);

  private BankMain() {}

  /** Entry point. */
  public static void main(String[] args) throws InterruptedException {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs one command; returns the exit status. */
  static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
    if (args.length < 3 || !args[0].equals("--config")) {
      err.println(USAGE);
      return 2;
    }
    Path config = Path.of(args[1]);
    List<String> command = Arrays.asList(args).subList(2, args.length);
    try {
      checkShape(command);
      if (command.get(0).equals("replica")) {
        return replica(config, command, out, err);
      }
      try (BankClient bank = BankClient.connect(config)) {
        out.println(client(bank, command));
        return 0;
      }
    } catch (UsageException | NumberFormatException e) {
      err.println(e.getMessage());
      err.println(USAGE);
      return 2;
    } catch (RejectedException e) {
      err.println("refused: " + e.reason());
      return 1;
    } catch (ConfigException | IOException | LockstepException | IllegalArgumentException e) {
      err.println(e.getMessage());
      return 1;
    }
  }

  /** Runs a client command; returns the line to print. */
  static String client(BankClient bank, List<String> command) {
    String op = command.get(0);
    switch (op) {
      case "open" -> {
        arity(command, 2);
        bank.open(command.get(1));
        return command.get(1) + ": opened";
      }
      case "deposit", "withdraw" -> {
        arity(command, 3);
        long amount = Long.parseLong(command.get(2));
        long balance = op.equals("deposit") ? bank.deposit(command.get(1), amount)
            : bank.withdraw(command.get(1), amount);
        return command.get(1) + ": " + balance;
      }
      case "transfer" -> {
        arity(command, 4);
        long balance = bank.transfer(command.get(1), command.get(2),
            Long.parseLong(command.get(3)));
        return command.get(1) + ": " + balance;
      }
      case "balance" -> {
        arity(command, 2);
        return command.get(1) + ": " + bank.balance(command.get(1));
      }
      default -> throw new UsageException("unknown command '" + op + "'");
    }
  }

  private static int replica(Path config, List<String> command, PrintStream out,
      PrintStream err) throws IOException, ConfigException, InterruptedException {
    arity(command, 2);
    int id = Integer.parseInt(command.get(1));
    ReplicaServer server = LockstepReplica.builder().config(config).id(id).machine(Bank::new)
        .processFiles(true).start();
    out.printf("bank replica %d running (client port %d); Ctrl-C stops it%n", id,
        server.clientPort());
    out.flush();
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "bank-replica-stop"));
    server.awaitTermination();
    if (server.failure().isPresent()) {
      err.println("replica " + id + " stopped: " + server.failure().get());
      return 1;
    }
    return 0;
  }

  /** Checks a command's name and word count before anything connects or starts. */
  private static void checkShape(List<String> command) {
    Integer words = WORDS.get(command.get(0));
    if (words == null) {
      throw new UsageException("unknown command '" + command.get(0) + "'");
    }
    arity(command, words);
  }

  private static void arity(List<String> command, int words) {
    if (command.size() != words) {
      throw new UsageException(command.get(0) + " takes " + (words - 1) + " argument"
          + (words == 2 ? "" : "s") + ", got " + (command.size() - 1));
    }
  }

  /** A command line that does not fit {@link #USAGE}. */
  static final class UsageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }
}
