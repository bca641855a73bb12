package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.machine.StateMachine;
import io.lockstep.server.MachineLoader.MachineLoadException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MachineLoaderTest {
  private static final String MACHINE_BODY = """
        public byte[] apply(byte[] c, io.lockstep.machine.Context x) { return c; }
        public byte[] query(byte[] q, io.lockstep.machine.ClientId c) { return q; }
        public byte[] snapshot() { return new byte[0]; }
        public void restore(byte[] s) { }
      """;

  @TempDir static Path work;
  static Path jar;

  @BeforeAll
  static void compileUserJar() throws Exception {
    jar = MachineJars.compile(work, "user", Map.of(
        "user.Good", "package user; public class Good implements io.lockstep.machine.StateMachine {"
            + MACHINE_BODY + "}",
        "user.NotAMachine", "package user; public class NotAMachine { }",
        "user.NeedsArgs", "package user; public class NeedsArgs implements"
            + " io.lockstep.machine.StateMachine { public NeedsArgs(int x) { }" + MACHINE_BODY
            + "}",
        "user.Throws", "package user; public class Throws implements"
            + " io.lockstep.machine.StateMachine { public Throws() {"
            + " throw new IllegalStateException(\"no database\"); }" + MACHINE_BODY + "}",
        "user.Abstract", "package user; public abstract class Abstract implements"
            + " io.lockstep.machine.StateMachine { }",
        "user.Hidden", "package user; class Hidden implements io.lockstep.machine.StateMachine {"
            + MACHINE_BODY + "}"));
  }

  @Test
  void aMachineIsLoadedFromItsJarInAChildLoaderSeeingLockstepsOwnApi() {
    assertThatThrownBy(() -> Class.forName("user.Good"))
        .as("the jar is not on the test class path").isInstanceOf(ClassNotFoundException.class);
    MachineLoader.Loaded loaded = MachineLoader.load("user.Good", List.of(jar));
    StateMachine first = loaded.factory().get();
    StateMachine second = loaded.factory().get();
    assertThat(first.getClass().getName()).isEqualTo("user.Good");
    assertThat(first).isNotSameAs(second);
    assertThat(loaded.source()).endsWith("user.jar");
    assertThat(first.apply(new byte[] {7}, null)).containsExactly(7);
  }

  @Test
  void aClassMissingFromTheJarsIsNamedWithTheJars() {
    assertThatThrownBy(() -> MachineLoader.load("user.Missing", List.of(jar)))
        .isInstanceOf(MachineLoadException.class)
        .hasMessage("machine class user.Missing not found in [" + jar + "]");
  }

  @Test
  void aClassThatIsNoStateMachineIsRefusedNamingItsJar() {
    assertThatThrownBy(() -> MachineLoader.load("user.NotAMachine", List.of(jar)))
        .hasMessageContaining("machine class user.NotAMachine (from ")
        .hasMessageContaining("user.jar")
        .hasMessageEndingWith("does not implement io.lockstep.machine.StateMachine");
  }

  @Test
  void aClassWithoutAPublicNoArgumentConstructorIsRefused() {
    assertThatThrownBy(() -> MachineLoader.load("user.NeedsArgs", List.of(jar)))
        .hasMessageContaining("user.NeedsArgs (from ")
        .hasMessageEndingWith("has no public no-argument constructor");
  }

  @Test
  void aConstructorThatThrowsIsReportedWithItsExceptionOnOneLine() {
    assertThatThrownBy(() -> MachineLoader.load("user.Throws", List.of(jar)))
        .hasMessageContaining("user.Throws (from ")
        .hasMessageEndingWith("its constructor threw java.lang.IllegalStateException:"
            + " no database")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void aMachineWhoseDependencyIsNotOnTheClasspathIsReportedOnOneLine(@TempDir Path own)
      throws Exception {
    // Compiled together, but only the machine's class goes into the jar: its helper is missing.
    Path both = MachineJars.compile(own, "both", Map.of(
        "dep.Helper", "package dep; public class Helper { }",
        "dep.NeedsHelper", "package dep; public class NeedsHelper implements"
            + " io.lockstep.machine.StateMachine { private final Object h = new Helper();"
            + MACHINE_BODY + "}"));
    Path classes = own.resolve("both-classes");
    java.nio.file.Files.delete(classes.resolve("dep/Helper.class"));
    Path onlyMachine = MachineJars.jar(classes, own.resolve("only-machine.jar"));
    assertThat(both).exists();
    assertThatThrownBy(() -> MachineLoader.load("dep.NeedsHelper", List.of(onlyMachine)))
        .isInstanceOf(MachineLoadException.class)
        .hasMessageContaining("dep.NeedsHelper (from ")
        .hasMessageContaining("java.lang.NoClassDefFoundError: dep/Helper")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void abstractAndNonPublicClassesAreRefused() {
    assertThatThrownBy(() -> MachineLoader.load("user.Abstract", List.of(jar)))
        .hasMessageEndingWith("is abstract");
    assertThatThrownBy(() -> MachineLoader.load("user.Hidden", List.of(jar)))
        .hasMessageEndingWith("is not public");
  }

  @Test
  void aClasspathEntryThatDoesNotExistIsNamed() {
    Path missing = work.resolve("nope.jar");
    assertThatThrownBy(() -> MachineLoader.load("user.Good", List.of(missing)))
        .hasMessage("classpath entry " + missing + " for machine user.Good does not exist");
  }

  @Test
  void withoutJarsTheApplicationClassPathIsSearched() {
    MachineLoader.Loaded loaded = MachineLoader.load(CounterMachine.class.getName(), List.of());
    assertThat(loaded.factory().get()).isInstanceOf(CounterMachine.class);
  }

  @Test
  void aClasspathArgumentSplitsOnThePathSeparator() {
    String sep = java.io.File.pathSeparator;
    assertThat(MachineLoader.parseClasspath("a.jar" + sep + " b.jar" + sep))
        .containsExactly(Path.of("a.jar"), Path.of("b.jar"));
    assertThat(MachineLoader.parseClasspath(null)).isEmpty();
  }
}
