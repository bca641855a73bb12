package io.lockstep.server.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.configuration.MemberAddresses;
import io.lockstep.machine.ClientId;
import io.lockstep.replica.LocalRead;
import io.lockstep.replica.QueryResult;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import io.lockstep.storage.codec.CodecException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class ClientCodecTest {
  @Property(tries = 300)
  void everyClientMessageRoundTrips(@ForAll("messages") ClientMessage message) {
    assertThat(ClientCodec.decode(ClientCodec.encode(message))).isEqualTo(message);
  }

  @Property(tries = 500)
  void garbageNeverDecodesToAnythingButACodecException(@ForAll byte[] garbage) {
    try {
      ClientCodec.decode(garbage);
    } catch (CodecException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }

  @Property(tries = 200)
  void everyTruncationOfAValidMessageIsRefused(@ForAll("messages") ClientMessage message) {
    byte[] bytes = ClientCodec.encode(message);
    for (int cut = 0; cut < bytes.length; cut++) {
      byte[] prefix = java.util.Arrays.copyOf(bytes, cut);
      assertThatThrownBy(() -> ClientCodec.decode(prefix)).isInstanceOf(CodecException.class);
    }
  }

  @Test
  void aZeroSequenceIsRefusedAsAnInvalidRequest() {
    byte[] bytes = ClientCodec.encode(new ClientMessage.Submit(7,
        Request.command(ClientId.of("c"), 1, new byte[] {1})));
    // u8 version, u8 type, i64 tag, u16 len + "c", then i64 sequence.
    int sequenceAt = 2 + 8 + 2 + 1;
    for (int i = 0; i < 8; i++) {
      bytes[sequenceAt + i] = 0;
    }
    assertThatThrownBy(() -> ClientCodec.decode(bytes)).isInstanceOf(CodecException.class)
        .hasMessageContaining("sequence must be at least 1");
  }

  @Provide
  Arbitrary<ClientMessage> messages() {
    Arbitrary<Long> tag = Arbitraries.longs();
    Arbitrary<ClientId> ids = Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(30)
        .map(ClientId::of);
    Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(100);
    Arbitrary<String> text = Arbitraries.strings().ofMaxLength(40);
    Arbitrary<Long> seq = Arbitraries.longs().between(1, Long.MAX_VALUE);
    return Arbitraries.oneOf(
        Combinators.combine(tag, ids, seq, bytes, Arbitraries.of(true, false))
            .as((t, c, s, b, l) -> new ClientMessage.Submit(t, Request.command(c, s, b), l)),
        Combinators.combine(tag, ids, seq, bytes,
            Arbitraries.bytes().array(byte[].class).ofSize(64))
            .as((t, c, s, b, sig) -> new ClientMessage.Submit(t, Request.command(c, s, b), true,
                sig)),
        Combinators.combine(tag, ids, bytes).as(ClientMessage.Read::new),
        Combinators.combine(tag, ids, seq, bytes, text, Arbitraries.of(Reply.Status.values()))
            .as((t, c, s, b, r, st) -> new ClientMessage.Replied(t,
                new Reply(c, s, st, b, r, s / 2, 3, s % 3 == 0 ? 0 : s / 3))),
        Combinators.combine(tag, bytes, Arbitraries.longs(),
            Arbitraries.bytes().array(byte[].class).ofSize(16),
            Arbitraries.bytes().array(byte[].class).ofSize(32))
            .as(ClientMessage.Admin::new),
        Combinators.combine(tag, Arbitraries.of(true, false), bytes, text)
            .as((t, ok, b, r) -> new ClientMessage.ReadResult(t, new QueryResult(t, ok, b, r))),
        Combinators.combine(tag, Arbitraries.integers().between(-1, 100), text, text)
            .as(ClientMessage.Redirect::new),
        Combinators.combine(tag, text).as(ClientMessage.Busy::new),
        Combinators.combine(tag, Arbitraries.of(ClientMessage.MemberOperation.values()),
            Arbitraries.integers().between(-1, 99), Arbitraries.integers().between(-1, 99),
            Arbitraries.longs(), Arbitraries.bytes().array(byte[].class).ofSize(16),
            Arbitraries.bytes().array(byte[].class).ofSize(32))
            .as(ClientMessage.Member::new),
        Combinators.combine(tag, Arbitraries.of(true, false), text)
            .as(ClientMessage.MemberResult::new),
        tag.map(ClientMessage.AddressBookAsk::new),
        Combinators.combine(tag, bookEntries()).as(ClientMessage.AddressBookAnswer::new),
        Combinators.combine(tag, ids, bytes, Arbitraries.longs().between(0, Long.MAX_VALUE))
            .as(ClientMessage.ReadOneReplica::new),
        Combinators.combine(tag, Arbitraries.integers().between(0, 2), bytes, text,
            Arbitraries.longs().between(0, Long.MAX_VALUE), Arbitraries.integers())
            .as((t, outcome, b, r, p, replica) -> new ClientMessage.OneReplicaResult(t,
                new LocalRead(outcome == 0, outcome == 1, outcome == 0 ? b : new byte[0],
                    outcome == 0 ? "" : r, p), replica)));
  }

  @Test
  void aOneReplicaReadWithANegativeMinimumPositionIsRefused() {
    byte[] bytes = ClientCodec.encode(
        new ClientMessage.ReadOneReplica(7, ClientId.of("c"), new byte[0], 0));
    java.util.Arrays.fill(bytes, bytes.length - 8, bytes.length, (byte) 0xff);
    assertThatThrownBy(() -> ClientCodec.decode(bytes)).isInstanceOf(CodecException.class)
        .hasMessageContaining("minPosition is -1");
  }

  /** Up to six entries with distinct ids, optional ports and keys, voters and spares. */
  private static Arbitrary<java.util.List<ClientMessage.BookEntry>> bookEntries() {
    Arbitrary<String> port = Arbitraries.integers().between(1, 65535).map(p -> "h.example:" + p);
    Arbitrary<String> optional = Arbitraries.oneOf(Arbitraries.just(""), port);
    Arbitrary<ClientMessage.BookEntry> entry = Combinators.combine(
        Arbitraries.integers().between(0, 50), port, port, optional, optional,
        Arbitraries.bytes().array(byte[].class).ofMaxSize(44), Arbitraries.of(true, false))
        .as((id, peer, client, http, redis, key, voter) -> new ClientMessage.BookEntry(
            new MemberAddresses(id, peer, client, http, redis, key), voter));
    return entry.list().ofMaxSize(6).uniqueElements(e -> e.addresses().replica());
  }

  private static byte[] book(ClientMessage.BookEntry... entries) {
    return ClientCodec.encode(new ClientMessage.AddressBookAnswer(3, java.util.List.of(entries)));
  }

  private static ClientMessage.BookEntry entry(int id, String peer) {
    return new ClientMessage.BookEntry(
        new MemberAddresses(id, peer, "h:2", "", "h:4", new byte[0]), true);
  }

  @Test
  void anAddressBookIsStrictAboutItsCountEntriesAndFlags() {
    byte[] ok = book(entry(1, "h:1"));
    int countAt = 2 + 8;
    byte[] huge = ok.clone();
    huge[countAt + 1] = 1; // 65,537 entries announced
    assertThatThrownBy(() -> ClientCodec.decode(huge)).isInstanceOf(CodecException.class)
        .hasMessageContaining("book.count").hasMessageContaining("limit is 1024");
    byte[] negative = ok.clone();
    negative[countAt] = (byte) 0x80;
    assertThatThrownBy(() -> ClientCodec.decode(negative)).isInstanceOf(CodecException.class)
        .hasMessageContaining("book.count");
    byte[] flag = ok.clone();
    flag[countAt + 4 + 4] = 2; // initialVoter, after the count and the replica id
    assertThatThrownBy(() -> ClientCodec.decode(flag)).isInstanceOf(CodecException.class)
        .hasMessageContaining("book.initialVoter");
  }

  @Test
  void anAddressBookEntryIsCheckedAsARecordIsAndIdsAreUnique() {
    byte[] noPort = book(entry(1, "h:1"));
    // The peer text "h:1" follows count, id, flag and its u16 length: make it "h:x".
    noPort[2 + 8 + 4 + 4 + 1 + 2 + 2] = 'x';
    assertThatThrownBy(() -> ClientCodec.decode(noPort)).isInstanceOf(CodecException.class)
        .hasMessageContaining("peer address has no port");
    byte[] twice = book(entry(1, "h:1"), entry(2, "h:5"));
    int secondId = 2 + 8 + 4 + (4 + 1 + 5 + 5 + 2 + 5 + 4);
    twice[secondId + 3] = 1;
    assertThatThrownBy(() -> ClientCodec.decode(twice)).isInstanceOf(CodecException.class)
        .hasMessageContaining("replica 1 is in the address book twice");
    byte[] trailing = java.util.Arrays.copyOf(book(entry(1, "h:1")), book(entry(1, "h:1")).length + 1);
    assertThatThrownBy(() -> ClientCodec.decode(trailing)).isInstanceOf(CodecException.class);
  }

  @Test
  void aMemberCommandWithAnUnknownOperationIsRefused() {
    byte[] bytes = ClientCodec.encode(new ClientMessage.Member(1, ClientMessage.MemberOperation.ADD,
        4, -1, 0, new byte[16], new byte[32]));
    bytes[10] = 9; // the operation byte, after version, type and the tag
    assertThatThrownBy(() -> ClientCodec.decode(bytes)).isInstanceOf(CodecException.class)
        .hasMessageContaining("unknown operation 9");
  }

  @Test
  void aReplyWithoutAConfigurationChangeKeepsTheLayoutEarlierClientsRead() {
    Reply plain = new Reply(ClientId.of("c"), 4, Reply.Status.OK, new byte[] {7}, "", 9, 2, 0);
    Reply versioned = new Reply(ClientId.of("c"), 4, Reply.Status.OK, new byte[] {7}, "", 9, 2,
        5);
    byte[] old = ClientCodec.encode(new ClientMessage.Replied(1, plain));
    byte[] now = ClientCodec.encode(new ClientMessage.Replied(1, versioned));
    assertThat(old[1]).as("type 3, as every earlier build wrote and reads it").isEqualTo((byte) 3);
    assertThat(now[1]).isEqualTo((byte) 11);
    assertThat(now).hasSize(old.length + 8);
    assertThat(java.util.Arrays.copyOfRange(now, 2, old.length))
        .isEqualTo(java.util.Arrays.copyOfRange(old, 2, old.length));
    assertThat(((ClientMessage.Replied) ClientCodec.decode(now)).reply().configVersion())
        .isEqualTo(5);
    assertThat(ClientCodec.encode(new ClientMessage.Submit(1,
        Request.command(ClientId.of("c"), 1, new byte[0])))[1]).isEqualTo((byte) 1);
  }

  @Test
  void aVersionedReplyMustCarryAPositiveVersion() {
    byte[] bytes = ClientCodec.encode(new ClientMessage.Replied(1,
        new Reply(ClientId.of("c"), 4, Reply.Status.OK, new byte[0], "", 9, 2, 1)));
    java.util.Arrays.fill(bytes, bytes.length - 8, bytes.length, (byte) 0);
    assertThatThrownBy(() -> ClientCodec.decode(bytes)).isInstanceOf(CodecException.class)
        .hasMessageContaining("reply.configVersion");
  }
}
