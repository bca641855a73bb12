package io.lockstep.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.io.File;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The executor (its configuration component included), the state machine API, the order SPI,
 * the voter and the replica glue are
 * deterministic objects, so every replica computes the same states from the same inputs — no wall
 * clock, no {@code Random}, no threads, no files, no network.
 */
class DeterminismArchitectureTest {
  private static final String[] DETERMINISTIC = {
      "io.lockstep.executor..", "io.lockstep.machine..", "io.lockstep.order..",
      "io.lockstep.voter..", "io.lockstep.replica..", "io.lockstep.request..",
      "io.lockstep.journal..", "io.lockstep.configuration.."};

  static final ArchRule NO_CLOCKS_RANDOM_THREADS_OR_IO = noClasses()
      .that().resideInAnyPackage(DETERMINISTIC)
      .should().callMethod(System.class, "currentTimeMillis")
      .orShould().callMethod(System.class, "nanoTime")
      .orShould().callMethod(Instant.class, "now")
      .orShould().dependOnClassesThat().areAssignableTo(Random.class)
      .orShould().dependOnClassesThat().areAssignableTo(Thread.class)
      .orShould().dependOnClassesThat().areAssignableTo(File.class)
      .orShould().dependOnClassesThat().resideInAnyPackage("java.nio.file..", "java.net..")
      .because("replicas must compute the same outputs from the same requests (paper §1)");

  @Test
  void coreIsFreeOfClocksRandomThreadsFilesAndSockets() {
    JavaClasses core = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.lockstep");
    assertThat(core.stream().anyMatch(c -> c.getPackageName().equals("io.lockstep.executor")))
        .as("the executor classes were imported").isTrue();
    assertThat(core.stream()
        .anyMatch(c -> c.getPackageName().equals("io.lockstep.configuration")))
        .as("the configuration classes were imported").isTrue();
    NO_CLOCKS_RANDOM_THREADS_OR_IO.check(core);
  }

  @Test
  void theRuleCatchesAViolation() {
    JavaClasses bad = new ClassFileImporter().importClasses(
        io.lockstep.executor.WallClockMachineForArchTest.class);
    EvaluationResult result = NO_CLOCKS_RANDOM_THREADS_OR_IO.evaluate(bad);
    assertThat(result.hasViolation()).isTrue();
    assertThat(result.getFailureReport().getDetails())
        .anyMatch(d -> d.contains("currentTimeMillis"))
        .anyMatch(d -> d.contains("java.util.Random"));
  }
}
