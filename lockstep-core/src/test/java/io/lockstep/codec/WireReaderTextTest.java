package io.lockstep.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.machine.ClientId;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Text on the wire must be valid UTF-8 whichever way it is decoded: ASCII text takes a shorter
 * path than other text, and both must give back exactly what was written and refuse what is
 * not UTF-8.
 */
class WireReaderTextTest {
  private static String roundTrip(String text) {
    WireReader reader = new WireReader(new WireWriter().writeString(text).toByteArray(), "test");
    String read = reader.readString("text");
    reader.end();
    return read;
  }

  /** The length prefix, then the raw bytes: text no writer would produce. */
  private static WireReader raw(byte... bytes) {
    return new WireReader(new WireWriter().writeBytes(bytes).toByteArray(), "test");
  }

  @Test
  void asciiAndOtherTextReadBackExactlyAsWritten() {
    assertThat(roundTrip("client-17/session-3")).isEqualTo("client-17/session-3");
    assertThat(roundTrip("")).isEmpty();
    assertThat(roundTrip("\u0000\u007f")).isEqualTo("\u0000\u007f");
    assertThat(roundTrip("café ☃ 𝄞")).isEqualTo("café ☃ 𝄞");
    assertThat(roundTrip("ascii then é")).isEqualTo("ascii then é");
  }

  @Test
  void clientIdsReadBackAsTheSameClient() {
    ClientId client = ClientId.of("bench-client-31");
    WireReader reader = new WireReader(new WireWriter().writeClient(client).toByteArray(), "test");
    assertThat(reader.readClient("client")).isEqualTo(client);
  }

  @Test
  void bytesThatAreNotUtf8AreRefusedEvenAfterAsciiOnes() {
    byte[][] malformed = {
        {(byte) 0x80},                          // a continuation byte alone
        {'i', 'd', (byte) 0xc3, '('},           // a lead byte without its continuation
        {(byte) 0xc0, (byte) 0xaf},             // an overlong '/'
        {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, // a UTF-16 surrogate
        {'o', 'k', (byte) 0xff},
    };
    for (byte[] bytes : malformed) {
      assertThatThrownBy(() -> raw(bytes).readString("text"))
          .as("%s", java.util.Arrays.toString(bytes))
          .isInstanceOf(WireReader.MalformedException.class)
          .hasMessageContaining("text is not valid UTF-8");
    }
    assertThat(raw("ok".getBytes(StandardCharsets.US_ASCII)).readString("text")).isEqualTo("ok");
  }
}
