package io.lockstep.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.io.StringWriter;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonLinesTest {
  private static final String VALID =
      "{\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"key\":\"k\",\"value\":null,"
          + "\"expected\":null,\"time\":5}";

  @Test
  void eventIsWrittenInTheExactDocumentedFormat() {
    assertThat(History.toJson(Op.cas(7, "k", null, "v", 123_456_789_012L)))
        .isEqualTo("{\"process\":7,\"type\":\"invoke\",\"f\":\"cas\",\"key\":\"k\",\"value\":\"v\","
            + "\"expected\":null,\"time\":123456789012}");
    assertThat(History.toJson(Op.read(1, "k", 0).completeRead("a\"b\\c\n\u0001", 9)))
        .isEqualTo("{\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"key\":\"k\","
            + "\"value\":\"a\\\"b\\\\c\\n\\u0001\",\"expected\":null,\"time\":9}");
  }

  @Test
  void parserAcceptsAnyFieldOrderWhitespaceAndStandardEscapes() {
    Op op = History.fromJson(" { \"time\" : -3 , \"expected\":\"\\u00e9\\/\\t\", \"value\":\"x\","
        + "\"key\":\"k\",\"f\":\"cas\",\"type\":\"info\",\"process\":-2 } ");
    assertThat(op).isEqualTo(new Op(-2, Op.Type.INFO, "cas", "k", "x", "é/\t", -3));
  }

  @Property(tries = 300)
  void everyEventSurvivesAJsonRoundTrip(@ForAll("events") Op op) {
    assertThat(History.fromJson(History.toJson(op))).isEqualTo(op);
  }

  @Property(tries = 100)
  void historySurvivesAJsonLinesRoundTrip(@ForAll("invocations") List<Op> invocations) {
    History history = new History();
    for (int i = 0; i < invocations.size(); i++) {
      Op invoke = invocations.get(i);
      Op renumbered = new Op(i, invoke.type(), invoke.f(), invoke.key(), invoke.value(),
          invoke.expected(), invoke.time());
      history.add(renumbered);
      if (i % 3 == 0) {
        history.add(renumbered.f().equals("read")
            ? renumbered.completeRead(invoke.key(), invoke.time())
            : renumbered.completeOk(invoke.time()));
      } else if (i % 3 == 1) {
        history.add(renumbered.completeInfo(invoke.time()));
      }
    }
    StringWriter out = new StringWriter();
    history.writeJsonLines(out);
    History back = History.readJsonLines(new StringReader(out.toString()));
    assertThat(back.ops()).isEqualTo(history.ops());
    assertThat(out.toString().lines()).hasSize(history.size());
  }

  @Provide
  Arbitrary<Op> events() {
    Arbitrary<Op.Type> types = Arbitraries.of(Op.Type.class);
    Arbitrary<String> functions = Arbitraries.of(List.of("read", "write", "cas", "delete"));
    return Combinators.combine(Arbitraries.integers(), types, functions,
            nasty(), nasty(), nasty().injectNull(0.3), Arbitraries.longs())
        .as(JsonLinesTest::validOp);
  }

  @Provide
  Arbitrary<List<Op>> invocations() {
    return events().map(op -> new Op(op.process(), Op.Type.INVOKE, op.f(), op.key(),
            op.f().equals("read") || op.f().equals("delete") ? null : op.key() + "!",
            op.expected(), op.time()))
        .list().ofMaxSize(30);
  }

  /** Strings full of what breaks naive codecs: quotes, backslashes, controls, any unicode. */
  private static Arbitrary<String> nasty() {
    Arbitrary<Character> tricky = Arbitraries.of(
        '"', '\\', '/', '\n', '\r', '\t', '\b', '\f', '\u0000', '\u001f', '\u007f', '\u2028',
        '\ud83d', '\ude00', '\uffff', 'é', '中');
    Arbitrary<Character> any = Arbitraries.chars().range('\u0000', '\uffff');
    return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(3, tricky), net.jqwik.api.Tuple.of(3, any),
            net.jqwik.api.Tuple.of(4, Arbitraries.chars().alpha()))
        .list().ofMaxSize(12)
        .map(cs -> cs.stream().collect(StringBuilder::new, StringBuilder::append,
            StringBuilder::append).toString());
  }

  /** Shapes random fields into an event that {@link Op} admits. */
  private static Op validOp(
      int process, Op.Type type, String f, String key, String v, String e, long time) {
    String value = switch (f) {
      case "write", "cas" -> v;
      case "read" -> type == Op.Type.OK ? e : null;
      default -> null;
    };
    String expected = f.equals("cas") ? e : null;
    return new Op(process, type, f, key, value, expected, time);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "string process | {\"process\":\"1\",\"type\":\"ok\",\"f\":\"read\",\"key\":\"k\","
          + "\"value\":null,\"expected\":null,\"time\":5}"
          + " | field \"process\" must be an integer, not the string \"1\"",
      "fractional time | {\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"key\":\"k\","
          + "\"value\":null,\"expected\":null,\"time\":1.5} | field \"time\" must be an integer",
      "exponent time | {\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"key\":\"k\","
          + "\"value\":null,\"expected\":null,\"time\":1e3} | field \"time\" must be an integer",
      "process out of range | {\"process\":3000000000,\"type\":\"invoke\",\"f\":\"read\","
          + "\"key\":\"k\",\"value\":null,\"expected\":null,\"time\":1} | out of range",
      "unknown field | {\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"key\":\"k\","
          + "\"value\":null,\"expected\":null,\"time\":1,\"extra\":2} | unknown field \"extra\"",
      "missing field | {\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"key\":\"k\","
          + "\"value\":null,\"expected\":null} | missing field \"time\"",
      "duplicate field | {\"process\":1,\"process\":1,\"type\":\"invoke\",\"f\":\"read\","
          + "\"key\":\"k\",\"value\":null,\"expected\":null,\"time\":1} | appears twice",
      "unknown type | {\"process\":1,\"type\":\"done\",\"f\":\"read\",\"key\":\"k\","
          + "\"value\":null,\"expected\":null,\"time\":1} | unknown type \"done\"",
      "unknown f | {\"process\":1,\"type\":\"invoke\",\"f\":\"incr\",\"key\":\"k\","
          + "\"value\":null,\"expected\":null,\"time\":1} | unknown f \"incr\"",
      "bad escape | {\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"key\":\"a\\qb\","
          + "\"value\":null,\"expected\":null,\"time\":1} | bad escape sequence \\q",
      "bad unicode escape | {\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"key\":\"\\u12G4\","
          + "\"value\":null,\"expected\":null,\"time\":1} | \\u needs four hex digits",
      "raw control char | `{\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"key\":\"a\tb\","
          + "\"value\":null,\"expected\":null,\"time\":1}` | raw control character U+0009",
      "null key | {\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"key\":null,"
          + "\"value\":null,\"expected\":null,\"time\":1}"
          + " | field \"key\" must be a string, not null",
      "numeric value | {\"process\":1,\"type\":\"invoke\",\"f\":\"write\",\"key\":\"k\","
          + "\"value\":3,\"expected\":null,\"time\":1}"
          + " | must be a string or null, not the number 3",
      "boolean value | {\"process\":1,\"type\":\"invoke\",\"f\":\"write\",\"key\":\"k\","
          + "\"value\":true,\"expected\":null,\"time\":1} | not the literal true",
      "nested object | {\"process\":1,\"type\":{}} | nested objects and arrays",
      "trailing text | {\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"key\":\"k\","
          + "\"value\":null,\"expected\":null,\"time\":1}x | unexpected text after the end",
      "truncated | {\"process\":1, | expected a field name",
      "not json | hello | expected '{' but found 'h'",
      "unterminated string | {\"process\":1,\"type\":\"inv | unterminated string",
      "read invoke with value | {\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"key\":\"k\","
          + "\"value\":\"v\",\"expected\":null,\"time\":1} | only a read completed ok carries",
      "write without value | {\"process\":1,\"type\":\"invoke\",\"f\":\"write\",\"key\":\"k\","
          + "\"value\":null,\"expected\":null,\"time\":1} | needs a value",
      "expected on write | {\"process\":1,\"type\":\"invoke\",\"f\":\"write\",\"key\":\"k\","
          + "\"value\":\"v\",\"expected\":\"e\",\"time\":1} | only a cas carries expected",
      "completion without invocation | {\"process\":9,\"type\":\"ok\",\"f\":\"write\","
          + "\"key\":\"k\",\"value\":\"v\",\"expected\":null,\"time\":1}"
          + " | without an outstanding invocation",
  })
  void malformedLineIsRejectedWithItsLineNumber(String name, String line, String problem) {
    String input = VALID + "\n\n" + line + "\n" + VALID.replace("\"process\":1", "\"process\":2");
    assertThatThrownBy(() -> History.readJsonLines(new StringReader(input)))
        .as(name)
        .isInstanceOf(HistoryFormatException.class)
        .hasMessageStartingWith("line 3: ")
        .hasMessageContaining(problem)
        .satisfies(e -> assertThat(((HistoryFormatException) e).lineNumber()).isEqualTo(3));
  }

  @Test
  void secondInvocationWhileOutstandingIsRejectedWithItsLineNumber() {
    String input = VALID + "\n" + VALID.replace("\"time\":5", "\"time\":6");
    assertThatThrownBy(() -> History.readJsonLines(new StringReader(input)))
        .isInstanceOf(HistoryFormatException.class)
        .hasMessageStartingWith("line 2: ")
        .hasMessageContaining("still outstanding");
  }
}
