package io.lockstep.example.bank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.executor.Executor;
import io.lockstep.executor.ExecutorConfig;
import io.lockstep.machine.ClientId;
import io.lockstep.machine.Rejection;
import io.lockstep.order.Ordered;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The bank's rules, driven through a real executor as a replica applies them. */
class BankTest {
  private static final ClientId CLIENT = ClientId.of("teller");
  private Bank bank;
  private Executor executor;
  private long position;

  @BeforeEach
  void openBank() {
    bank = new Bank();
    executor = new Executor(bank, ExecutorConfig.defaults(0));
  }

  @Test
  void depositsAndWithdrawalsReturnTheNewBalance() {
    assertThat(ok(new BankCommand.Open("alice"))).isZero();
    assertThat(ok(new BankCommand.Deposit("alice", 100))).isEqualTo(100);
    assertThat(ok(new BankCommand.Withdraw("alice", 30))).isEqualTo(70);
    assertThat(balance("alice")).isEqualTo(70);
  }

  @Test
  void anOverdraftIsRejectedAndChangesNothing() {
    ok(new BankCommand.Open("alice"));
    ok(new BankCommand.Deposit("alice", 10));
    byte[] before = bank.snapshot();
    assertThat(refusal(new BankCommand.Withdraw("alice", 11)))
        .isEqualTo("insufficient funds: alice has 10, 11 requested");
    assertThat(bank.snapshot()).isEqualTo(before);
    assertThat(ok(new BankCommand.Withdraw("alice", 10))).isZero();
  }

  @Test
  void aTransferMovesMoneyAtomicallyAndARefusedOneTouchesNeitherAccount() {
    ok(new BankCommand.Open("alice"));
    ok(new BankCommand.Open("bob"));
    ok(new BankCommand.Deposit("alice", 50));
    assertThat(ok(new BankCommand.Transfer("alice", "bob", 20))).isEqualTo(30);
    assertThat(balance("bob")).isEqualTo(20);
    byte[] before = bank.snapshot();
    assertThat(refusal(new BankCommand.Transfer("alice", "bob", 31)))
        .startsWith("insufficient funds: alice has 30");
    assertThat(refusal(new BankCommand.Transfer("alice", "carol", 1)))
        .isEqualTo("no account carol");
    assertThat(bank.snapshot()).as("neither account changed").isEqualTo(before);
  }

  @Test
  void unknownAccountsDuplicatesAndOverflowAreRefused() {
    assertThat(refusal(new BankCommand.Deposit("nobody", 1))).isEqualTo("no account nobody");
    ok(new BankCommand.Open("alice"));
    assertThat(refusal(new BankCommand.Open("alice"))).isEqualTo("account alice already exists");
    ok(new BankCommand.Deposit("alice", Long.MAX_VALUE));
    assertThat(refusal(new BankCommand.Deposit("alice", 1)))
        .isEqualTo("crediting 1 would overflow alice's balance");
    assertThatThrownBy(() -> bank.query(BankCodec.encode(new BankCommand.Balance("bob")), CLIENT))
        .isInstanceOf(Rejection.class).hasMessage("no account bob");
  }

  @Test
  void malformedCommandBytesAreRejectedWithAReasonNotApplied() {
    Reply reply = send(new byte[] {1, 9});
    assertThat(reply.status()).isEqualTo(Reply.Status.REJECTED);
    assertThat(reply.reason()).isEqualTo("malformed bank command: unknown operation 9");
    assertThat(send(new byte[] {2, 1}).reason()).contains("version 2");
    assertThatThrownBy(() -> bank.query(new byte[] {1, 5, 0, 0, 0, 99}, CLIENT))
        .isInstanceOf(Rejection.class).hasMessageContaining("malformed bank query");
  }

  @Test
  void aSnapshotRestoresTheSameBalancesAndIsTheSameBytesForTheSameHistory() {
    ok(new BankCommand.Open("bob"));
    ok(new BankCommand.Open("alice"));
    ok(new BankCommand.Deposit("alice", 5));
    Bank copy = new Bank();
    copy.restore(bank.snapshot());
    assertThat(copy.snapshot()).isEqualTo(bank.snapshot());
    assertThat(BankCodec.decodeBalance(copy.query(
        BankCodec.encode(new BankCommand.Balance("alice")), CLIENT))).isEqualTo(5);
    Bank other = new Bank();
    Executor otherExecutor = new Executor(other, ExecutorConfig.defaults(1));
    long p = 0;
    for (BankCommand c : List.of(new BankCommand.Open("bob"), new BankCommand.Open("alice"),
        new BankCommand.Deposit("alice", 5))) {
      otherExecutor.apply(new Ordered(++p, p, Request.command(CLIENT, p, BankCodec.encode(c))));
    }
    assertThat(other.snapshot()).as("replicas agree byte for byte").isEqualTo(bank.snapshot());
  }

  @Test
  void aCorruptSnapshotIsRefusedAndLeavesTheBankAsItWas() {
    ok(new BankCommand.Open("alice"));
    byte[] snapshot = bank.snapshot();
    byte[] truncated = java.util.Arrays.copyOf(snapshot, snapshot.length - 1);
    assertThatThrownBy(() -> bank.restore(truncated))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bank snapshot");
    assertThat(bank.snapshot()).isEqualTo(snapshot);
  }

  @Test
  void commandsOfImpossibleShapeAreRefusedBeforeSending() {
    assertThatThrownBy(() -> new BankCommand.Deposit("alice", 0))
        .hasMessage("amount must be positive, was 0");
    assertThatThrownBy(() -> new BankCommand.Transfer("alice", "alice", 1))
        .hasMessageContaining("two different accounts");
    assertThatThrownBy(() -> new BankCommand.Open("a b"))
        .hasMessageContaining("must be 1-64 of");
  }

  private long ok(BankCommand command) {
    Reply reply = send(BankCodec.encode(command));
    assertThat(reply.status()).as(reply.reason()).isEqualTo(Reply.Status.OK);
    return BankCodec.decodeBalance(reply.value());
  }

  private String refusal(BankCommand command) {
    Reply reply = send(BankCodec.encode(command));
    assertThat(reply.status()).isEqualTo(Reply.Status.REJECTED);
    return reply.reason();
  }

  private Reply send(byte[] command) {
    position++;
    List<Reply> replies = executor.apply(new Ordered(position, position,
        Request.command(CLIENT, position, command)));
    assertThat(replies).hasSize(1);
    return replies.get(0);
  }

  private long balance(String account) {
    return BankCodec.decodeBalance(
        bank.query(BankCodec.encode(new BankCommand.Balance(account)), CLIENT));
  }
}
