package io.lockstep.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** {@code cluster.machine}: the config records which user's state machine a cluster runs. */
class MachineConfigTest {
  private static final String HEX = "00112233445566778899aabbccddeeff";

  @Test
  void aNamedMachineClassMakesTheServiceMachineAndSurvivesTheRoundTrip() throws Exception {
    ClusterConfig config = parse(valid() + "cluster.machine=com.example.bank.Bank\n");
    assertThat(config.service()).isEqualTo(Service.MACHINE);
    assertThat(config.machine()).isEqualTo("com.example.bank.Bank");
    ClusterConfig back = ClusterConfig.parse(config.toProperties(), "round trip", Path.of("/"));
    assertThat(back.machine()).isEqualTo("com.example.bank.Bank");
    assertThat(back.toProperties()).isEqualTo(config.toProperties());
  }

  @Test
  void serviceMachineWithoutAClassAndAClassWithABuiltInServiceAreBothRefused() {
    assertThatThrownBy(() -> parse(valid() + "cluster.service=machine\n"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .contains("cluster.service machine needs cluster.machine, the class name of the"
                + " state machine"));
    assertThatThrownBy(() -> parse(valid() + "cluster.service=lock\ncluster.machine=a.B\n"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .contains("cluster.machine 'a.B' is only for cluster.service=machine, not lock"));
  }

  @Test
  void aMachineThatIsNotAClassNameIsRefused() {
    assertThatThrownBy(() -> parse(valid() + "cluster.machine=lib/bank.jar\n"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .anyMatch(p -> p.startsWith("cluster.machine 'lib/bank.jar' is not a Java class name")));
    assertThatThrownBy(() -> parse(valid() + "cluster.machine=com.example.My Bank\n"))
        .isInstanceOf(ConfigException.class);
    assertThat(ConfigParser.machineProblem(Service.MACHINE, "com.example.Outer$Inner")).isNull();
  }

  @Test
  void withoutAMachineTheServiceStaysKv() throws Exception {
    assertThat(parse(valid()).service()).isEqualTo(Service.KV);
    assertThat(parse(valid()).machine()).isNull();
  }

  @Test
  void theRecordRefusesAMachineThatDoesNotFitItsService() {
    ClusterConfig kv = ClusterConfig.local("demo", 3, 7000, Path.of("/tmp/x"), Service.KV,
        new byte[32]);
    assertThat(kv.withMachine("a.B").service()).isEqualTo(Service.MACHINE);
    assertThatThrownBy(() -> ClusterConfig.local("demo", 3, 7000, Path.of("/tmp/x"),
        Service.MACHINE, new byte[32]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs cluster.machine");
  }

  private static ClusterConfig parse(String text) throws Exception {
    Properties p = new Properties();
    p.load(new StringReader(text));
    return ClusterConfig.parse(p, "test", Path.of("/etc/lockstep"));
  }

  private static String valid() {
    StringBuilder s = new StringBuilder("cluster.name=demo\ncluster.t=1\ncluster.data-dir=data\n")
        .append("cluster.secret=").append(HEX).append('\n');
    for (int i = 1; i <= 3; i++) {
      s.append("replica.").append(i).append(".peer=127.0.0.1:").append(7100 + i).append('\n')
          .append("replica.").append(i).append(".client=127.0.0.1:").append(7200 + i).append('\n')
          .append("replica.").append(i).append(".redis=127.0.0.1:").append(7000 + i).append('\n')
          .append("replica.").append(i).append(".metrics=127.0.0.1:").append(7300 + i)
          .append('\n');
    }
    return s.toString();
  }
}
