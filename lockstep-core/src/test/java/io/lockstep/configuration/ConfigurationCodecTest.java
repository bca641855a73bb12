package io.lockstep.configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.machine.ClientId;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The configuration's and system commands' binary forms: exact round trips, strict reading. */
class ConfigurationCodecTest {

  private static SystemCommand randomCommand(SplittableRandom random, long at) {
    return switch (random.nextInt(5)) {
      case 0 -> new SystemCommand.AddClient(ClientId.of("c" + random.nextInt(20)), at);
      case 1 -> new SystemCommand.RemoveClient(ClientId.of("c" + random.nextInt(20)), at);
      case 2 -> new SystemCommand.AddDevice("d" + random.nextInt(5), at);
      case 3 -> new SystemCommand.RemoveDevice("d" + random.nextInt(5), at);
      default -> new SystemCommand.SetReplicas(
          new TreeSet<>(List.of(random.nextInt(3), 3 + random.nextInt(4))), at);
    };
  }

  /** A configuration built the only way the executor builds one: by ordered changes. */
  private static ClusterConfiguration randomConfiguration(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Reconfiguration r = new Reconfiguration();
    long position = 1;
    for (int i = 0; i < 40; i++) {
      position += 1 + random.nextInt(5);
      try {
        r.order(randomCommand(random, 0), position, 1 + random.nextInt(8));
      } catch (ConfigurationRefusal pointless) {
        // a change that would change nothing; the next one may not
      }
      r.takeEffect(position);
    }
    return r.current();
  }

  @Test
  void everyCommandRoundTripsExactly() {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 500; i++) {
      SystemCommand command = randomCommand(random, random.nextLong(1000));
      assertThat(SystemCommands.decode(SystemCommands.encode(command))).isEqualTo(command);
    }
  }

  @Test
  void configurationsRoundTripExactlyAndEncodeCanonically() {
    for (long seed = 0; seed < 200; seed++) {
      ClusterConfiguration c = randomConfiguration(seed);
      byte[] bytes = ConfigurationCodec.encode(c);
      ClusterConfiguration back = ConfigurationCodec.decode(bytes);
      assertThat(back).isEqualTo(c);
      assertThat(ConfigurationCodec.encode(back)).isEqualTo(bytes);
    }
    assertThat(randomConfiguration(3).version()).isPositive();
  }

  @Test
  void everyTruncationAndTrailingByteIsRefusedWithAReason() {
    ClusterConfiguration c = randomConfiguration(11);
    byte[] bytes = ConfigurationCodec.encode(c);
    for (int length = 0; length < bytes.length; length++) {
      byte[] cut = Arrays.copyOf(bytes, length);
      assertThatThrownBy(() -> ConfigurationCodec.decode(cut))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("malformed configuration");
    }
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
    assertThatThrownBy(() -> ConfigurationCodec.decode(longer))
        .hasMessageContaining("trailing");
    byte[] command = SystemCommands.encode(new SystemCommand.RemoveClient(ClientId.of("c7"), 9));
    for (int length = 0; length < command.length; length++) {
      byte[] cut = Arrays.copyOf(command, length);
      assertThatThrownBy(() -> SystemCommands.decode(cut))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("malformed system command");
    }
  }

  @Test
  void badFieldsInsideWellFormedBytesAreRefused() {
    byte[] negative = SystemCommands.encode(new SystemCommand.AddDevice("d", 1));
    negative[negative.length - 1] = 0;
    for (int i = negative.length - 8; i < negative.length; i++) {
      negative[i] = (byte) 0xff;
    }
    assertThatThrownBy(() -> SystemCommands.decode(negative))
        .hasMessage("malformed system command: stated position must not be negative, was -1");
    byte[] version = SystemCommands.encode(new SystemCommand.AddDevice("d", 1));
    version[0] = 2;
    assertThatThrownBy(() -> SystemCommands.decode(version))
        .hasMessageContaining("unknown version 2");
  }
}
