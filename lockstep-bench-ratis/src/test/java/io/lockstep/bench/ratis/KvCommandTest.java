package io.lockstep.bench.ratis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

class KvCommandTest {

  @Property
  void everyCommandDecodesToWhatWasEncoded(@ForAll String key, @ForAll @Size(max = 64) byte[] a,
      @ForAll @Size(max = 64) byte[] b) {
    KvCommand.Put put = (KvCommand.Put) KvCommand.decode(new KvCommand.Put(key, a).encode());
    KvCommand.Cas cas = (KvCommand.Cas) KvCommand.decode(new KvCommand.Cas(key, a, b).encode());
    KvCommand.Get get = (KvCommand.Get) KvCommand.decode(new KvCommand.Get(key).encode());

    assertThat(put.key()).isEqualTo(key);
    assertThat(put.value()).isEqualTo(a);
    assertThat(cas.expected()).isEqualTo(a);
    assertThat(cas.value()).isEqualTo(b);
    assertThat(get.key()).isEqualTo(key);
  }

  @Property
  void everyTruncationOfACommandIsRejectedNotMisread(@ForAll @Size(max = 16) byte[] value) {
    ByteString whole = new KvCommand.Cas("k", value, value).encode();
    for (int cut = 0; cut < whole.size(); cut++) {
      ByteString prefix = whole.substring(0, cut);
      assertThatIllegalArgumentException().isThrownBy(() -> KvCommand.decode(prefix));
    }
  }

  @Test
  void unknownTagsTrailingBytesAndImpossibleLengthsAreRejectedWithTheReason() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> KvCommand.decode(ByteString.copyFrom(new byte[] {9})))
        .withMessageContaining("unknown command tag 9");
    ByteString trailing = new KvCommand.Get("k").encode().concat(ByteString.copyFrom(new byte[2]));
    assertThatIllegalArgumentException().isThrownBy(() -> KvCommand.decode(trailing))
        .withMessageContaining("2 trailing bytes");
    ByteString huge = ByteString.copyFrom(new byte[] {KvCommand.GET, 0x7f, 0, 0, 0});
    assertThatIllegalArgumentException().isThrownBy(() -> KvCommand.decode(huge))
        .withMessageContaining("exceeds");
  }

  @Test
  void casAnswerSaysWhetherTheValueWasSwapped() {
    assertThat(KvCommand.swapped(KvCommand.casAnswer(true))).isTrue();
    assertThat(KvCommand.swapped(KvCommand.casAnswer(false))).isFalse();
    assertThat(KvCommand.swapped(ByteString.EMPTY)).isFalse();
  }
}
