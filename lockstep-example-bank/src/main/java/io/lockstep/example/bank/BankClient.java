package io.lockstep.example.bank;

import io.lockstep.client.ClientOptions;
import io.lockstep.client.ClientSession;
import io.lockstep.client.LockstepClient;
import io.lockstep.client.RejectedException;
import io.lockstep.server.config.ConfigException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The bank's typed client over a Lockstep {@link ClientSession}: commands are ordered requests
 * applied exactly once, even when the client retries after a leader change (X4); the balance
 * is a linearizable read. A refusal (overdraft, unknown account) is a {@link RejectedException}
 * carrying the bank's reason; a write whose outcome is unknown is an
 * {@link io.lockstep.client.IndeterminateException}.
 */
public final class BankClient implements AutoCloseable {
  private final ClientSession session;

  /** Wraps a session; closing this closes it if it is a {@link LockstepClient}. */
  public BankClient(ClientSession session) {
    this.session = Objects.requireNonNull(session, "session");
  }

  /** Connects to the cluster a config file describes (the one its replicas read). */
  public static BankClient connect(Path configFile) throws IOException, ConfigException {
    return new BankClient(LockstepClient.connect(ClientOptions.fromConfig(configFile)));
  }

  /** Opens {@code account} with balance 0. */
  public long open(String account) {
    return execute(new BankCommand.Open(account));
  }

  /** Orders and applies any command; returns its output balance (see {@link BankCommand}). */
  public long execute(BankCommand command) {
    return BankCodec.decodeBalance(session.submitBlocking(BankCodec.encode(command)));
  }

  /** Credits {@code account}; returns its new balance. */
  public long deposit(String account, long amount) {
    return execute(new BankCommand.Deposit(account, amount));
  }

  /** Debits {@code account}; returns its new balance. Refused if it holds less. */
  public long withdraw(String account, long amount) {
    return execute(new BankCommand.Withdraw(account, amount));
  }

  /** Moves {@code amount}; returns {@code from}'s new balance. Refused if it holds less. */
  public long transfer(String from, String to, long amount) {
    return execute(new BankCommand.Transfer(from, to, amount));
  }

  /** {@code account}'s balance, read linearizably. */
  public long balance(String account) {
    return BankCodec.decodeBalance(
        session.queryBlocking(BankCodec.encode(new BankCommand.Balance(account))));
  }

  @Override
  public void close() {
    if (session instanceof LockstepClient client) {
      client.close();
    }
  }
}
