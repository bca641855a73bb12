package io.lockstep.order.pbft;

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
 * The PBFT core is a deterministic object (no I/O inside): no files, sockets, threads, locks,
 * clocks or unseeded randomness anywhere in io.lockstep.order.pbft.
 */
class ArchitectureTest {
  private static final JavaClasses PBFT = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.lockstep.order.pbft");

  @Test
  void protocolCodeDoesNoIo() {
    noClasses().that().resideInAPackage("io.lockstep.order.pbft..")
        .should().dependOnClassesThat().resideInAnyPackage("java.nio.file..", "java.net..")
        .orShould().dependOnClassesThat().areAssignableTo(File.class)
        .check(PBFT);
  }

  @Test
  void protocolCodeUsesNoThreadsOrLocks() {
    noClasses().that().resideInAPackage("io.lockstep.order.pbft..")
        .should().dependOnClassesThat().areAssignableTo(Thread.class)
        .orShould().dependOnClassesThat().resideInAPackage("java.util.concurrent..")
        .check(PBFT);
  }

  @Test
  void protocolCodeReadsNoClockAndUsesNoRandomness() {
    noClasses().that().resideInAPackage("io.lockstep.order.pbft..")
        .should().callMethod(System.class, "currentTimeMillis")
        .orShould().callMethod(System.class, "nanoTime")
        .orShould().dependOnClassesThat().areAssignableTo(Instant.class)
        .orShould().dependOnClassesThat().areAssignableTo(Clock.class)
        .orShould().dependOnClassesThat().areAssignableTo(Random.class)
        .orShould().dependOnClassesThat().areAssignableTo(java.security.SecureRandom.class)
        .check(PBFT);
  }
}
