package io.lockstep.order.raft.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.machine.ClientId;
import io.lockstep.order.LogEntry;
import io.lockstep.order.Snapshot;
import io.lockstep.order.raft.RaftMessage;
import io.lockstep.request.Request;
import io.lockstep.storage.codec.CodecException;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class RaftCodecTest {
  private static final RaftCodec CODEC = RaftCodec.INSTANCE;

  @Property(tries = 300)
  void everyRaftMessageRoundTrips(@ForAll("messages") RaftMessage message) {
    assertThat(CODEC.decode(CODEC.encode(message))).usingRecursiveComparison()
        .isEqualTo(message);
  }

  @Property(tries = 500)
  void garbageNeverDecodesToAnythingButACodecException(@ForAll byte[] garbage) {
    try {
      CODEC.decode(garbage);
    } catch (CodecException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }

  @Property(tries = 200)
  void everyTruncationOfAValidMessageIsRefused(@ForAll("messages") RaftMessage message) {
    byte[] bytes = CODEC.encode(message);
    for (int cut = 0; cut < bytes.length; cut++) {
      byte[] prefix = java.util.Arrays.copyOf(bytes, cut);
      assertThatThrownBy(() -> CODEC.decode(prefix)).isInstanceOf(CodecException.class);
    }
  }

  @Test
  void unknownVersionTypeAndTrailingBytesAreRefusedWithTheirReason() {
    byte[] ok = CODEC.encode(new RaftMessage.TimeoutNow(3));
    byte[] version = ok.clone();
    version[0] = 9;
    assertThatThrownBy(() -> CODEC.decode(version)).hasMessageContaining("version 9");
    byte[] type = ok.clone();
    type[1] = 99;
    assertThatThrownBy(() -> CODEC.decode(type)).hasMessageContaining("unknown type 99");
    byte[] trailing = java.util.Arrays.copyOf(ok, ok.length + 1);
    assertThatThrownBy(() -> CODEC.decode(trailing)).hasMessageContaining("trailing");
  }

  @Test
  void negativeTermIsRefusedAsInvalidNotThrownAsAnotherException() {
    byte[] bytes = CODEC.encode(new RaftMessage.TimeoutNow(0));
    java.util.Arrays.fill(bytes, 2, 10, (byte) 0xFF);
    assertThatThrownBy(() -> CODEC.decode(bytes)).isInstanceOf(CodecException.class)
        .hasMessageContaining("term");
  }

  @Test
  void aProbeNamingIncarnationZeroIsRefusedAsInvalid() {
    byte[] bytes = CODEC.encode(new RaftMessage.IncarnationProbe(2, 1));
    bytes[bytes.length - 1] = 0;
    assertThatThrownBy(() -> CODEC.decode(bytes)).isInstanceOf(CodecException.class)
        .hasMessageContaining("incarnation 0");
  }

  @Test
  void anEntryCountLargerThanThePayloadIsRefusedBeforeAllocating() {
    byte[] bytes = CODEC.encode(new RaftMessage.AppendEntries(1, 0, 0, List.of(), 0));
    bytes[bytes.length - 4] = 0x00;
    bytes[bytes.length - 3] = 0x00;
    bytes[bytes.length - 2] = (byte) 0xFF;
    assertThatThrownBy(() -> CODEC.decode(bytes)).hasMessageContaining("cannot fit");
  }

  @Provide
  Arbitrary<RaftMessage> messages() {
    Arbitrary<Long> n = Arbitraries.longs().between(0, Long.MAX_VALUE);
    Arbitrary<Boolean> b = Arbitraries.of(true, false);
    return Arbitraries.oneOf(
        Combinators.combine(n, n, n).as(RaftMessage.PreVote::new),
        Combinators.combine(n, b).as(RaftMessage.PreVoteResponse::new),
        Combinators.combine(n, n, n, b).as(RaftMessage.RequestVote::new),
        Combinators.combine(n, b, n).as(RaftMessage.RequestVoteResponse::new),
        appends(),
        Combinators.combine(n, b, n, n, n, n, b).as(RaftMessage.AppendEntriesResponse::new),
        Combinators.combine(n, n, n).as(RaftMessage.Heartbeat::new),
        Combinators.combine(n, n, n, ids()).as(RaftMessage.HeartbeatResponse::new),
        Combinators.combine(n, snapshots(), Arbitraries.longs().between(0, 1000))
            .as((term, s, extra) -> new RaftMessage.InstallSnapshot(term, s.index(), s.term(),
                s.time(), s.members(), s.data().size() + extra, term.intValue(), extra, s.state())),
        Combinators.combine(n, n, n, n).as(RaftMessage.InstallSnapshotResponse::new),
        n.map(RaftMessage.TimeoutNow::new),
        Combinators.combine(n, Arbitraries.longs().filter(i -> i != 0))
            .as(RaftMessage.IncarnationProbe::new),
        Combinators.combine(n, Arbitraries.longs()).as(RaftMessage.IncarnationAnswer::new),
        Combinators.combine(n, Arbitraries.integers().greaterOrEqual(0), ids())
            .as(RaftMessage.SnapshotSource::new),
        Combinators.combine(n, n, n).as(RaftMessage.FetchSnapshot::new),
        Combinators.combine(n, Arbitraries.longs().between(1, Long.MAX_VALUE),
            Arbitraries.integers().between(0, 50).set().ofMinSize(1).ofMaxSize(7))
            .as((term, index, voters) -> new RaftMessage.NotMember(term, index,
                voters.stream().sorted().toList())),
        Combinators.combine(n, snapshots(), Arbitraries.integers())
            .as((term, s, crc) -> new RaftMessage.SnapshotChunk(term,
                new RaftMessage.InstallSnapshot(term, s.index(), s.term(), s.time(),
                    s.members(), s.data().size(), ~crc, 0, s.state()), crc)));
  }

  private static Arbitrary<RaftMessage.SnapshotId> ids() {
    Arbitrary<Long> n = Arbitraries.longs().greaterOrEqual(0);
    return Combinators.combine(n, n, Arbitraries.integers()).as(RaftMessage.SnapshotId::new);
  }

  @Test
  void aSnapshotChunkKeepsItsChecksumAndItsChunk() {
    RaftMessage.SnapshotChunk chunk = new RaftMessage.SnapshotChunk(4,
        new RaftMessage.InstallSnapshot(4, 10, 3, 99, List.of(1, 2, 3), 5, 77, 2,
            new byte[] {7, 8}),
        -123456);
    RaftMessage decoded = CODEC.decode(CODEC.encode(chunk));
    assertThat(decoded).isEqualTo(chunk);
    assertThat(((RaftMessage.SnapshotChunk) decoded).checksum()).isEqualTo(-123456);
  }

  private Arbitrary<RaftMessage> appends() {
    Arbitrary<Long> prev = Arbitraries.longs().between(0, 1_000_000);
    Arbitrary<List<Request>> requests = requests().injectNull(0.2).list().ofMaxSize(5);
    return Combinators.combine(prev, requests, Arbitraries.longs().between(0, 100))
        .as((p, reqs, term) -> {
          List<LogEntry> entries = new ArrayList<>();
          for (int i = 0; i < reqs.size(); i++) {
            entries.add(new LogEntry(p + 1 + i, term, 1_000 + i, reqs.get(i)));
          }
          return new RaftMessage.AppendEntries(term, p, term, entries, p);
        });
  }

  private Arbitrary<Request> requests() {
    Arbitrary<String> ids = Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(20);
    return Combinators.combine(ids, Arbitraries.longs().between(1, Long.MAX_VALUE),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(64), Arbitraries.of(true, false))
        .as((id, seq, cmd, isNull) -> isNull ? Request.nullRequest(ClientId.of(id), seq)
            : Request.command(ClientId.of(id), seq, cmd));
  }

  private Arbitrary<Snapshot> snapshots() {
    return Combinators.combine(Arbitraries.longs().between(0, 1_000_000),
        Arbitraries.integers().between(0, 9).list().ofMaxSize(5),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(128))
        .as((index, members, state) -> new Snapshot(index, index / 2, index * 3, members, state));
  }
}
