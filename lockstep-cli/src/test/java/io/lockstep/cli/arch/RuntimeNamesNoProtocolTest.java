package io.lockstep.cli.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.lockstep.order.Protocols;
import io.lockstep.server.archfixture.RaftAwareServerCode;
import org.junit.jupiter.api.Test;

/**
 * The runtime is protocol-neutral: the server, the Java client, storage, the network and the
 * command line know coordination protocols only through {@code io.lockstep.order} (the
 * {@link io.lockstep.order.Protocol} SPI and {@link Protocols}), never through a protocol's own
 * package ({@code io.lockstep.order.<protocol>..}). So adding a protocol is a new module and one
 * registration, with no change to the runtime.
 */
class RuntimeNamesNoProtocolTest {
  private static final String[] RUNTIME = {"io.lockstep.server..", "io.lockstep.client..",
      "io.lockstep.storage..", "io.lockstep.net..", "io.lockstep.cli.."};

  private static final ArchRule NO_PROTOCOL_CLASSES = noClasses().that()
      .resideInAnyPackage(RUNTIME)
      .should().dependOnClassesThat().resideInAPackage("io.lockstep.order.(*)..")
      .because("the runtime finds protocols through io.lockstep.order.Protocols");

  @Test
  void runtimeCodeNamesNoProtocolClass() {
    JavaClasses runtime = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.lockstep.server", "io.lockstep.client", "io.lockstep.storage",
            "io.lockstep.net", "io.lockstep.cli");
    NO_PROTOCOL_CLASSES.check(runtime);
  }

  @Test
  void theRuleCatchesRuntimeCodeThatNamesAProtocolClass() {
    JavaClasses fixture = new ClassFileImporter().importClasses(RaftAwareServerCode.class);
    assertThatThrownBy(() -> NO_PROTOCOL_CLASSES.check(fixture))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("RaftMessage");
  }

  @Test
  void theRaftProtocolIsFoundByName() {
    org.assertj.core.api.Assertions.assertThat(Protocols.named("raft").name()).isEqualTo("raft");
    // Other protocols are registered too (the simulator brings PBFT and the paper's schemes).
    assertThatThrownBy(() -> Protocols.named("paxos"))
        .hasMessageContaining("protocol 'paxos' is not available; registered protocols: ")
        .hasMessageContaining("raft").hasMessageContaining("pbft")
        .hasMessageContaining("logical-clock");
  }
}
