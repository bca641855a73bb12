package io.lockstep.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.storage.codec.BinaryReader;
import io.lockstep.storage.codec.BinaryWriter;
import org.junit.jupiter.api.Test;

/**
 * Data directories written before hard states became opaque still recover: their fixed-layout
 * hard-state and checkpoint records read as the same 12 bytes the Raft protocol now writes.
 */
class LegacyRecordsTest {
  @Test
  void anOldHardStateRecordReadsAsTheProtocolsBytes() {
    byte[] payload = new BinaryWriter().writeLong(7).writeInt(2).toByteArray();
    LogRecord record = LogRecord.decode(LogRecord.LEGACY_HARD_STATE, new BinaryReader(payload));
    assertThat(record).isEqualTo(new LogRecord.HardState(Fixtures.hardState(7, 2)));
  }

  @Test
  void anOldCheckpointRecordReadsAsTheProtocolsBytes() {
    byte[] payload = new BinaryWriter().writeByte(1).writeLong(7).writeInt(-1).writeLong(10)
        .writeLong(6).writeLong(12).toByteArray();
    LogRecord record = LogRecord.decode(LogRecord.LEGACY_CHECKPOINT, new BinaryReader(payload));
    assertThat(record).isEqualTo(new LogRecord.Checkpoint(Fixtures.hardState(7, -1), 10, 6, 12));
  }

  @Test
  void newRecordsAreWrittenInTheOpaqueForm() {
    LogRecord.HardState record = new LogRecord.HardState(Fixtures.hardState(7, 2));
    assertThat(record.type()).isEqualTo(LogRecord.HARD_STATE);
    BinaryWriter out = new BinaryWriter();
    record.encode(out);
    assertThat(LogRecord.decode(LogRecord.HARD_STATE, new BinaryReader(out.toByteArray())))
        .isEqualTo(record);
  }
}
