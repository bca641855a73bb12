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
import java.util.Map;

/**
 * The bank's command line, {@code java -jar lockstep-example-bank.jar --config FILE COMMAND}:
 * a client ({@code open}, {@code deposit}, {@code withdraw}, {@code transfer}, {@code balance})
 * or, with {@code replica ID}, one replica of the cluster started in this JVM through
 * {@link LockstepReplica} — embedding without the {@code lockstep} tool. The command is parsed
 * and checked before anything connects. Exit status: 0 done, 1 refused or failed (the reason is
 * printed), 2 usage error.
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
  private static final Map<String, Integer> WORDS = Map.of("open", 2, "deposit", 3,
      "withdraw", 3, "transfer", 4, "balance", 2, "replica", 2);

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
      Object parsed = parse(command);
      if (parsed instanceof Integer replicaId) {
        return replica(config, replicaId, out, err);
      }
      try (BankClient bank = BankClient.connect(config)) {
        out.println(execute(bank, parsed));
        return 0;
      }
    } catch (UsageException e) {
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

  /**
   * A command line as a {@link BankCommand}, a {@link BankCommand.Balance} query, or the
   * replica id of {@code replica ID}.
   *
   * @throws UsageException saying what is wrong with it
   */
  static Object parse(List<String> command) {
    String op = command.get(0);
    Integer words = WORDS.get(op);
    if (words == null) {
      throw new UsageException("unknown command '" + op + "'");
    }
    if (command.size() != words) {
      throw new UsageException(op + " takes " + (words - 1) + " argument"
          + (words == 2 ? "" : "s") + ", got " + (command.size() - 1));
    }
    try {
      return switch (op) {
        case "open" -> new BankCommand.Open(command.get(1));
        case "deposit" -> new BankCommand.Deposit(command.get(1), number(command.get(2)));
        case "withdraw" -> new BankCommand.Withdraw(command.get(1), number(command.get(2)));
        case "transfer" -> new BankCommand.Transfer(command.get(1), command.get(2),
            number(command.get(3)));
        case "balance" -> new BankCommand.Balance(command.get(1));
        default -> replicaId(command.get(1));
      };
    } catch (UsageException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /** Sends a parsed client command; returns the line to print. */
  static String execute(BankClient bank, Object parsed) {
    if (parsed instanceof BankCommand.Balance query) {
      return query.account() + ": " + bank.balance(query.account());
    }
    BankCommand command = (BankCommand) parsed;
    long balance = bank.execute(command);
    if (command instanceof BankCommand.Open open) {
      return open.account() + ": opened";
    }
    String account = command instanceof BankCommand.Transfer t ? t.from()
        : command instanceof BankCommand.Deposit d ? d.account()
        : ((BankCommand.Withdraw) command).account();
    return account + ": " + balance;
  }

  private static long number(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new UsageException("'" + text + "' is not a whole number");
    }
  }

  private static int replicaId(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new UsageException("replica id '" + text + "' is not a number");
    }
  }

  private static int replica(Path config, int id, PrintStream out, PrintStream err)
      throws IOException, ConfigException, InterruptedException {
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

  /** A command line that does not fit {@link #USAGE}. */
  static final class UsageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }
}
