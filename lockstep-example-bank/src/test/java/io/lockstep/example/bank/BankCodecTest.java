package io.lockstep.example.bank;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class BankCodecTest {
  @Property
  void everyCommandDecodesToItself(@ForAll("commands") BankCommand command) {
    assertThat(BankCodec.decodeCommand(BankCodec.encode(command))).isEqualTo(command);
  }

  @Property
  void theQueryDecodesToItself(@ForAll("accounts") String account) {
    BankCommand.Balance query = new BankCommand.Balance(account);
    assertThat(BankCodec.decodeQuery(BankCodec.encode(query))).isEqualTo(query);
  }

  @Property
  void garbageIsEitherACommandOrAnIllegalArgumentNeverAnotherFailure(
      @ForAll byte[] garbage) {
    try {
      BankCommand decoded = BankCodec.decodeCommand(garbage);
      assertThat(BankCodec.encode(decoded)).isEqualTo(garbage);
    } catch (IllegalArgumentException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }

  @Property
  void aTruncatedCommandIsRefused(@ForAll("commands") BankCommand command) {
    byte[] bytes = BankCodec.encode(command);
    byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 1);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> BankCodec.decodeCommand(cut))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("malformed");
  }

  @Provide
  Arbitrary<String> accounts() {
    return Arbitraries.strings().withChars("abcXYZ019._-").ofMinLength(1).ofMaxLength(64);
  }

  @Provide
  Arbitrary<BankCommand> commands() {
    Arbitrary<Long> amounts = Arbitraries.longs().between(1, Long.MAX_VALUE);
    return Arbitraries.oneOf(
        accounts().map(BankCommand.Open::new),
        Combinators.combine(accounts(), amounts).as(BankCommand.Deposit::new),
        Combinators.combine(accounts(), amounts).as(BankCommand.Withdraw::new),
        Combinators.combine(accounts(), accounts(), amounts).filter((a, b, n) -> !a.equals(b))
            .as(BankCommand.Transfer::new));
  }
}
