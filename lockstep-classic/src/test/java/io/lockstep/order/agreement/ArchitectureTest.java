package io.lockstep.order.agreement;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.File;
import java.time.Clock;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The classic protocol cores are deterministic objects (no I/O inside): no files, sockets,
 * threads, locks,
 * wall clocks or unseeded randomness anywhere in io.lockstep.order.
 */
class ArchitectureTest {
  private static final JavaClasses ORDER = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.lockstep.order");

  @Test
  void protocolCodeDoesNoIo() {
    noClasses().that().resideInAPackage("io.lockstep.order..")
        .should().dependOnClassesThat().resideInAnyPackage("java.nio.file..", "java.net..")
        .orShould().dependOnClassesThat().areAssignableTo(File.class)
        .check(ORDER);
  }

  @Test
  void protocolCodeUsesNoThreadsOrLocks() {
    noClasses().that().resideInAPackage("io.lockstep.order..")
        .should().dependOnClassesThat().areAssignableTo(Thread.class)
        .orShould().dependOnClassesThat().resideInAPackage("java.util.concurrent.locks..")
        .check(ORDER);
  }

  @Test
  void protocolCodeReadsNoClockAndUsesOnlySeededRandomness() {
    noClasses().that().resideInAPackage("io.lockstep.order..")
        .should().callMethod(System.class, "currentTimeMillis")
        .orShould().callMethod(System.class, "nanoTime")
        .orShould().dependOnClassesThat().areAssignableTo(Instant.class)
        .orShould().dependOnClassesThat().areAssignableTo(Clock.class)
        .orShould().dependOnClassesThat().areAssignableTo(Random.class)
        .check(ORDER);
  }
}
