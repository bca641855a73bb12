package io.lockstep.example.bank;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The bank's commands (ordered, applied exactly once by every replica) and its one query.
 * Each record checks its own shape, so a command that could never be valid is refused by the
 * client before it is sent, and by the codec when a replica decodes it.
 */
public sealed interface BankCommand {
  /** Account names: 1–64 of A–Z a–z 0–9 . _ - (printable, and bounded in size). */
  Pattern ACCOUNT = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** Opens {@code account} with balance 0; refused if it exists. Output: the balance, 0. */
  record Open(String account) implements BankCommand {
    /** Checks the name. */
    public Open {
      checkAccount(account);
    }
  }

  /** Adds {@code amount} (positive) to {@code account}. Output: the new balance. */
  record Deposit(String account, long amount) implements BankCommand {
    /** Checks the name and amount. */
    public Deposit {
      checkAccount(account);
      checkAmount(amount);
    }
  }

  /**
   * Takes {@code amount} from {@code account}; refused (nothing changes) if the balance is
   * smaller. Output: the new balance.
   */
  record Withdraw(String account, long amount) implements BankCommand {
    /** Checks the name and amount. */
    public Withdraw {
      checkAccount(account);
      checkAmount(amount);
    }
  }

  /**
   * Moves {@code amount} from {@code from} to {@code to} atomically; refused (nothing changes)
   * if {@code from} has less. Output: {@code from}'s new balance.
   */
  record Transfer(String from, String to, long amount) implements BankCommand {
    /** Checks the names, that they differ, and the amount. */
    public Transfer {
      checkAccount(from);
      checkAccount(to);
      checkAmount(amount);
      if (from.equals(to)) {
        throw new IllegalArgumentException("a transfer needs two different accounts, got "
            + from + " twice");
      }
    }
  }

  /** The query: {@code account}'s balance (a linearizable read, not ordered). */
  record Balance(String account) {
    /** Checks the name. */
    public Balance {
      checkAccount(account);
    }
  }

  private static void checkAccount(String account) {
    Objects.requireNonNull(account, "account");
    if (!ACCOUNT.matcher(account).matches()) {
      throw new IllegalArgumentException("account name '" + account
          + "' must be 1-64 of A-Z a-z 0-9 . _ -");
    }
  }

  private static void checkAmount(long amount) {
    if (amount <= 0) {
      throw new IllegalArgumentException("amount must be positive, was " + amount);
    }
  }
}
