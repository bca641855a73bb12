package io.lockstep.storage.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.machine.ClientId;
import io.lockstep.order.LogEntry;
import io.lockstep.order.Snapshot;
import io.lockstep.order.StorageWrite;
import io.lockstep.request.Request;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** The codec round-trips every value and rejects every damaged encoding with a clear error. */
class CodecPropertiesTest {
  @Provide
  Arbitrary<ClientId> clientIds() {
    return Arbitraries.strings().all().ofMinLength(1).ofMaxLength(ClientId.MAX_LENGTH)
        .filter(s -> s.chars().noneMatch(Character::isISOControl))
        .filter(s -> s.codePoints().noneMatch(c -> Character.getType(c) == Character.SURROGATE))
        .map(ClientId::of);
  }

  @Provide
  Arbitrary<Request> requests() {
    return Combinators.combine(clientIds(), Arbitraries.longs().greaterOrEqual(1),
            Arbitraries.of(Request.Kind.values()),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(300),
            clientIds().injectNull(0.7))
        .as(Request::new);
  }

  @Provide
  Arbitrary<LogEntry> entries() {
    return Combinators.combine(Arbitraries.longs().greaterOrEqual(1),
            Arbitraries.longs().greaterOrEqual(0), Arbitraries.longs(),
            requests().injectNull(0.2))
        .as(LogEntry::new);
  }

  @Provide
  Arbitrary<Snapshot> snapshots() {
    return Combinators.combine(Arbitraries.longs(), Arbitraries.longs(), Arbitraries.longs(),
            Arbitraries.integers().list().ofMaxSize(9),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(500))
        .as(Snapshot::new);
  }

  @Property
  void everyLogEntryRoundTrips(@ForAll("entries") LogEntry entry) {
    byte[] bytes = new BinaryWriter().writeLogEntry(entry).toByteArray();
    BinaryReader in = new BinaryReader(bytes);
    assertThat(in.readLogEntry("entry").sameAs(entry)).isTrue();
    in.expectEnd("entry");
  }

  @Property
  void everySnapshotRoundTrips(@ForAll("snapshots") Snapshot snapshot) {
    byte[] bytes = new BinaryWriter().writeSnapshot(snapshot).toByteArray();
    Snapshot decoded = new BinaryReader(bytes).readSnapshot("snapshot", 1 << 20);
    assertThat(decoded.index()).isEqualTo(snapshot.index());
    assertThat(decoded.term()).isEqualTo(snapshot.term());
    assertThat(decoded.time()).isEqualTo(snapshot.time());
    assertThat(decoded.members()).isEqualTo(snapshot.members());
    assertThat(decoded.state()).isEqualTo(snapshot.state());
  }

  @Property
  void everyHardStateRoundTrips(@ForAll @net.jqwik.api.constraints.Size(max = 4096) byte[] bytes) {
    StorageWrite.HardState state = new StorageWrite.HardState(bytes);
    byte[] encoded = new BinaryWriter().writeHardState(state).toByteArray();
    assertThat(new BinaryReader(encoded).readHardState("state")).isEqualTo(state);
  }

  @Property
  void aHardStateOfTheOldFixedLayoutReadsAsItsTwelveBytes(@ForAll long term,
      @ForAll int votedFor) {
    byte[] old = new BinaryWriter().writeLong(term).writeInt(votedFor).toByteArray();
    assertThat(new BinaryReader(old).readLegacyHardState("state").state()).isEqualTo(old);
  }

  @org.junit.jupiter.api.Test
  void aTruncatedOldHardStateNamesTheField() {
    byte[] old = new BinaryWriter().writeLong(3).toByteArray();
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> new BinaryReader(old).readLegacyHardState("hardState"))
        .isInstanceOf(CodecException.class).hasMessageContaining("hardState.votedFor");
  }

  @Property
  void everyTruncatedEncodingIsRejectedWithTheFieldAndOffset(
      @ForAll("entries") LogEntry entry, @ForAll @IntRange(min = 0, max = 10_000) int cut) {
    byte[] bytes = new BinaryWriter().writeLogEntry(entry).toByteArray();
    byte[] truncated = Arrays.copyOf(bytes, cut % bytes.length);
    assertThatThrownBy(() -> new BinaryReader(truncated).readLogEntry("entry"))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("truncated input: entry.")
        .hasMessageContaining("at offset");
  }

  @Property
  void randomBytesNeverDecodeIntoAnythingButACodecException(
      @ForAll byte[] garbage) {
    try {
      new BinaryReader(garbage).readLogEntry("entry");
    } catch (CodecException expected) {
      assertThat(expected).hasMessageContaining("entry");
    }
  }

  @Property(tries = 20)
  void lengthBeyondTheLimitIsRejectedBeforeAllocating(@ForAll @IntRange(min = 1) int excess) {
    BinaryWriter out = new BinaryWriter();
    out.writeInt(Request.MAX_COMMAND_BYTES + excess);
    assertThatThrownBy(() -> new BinaryReader(out.toByteArray())
            .readBytes("request.command", Request.MAX_COMMAND_BYTES))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("request.command: length")
        .hasMessageContaining("exceeds the limit of " + Request.MAX_COMMAND_BYTES);
  }

  @Property(tries = 10)
  void domainRulesApplyWhenDecoding(@ForAll("entries") LogEntry entry) {
    BinaryWriter out = new BinaryWriter();
    out.writeLong(0).writeLong(entry.term()).writeLong(entry.time()).writeByte(0);
    assertThatThrownBy(() -> new BinaryReader(out.toByteArray()).readLogEntry("entry"))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("entry at offset 0 is invalid: index must be at least 1");
  }

  @Property(tries = 5)
  void unknownVersionIsRefused(@ForAll @IntRange(min = 2, max = 100) int version) {
    assertThatThrownBy(() -> new BinaryReader(new byte[0], 0, 0, version))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("unsupported format version " + version);
  }

  @Property(tries = 5)
  void malformedUtf8IsRefused(@ForAll @IntRange(min = 0x80, max = 0xBF) int continuation) {
    byte[] bytes = {0, 2, (byte) continuation, (byte) continuation};
    assertThatThrownBy(() -> new BinaryReader(bytes).readClientId("client"))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("client: malformed UTF-8");
  }

  @Property(tries = 5)
  void flagsOtherThanZeroOrOneAreRefused(@ForAll @IntRange(min = 2, max = 255) int flag) {
    byte[] bytes = {(byte) flag};
    assertThatThrownBy(() -> new BinaryReader(bytes).readFlag("entry.hasRequest"))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("entry.hasRequest: flag must be 0 or 1, was " + flag);
  }

  @Property(tries = 5)
  void trailingBytesAreAnError(@ForAll @IntRange(min = 1, max = 9) int extra) {
    byte[] bytes = new byte[8 + extra];
    BinaryReader in = new BinaryReader(bytes);
    in.readLong("value");
    assertThatThrownBy(() -> in.expectEnd("value"))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining(extra + " unexpected trailing bytes");
  }

  @Property(tries = 5)
  void memberCountIsBounded(@ForAll @IntRange(min = 1025, max = 1 << 30) int count) {
    BinaryWriter out = new BinaryWriter().writeLong(1).writeLong(1).writeLong(1).writeInt(count);
    assertThatThrownBy(() -> new BinaryReader(out.toByteArray()).readSnapshot("snapshot", 10))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("snapshot.memberCount");
  }
}
