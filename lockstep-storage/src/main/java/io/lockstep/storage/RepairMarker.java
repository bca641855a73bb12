package io.lockstep.storage;

import io.lockstep.order.Recovered;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The {@code repair-pending} file: damage that recovery found and set aside, kept until the
 * protocol has made durable a hard state written after it (which, by {@link Recovered}'s
 * contract, remembers the repair). Without it, a crash right after recovery cut the damaged
 * range away would leave a shorter but valid-looking log, and the next start would forget that
 * this replica may have acknowledged entries it no longer holds.
 *
 * <p>Format: four lines of text, {@code damagedFrom}, {@code acknowledgedBound},
 * {@code maxTermSeen} and the description; written atomically (temporary file, force, rename,
 * force the directory). An unreadable marker refuses to start: the bound it held is unknown.
 */
final class RepairMarker {
  static final String NAME = "repair-pending";

  private RepairMarker() {}

  static Path path(Path directory) {
    return directory.resolve(NAME);
  }

  /** The damage recorded by an earlier recovery, or null if none is pending. */
  static Recovered.Damage read(Path directory) throws IOException {
    Path file = path(directory);
    if (!Files.exists(file)) {
      return null;
    }
    String[] lines = Files.readString(file, StandardCharsets.UTF_8).split("\n", 4);
    try {
      return new Recovered.Damage(Long.parseLong(lines[0]), Long.parseLong(lines[1]),
          Long.parseLong(lines[2]), lines[3].strip());
    } catch (RuntimeException e) {
      throw new CorruptStorageException(file, "the repair marker does not parse (" + e
          + "), so the range this replica may have acknowledged before earlier damage is"
          + " unknown");
    }
  }

  /** Writes {@code damage} atomically and durably. */
  static void write(Path directory, Disk disk, Recovered.Damage damage) throws IOException {
    Path file = path(directory);
    Path temporary = directory.resolve(NAME + ".tmp");
    String text = damage.damagedFrom() + "\n" + damage.acknowledgedBound() + "\n"
        + damage.maxTermSeen() + "\n" + damage.description().replace('\n', ' ') + "\n";
    try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      disk.write(channel, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
      disk.force(channel);
    }
    Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    disk.forceDirectory(directory);
  }

  /** The protocol's repair state is durable: the marker goes. */
  static void delete(Path directory, Disk disk) throws IOException {
    if (Files.deleteIfExists(path(directory))) {
      disk.forceDirectory(directory);
    }
  }
}
