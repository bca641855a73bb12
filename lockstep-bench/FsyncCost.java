import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

/**
 * What one write-and-fdatasync costs the machine when the file grows with each write (an
 * append, as the log's segments did) and when the write lands on bytes the file already has
 * (zeros written ahead, as the segments are now): {@code java lockstep-bench/FsyncCost.java DIR
 * [COUNT] [RECORD_BYTES]} runs both on a file in DIR (put it on the disk the replicas use), one
 * after the other twice, and prints the wall time and the whole machine's busy CPU time per
 * write (from /proc/stat, so file system and block-layer work on other threads counts too; run
 * it on an otherwise idle machine).
 */
public final class FsyncCost {
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : ".");
    int count = args.length > 1 ? Integer.parseInt(args[1]) : 3000;
    int size = args.length > 2 ? Integer.parseInt(args[2]) : 1500;
    for (int round = 0; round < 2; round++) {
      for (boolean ahead : new boolean[] {false, true}) {
        run(dir.resolve("fsync-cost.tmp"), ahead, count, size);
      }
    }
  }

  private static void run(Path file, boolean ahead, int count, int size) throws Exception {
    Files.deleteIfExists(file);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      if (ahead) {
        ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
        for (long at = 0; at < (long) count * size; at += zeros.capacity()) {
          zeros.clear();
          while (zeros.hasRemaining()) { // positional: the channel's position stays at 0
            channel.write(zeros, at + zeros.position());
          }
        }
        channel.force(true);
      }
      byte[] record = new byte[size];
      new Random(1).nextBytes(record);
      Thread.sleep(500);
      long before = busyTicks();
      long start = System.nanoTime();
      for (int i = 0; i < count; i++) {
        ByteBuffer buffer = ByteBuffer.wrap(record);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(false);
      }
      long nanos = System.nanoTime() - start;
      double busyMicros = (busyTicks() - before) * 10_000.0; // USER_HZ is 100
      System.out.printf("%-8s %5d-byte records: %6.1f us wall, %6.1f us machine CPU per write%n",
          ahead ? "ahead" : "append", size, nanos / 1e3 / count, busyMicros / count);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** The machine's busy ticks so far: user, system and interrupts. */
  private static long busyTicks() throws IOException {
    String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
    long busy = 0;
    for (int i = 1; i < fields.length && i <= 7; i++) {
      if (i != 4 && i != 5) {
        busy += Long.parseLong(fields[i]);
      }
    }
    return busy;
  }
}
