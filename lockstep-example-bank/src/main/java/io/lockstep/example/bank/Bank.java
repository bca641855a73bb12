package io.lockstep.example.bank;

import io.lockstep.codec.WireReader;
import io.lockstep.codec.WireWriter;
import io.lockstep.machine.ClientId;
import io.lockstep.machine.Context;
import io.lockstep.machine.Rejection;
import io.lockstep.machine.StateMachine;
import java.util.Map;
import java.util.TreeMap;

/**
 * A replicated bank: named accounts holding whole amounts (say, cents), which can be opened,
 * credited, debited and moved between, and whose balances are read by a query.
 *
 * <p>Deterministic (paper §2: every replica applies the same commands in the same order and
 * must end in the same state): no clock, no randomness, no I/O, and a sorted map so the
 * snapshot's bytes are the same on every replica. Every refusal — an unknown or existing
 * account, an overdraft, a balance that would overflow, a malformed command — is a
 * {@link Rejection} thrown before anything changes (paper §5.2), so a refused request leaves
 * the bank exactly as it was, on every replica alike.
 *
 * <p>Loaded by name ({@code lockstep replica --machine io.lockstep.example.bank.Bank}), so it
 * is public with a public no-argument constructor.
 */
public final class Bank implements StateMachine {
  /** The snapshot format's version. */
  private static final int SNAPSHOT_VERSION = 1;
  private final TreeMap<String, Long> balances = new TreeMap<>();

  /** An empty bank. */
  public Bank() {}

  @Override
  public byte[] apply(byte[] command, Context context) {
    BankCommand decoded;
    try {
      decoded = BankCodec.decodeCommand(command);
    } catch (IllegalArgumentException e) {
      throw new Rejection(e.getMessage());
    }
    return BankCodec.encodeBalance(apply(decoded));
  }

  private long apply(BankCommand command) {
    if (command instanceof BankCommand.Open o) {
      if (balances.containsKey(o.account())) {
        throw new Rejection("account " + o.account() + " already exists");
      }
      balances.put(o.account(), 0L);
      return 0;
    } else if (command instanceof BankCommand.Deposit d) {
      long balance = credited(d.account(), existing(d.account()), d.amount());
      balances.put(d.account(), balance);
      return balance;
    } else if (command instanceof BankCommand.Withdraw w) {
      long balance = debited(w.account(), w.amount());
      balances.put(w.account(), balance);
      return balance;
    }
    BankCommand.Transfer t = (BankCommand.Transfer) command;
    // Both checks come before either write: a refused transfer changes neither account.
    long from = debited(t.from(), t.amount());
    long to = credited(t.to(), existing(t.to()), t.amount());
    balances.put(t.from(), from);
    balances.put(t.to(), to);
    return from;
  }

  private long existing(String account) {
    Long balance = balances.get(account);
    if (balance == null) {
      throw new Rejection("no account " + account);
    }
    return balance;
  }

  private static long credited(String account, long balance, long amount) {
    if (balance > Long.MAX_VALUE - amount) {
      throw new Rejection("crediting " + amount + " would overflow " + account + "'s balance");
    }
    return balance + amount;
  }

  private long debited(String account, long amount) {
    long balance = existing(account);
    if (balance < amount) {
      throw new Rejection("insufficient funds: " + account + " has " + balance + ", "
          + amount + " requested");
    }
    return balance - amount;
  }

  @Override
  public byte[] query(byte[] query, ClientId caller) {
    BankCommand.Balance balance;
    try {
      balance = BankCodec.decodeQuery(query);
    } catch (IllegalArgumentException e) {
      throw new Rejection(e.getMessage());
    }
    return BankCodec.encodeBalance(existing(balance.account()));
  }

  @Override
  public byte[] snapshot() {
    WireWriter out = new WireWriter().writeByte(SNAPSHOT_VERSION).writeInt(balances.size());
    for (Map.Entry<String, Long> account : balances.entrySet()) {
      out.writeString(account.getKey()).writeLong(account.getValue());
    }
    return out.toByteArray();
  }

  @Override
  public void restore(byte[] snapshot) {
    WireReader in = new WireReader(snapshot, "bank snapshot");
    int version = in.readByte();
    if (version != SNAPSHOT_VERSION) {
      throw in.malformed("version " + version + ", expected " + SNAPSHOT_VERSION);
    }
    int count = in.readCount("accounts", 4 + 1 + 8);
    TreeMap<String, Long> restored = new TreeMap<>();
    for (int i = 0; i < count; i++) {
      String account = in.readString("account", 64);
      long balance = in.readLong();
      if (balance < 0 || restored.put(account, balance) != null) {
        throw in.malformed("account " + account + " is negative or listed twice");
      }
    }
    in.end();
    balances.clear();
    balances.putAll(restored);
  }
}
