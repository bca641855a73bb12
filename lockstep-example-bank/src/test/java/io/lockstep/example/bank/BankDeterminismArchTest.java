package io.lockstep.example.bank;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The bank's state machine and codec must be deterministic (paper §2: every replica, same
 * commands, same state): no clocks, randomness, threads or I/O. The client and main may.
 */
class BankDeterminismArchTest {
  private final JavaClasses classes = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.lockstep.example.bank");

  private static ArchRule rule(String namePattern) {
    return noClasses().that().haveNameMatching(namePattern)
        .should().callMethod(System.class, "currentTimeMillis")
        .orShould().callMethod(System.class, "nanoTime")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.time.Instant")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.time.Clock")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.Random")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.Thread")
        .orShould().dependOnClassesThat(JavaClass.Predicates.resideInAnyPackage("java.io..",
            "java.nio.file..", "java.net..", "java.util.concurrent..", "io.lockstep.client..",
            "io.lockstep.server.."))
        .because("the bank is a deterministic state machine (paper §2)");
  }

  @Test
  void theMachineAndCodecUseNoClockRandomnessThreadsOrIo() {
    rule("io\\.lockstep\\.example\\.bank\\.(Bank|BankCodec|BankCommand)(\\$.*)?").check(classes);
  }

  @Test
  void theRuleCatchesTheClientWhichDoesNetworkIo() {
    assertThatThrownBy(() -> rule(".*BankClient").check(classes))
        .isInstanceOf(AssertionError.class);
  }
}
