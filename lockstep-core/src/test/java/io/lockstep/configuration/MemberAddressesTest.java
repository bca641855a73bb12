package io.lockstep.configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.codec.WireWriter;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Replicas' addresses as replicated state: the record, its command and both codec forms. */
class MemberAddressesTest {
  private static MemberAddresses four() {
    return new MemberAddresses(4, "10.0.0.4:7000", "10.0.0.4:7100", "10.0.0.4:8080", "",
        new byte[] {1, 2, 3});
  }

  @Test
  void badAddressesAreRefusedNamingTheFieldAndTheProblem() {
    assertThatThrownBy(() -> new MemberAddresses(4, "10.0.0.4", "h:1", "", "", new byte[0]))
        .hasMessage("peer address must be host:port, was \"10.0.0.4\"");
    assertThatThrownBy(() -> new MemberAddresses(4, "h:1", "h:0", "", "", new byte[0]))
        .hasMessage("client address has no port from 1 to 65535: \"h:0\"");
    assertThatThrownBy(() -> new MemberAddresses(4, "h:1", "h:2", "a b:3", "", new byte[0]))
        .hasMessageStartingWith("http address has a space or control character");
    assertThatThrownBy(() -> new MemberAddresses(4, "h:1", "", "", "", new byte[0]))
        .hasMessageStartingWith("client address must be host:port");
    assertThatThrownBy(() -> new MemberAddresses(-1, "h:1", "h:2", "", "", new byte[0]))
        .hasMessage("replica id must not be negative, was -1");
    assertThat(new MemberAddresses(4, "[::1]:7000", "h:2", "", "", new byte[0]).peer())
        .isEqualTo("[::1]:7000");
  }

  @Test
  void setMemberRoundTripsAndATamperedRecordIsRefusedWithTheRecordsReason() {
    SystemCommand set = new SystemCommand.SetMember(four(), 0);
    assertThat(SystemCommands.decode(SystemCommands.encode(set))).isEqualTo(set);
    byte[] bytes = SystemCommands.encode(set);
    // the peer address's port digits: "7000" -> "0000"
    String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
    int port = text.indexOf("10.0.0.4:7000") + "10.0.0.4:".length();
    bytes[port] = '0';
    byte[] tampered = bytes;
    assertThatThrownBy(() -> SystemCommands.decode(tampered))
        .hasMessage("malformed system command: peer address has no port from 1 to 65535:"
            + " \"10.0.0.4:0000\"");
    byte[] whole = SystemCommands.encode(set);
    for (int length = 0; length < whole.length; length++) {
      byte[] cut = Arrays.copyOf(whole, length);
      assertThatThrownBy(() -> SystemCommands.decode(cut))
          .hasMessageStartingWith("malformed system command");
    }
  }

  @Test
  void aRecordTakesEffectAtItsOwnPositionAndMovesTheVersionOnce() {
    Reconfiguration r = new Reconfiguration();
    long version = r.version();
    assertThat(r.order(new SystemCommand.SetMember(four(), 0), 17, 64)).isEqualTo(17);
    assertThat(r.current().members()).containsEntry(4, four());
    assertThat(r.current().pending()).isEmpty();
    assertThat(r.version()).isEqualTo(version + 1);
    assertThatThrownBy(() -> r.order(new SystemCommand.SetMember(four(), 0), 18, 64))
        .hasMessageStartingWith("replica 4's addresses are already replica 4 peer=10.0.0.4:7000");
    assertThatThrownBy(() -> r.order(new SystemCommand.SetMember(four(), 200), 18, 64))
        .hasMessageContaining("a stated position (200) is refused");
    MemberAddresses moved = new MemberAddresses(4, "10.0.0.9:7000", "10.0.0.9:7100", "", "",
        new byte[0]);
    r.order(new SystemCommand.SetMember(moved, 0), 19, 64);
    assertThat(r.current().members()).containsOnlyKeys(4).containsEntry(4, moved);
    assertThat(r.version()).isEqualTo(version + 2);
  }

  @Test
  void theFullFormCarriesTheRecordsAndTheShortFormIsWhatEarlierClientsRead() {
    Reconfiguration r = new Reconfiguration();
    r.order(new SystemCommand.AddDevice("flap-1", 0), 1, 4);
    r.order(new SystemCommand.SetMember(four(), 0), 2, 4);
    r.order(new SystemCommand.SetMember(new MemberAddresses(2, "b:1", "b:2", "", "b:3",
        new byte[0]), 0), 3, 4);
    ClusterConfiguration c = r.current();
    byte[] full = ConfigurationCodec.encodeFull(c);
    assertThat(ConfigurationCodec.decodeFull(full)).isEqualTo(c);
    assertThat(ConfigurationCodec.encodeFull(ConfigurationCodec.decodeFull(full)))
        .isEqualTo(full);
    ClusterConfiguration shortForm = ConfigurationCodec.decode(ConfigurationCodec.encode(c));
    assertThat(shortForm.members()).isEmpty();
    assertThat(shortForm.pending()).isEqualTo(c.pending());
    assertThatThrownBy(() -> ConfigurationCodec.decode(full))
        .as("why the full form has a query of its own").hasMessageContaining("trailing");
    for (int length = 0; length < full.length; length++) {
      byte[] cut = Arrays.copyOf(full, length);
      assertThatThrownBy(() -> ConfigurationCodec.decodeFull(cut))
          .hasMessageStartingWith("malformed");
    }
  }

  @Test
  void recordsOutOfOrderOrRepeatedAreRefused() {
    WireWriter out = new WireWriter();
    ConfigurationCodec.write(out, ClusterConfiguration.INITIAL);
    out.writeInt(2);
    SystemCommands.writeMember(out, four());
    SystemCommands.writeMember(out, four());
    assertThatThrownBy(() -> ConfigurationCodec.decodeFull(out.toByteArray()))
        .hasMessageContaining("member addresses out of order or repeated at replica 4");
    assertThat(ConfigurationQuery.is(ConfigurationQuery.withMembers())).isTrue();
    assertThat(ConfigurationQuery.isFull(ConfigurationQuery.bytes())).isFalse();
    assertThat(ConfigurationQuery.withMembers()).hasSameSizeAs(ConfigurationQuery.bytes());
  }
}
