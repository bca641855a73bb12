package io.lockstep.redis;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The replicated store and what it runs must stay deterministic (paper §1): no wall
 * clock, no unseeded randomness, no threads, no I/O, no Netty (in-memory byte arrays are fine).
 */
class DeterminismArchTest {
  private static final String[] STATE_MACHINE = {
      RedisStore.class.getName(), Keyspace.class.getName(), StoreSnapshot.class.getName(),
      StoreSnapshotStream.class.getName(), RedisOp.class.getName(), RedisOpCodec.class.getName(), RespReply.class.getName(),
      RespReplies.class.getName(), RedisNumbers.class.getName()};

  /**
   * Streams handed in by the caller are not I/O devices: the store writes its snapshot to an
   * {@link java.io.OutputStream} and restores from an {@link java.io.InputStream} it is given.
   * Files, channels and sockets stay forbidden.
   */
  private static final DescribedPredicate<JavaClass> STREAMS = JavaClass.Predicates.equivalentTo(
      ByteArrayOutputStream.class)
      .or(JavaClass.Predicates.equivalentTo(java.io.ByteArrayInputStream.class))
      .or(JavaClass.Predicates.equivalentTo(java.io.InputStream.class))
      .or(JavaClass.Predicates.equivalentTo(java.io.OutputStream.class))
      .or(JavaClass.Predicates.equivalentTo(java.io.DataInputStream.class))
      .or(JavaClass.Predicates.equivalentTo(java.io.DataOutputStream.class))
      .or(JavaClass.Predicates.equivalentTo(java.io.BufferedOutputStream.class))
      .or(JavaClass.Predicates.equivalentTo(java.io.IOException.class))
      .or(JavaClass.Predicates.equivalentTo(java.io.EOFException.class));

  private final JavaClasses classes = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
      .importPackages("io.lockstep.redis");

  private static ArchRule rule(String namePattern) {
    return noClasses().that().haveNameMatching(namePattern)
        .should().callMethod(System.class, "currentTimeMillis")
        .orShould().callMethod(System.class, "nanoTime")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.time.Instant")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.time.Clock")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.Random")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.Thread")
        .orShould().dependOnClassesThat(JavaClass.Predicates.resideInAnyPackage("java.io..",
            "java.nio.file..", "java.nio.channels..", "java.net..", "java.util.concurrent..",
            "io.netty..").and(DescribedPredicate.not(STREAMS)))
        .because("the store is a deterministic state machine (paper §1)");
  }

  private static String[] quoted() {
    String[] patterns = new String[STATE_MACHINE.length];
    for (int i = 0; i < STATE_MACHINE.length; i++) {
      // Nested types (RedisOp.Set, Keyspace.Entry…) are covered too.
      patterns[i] = java.util.regex.Pattern.quote(STATE_MACHINE[i]) + "(\\$.*)?";
    }
    return patterns;
  }

  @Test
  void storeUsesNoClockRandomnessThreadsOrIo() {
    rule(String.join("|", quoted())).check(classes);
  }

  @Test
  void theRuleCatchesAClockReadAndFileAccessButAllowsByteArrays() {
    JavaClasses fixtures = new ClassFileImporter().importClasses(WallClockFixture.class,
        ByteArrayFixture.class);
    assertThatThrownBy(() -> rule(".*WallClockFixture").check(fixtures))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("currentTimeMillis").hasMessageContaining("java.io.File");
    rule(".*ByteArrayFixture").check(fixtures);
    assertThatThrownBy(() -> rule(".*FileStreamFixture").check(
        new ClassFileImporter().importClasses(FileStreamFixture.class)))
        .isInstanceOf(AssertionError.class).hasMessageContaining("java.io.FileOutputStream");
  }

  /** Breaks the rule: a file stream is I/O even though streams handed in are allowed. */
  static final class FileStreamFixture {
    void write(byte[] bytes) throws java.io.IOException {
      try (java.io.OutputStream out = new java.io.FileOutputStream("x")) {
        out.write(bytes);
      }
    }
  }

  /** Breaks the rule on purpose. */
  static final class WallClockFixture {
    long now() {
      return System.currentTimeMillis() + new java.io.File("x").length();
    }
  }

  /** Keeps the rule. */
  static final class ByteArrayFixture {
    byte[] bytes() {
      return new ByteArrayOutputStream().toByteArray();
    }
  }
}
