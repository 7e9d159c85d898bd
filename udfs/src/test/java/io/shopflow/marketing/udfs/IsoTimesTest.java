package io.shopflow.marketing.udfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IsoTimesTest {

  /** The reference: the value, or the kind of exception. */
  private static String reference(String text) {
    try {
      return Long.toString(OffsetDateTime.parse(text).toInstant().toEpochMilli());
    } catch (RuntimeException ex) {
      return ex.getClass().getSimpleName();
    }
  }

  private static String fast(String text) {
    try {
      return Long.toString(IsoTimes.epochMillis(text));
    } catch (RuntimeException ex) {
      return ex.getClass().getSimpleName();
    }
  }

  @Test
  void readsTheCommonShapeByHand() {
    for (String text :
        new String[] {
          "2026-11-25T10:00:00Z",
          "2026-11-25T10:00:00.250+01:00",
          "1969-12-31T23:59:59.999Z",
          "2024-02-29T23:59:59.123456789-05:30",
          "0000-03-01T00:00:00+18:00",
        }) {
      assertThat(IsoTimes.common(text)).as(text).isNotEqualTo(IsoTimes.NOT_COMMON);
      assertThat(fast(text)).as(text).isEqualTo(reference(text));
    }
  }

  @Test
  void agreesWithOffsetDateTimeOnInstantsWrittenByJavaTime() {
    Random r = new Random(7);
    int common = 0;
    for (int n = 0; n < 20_000; n++) {
      Instant t = Instant.ofEpochSecond(r.nextLong(-70_000_000_000L, 250_000_000_000L));
      t = t.plusNanos(r.nextInt(4) == 0 ? 0 : r.nextInt(1_000_000_000));
      ZoneOffset offset = ZoneOffset.ofTotalSeconds(r.nextInt(-18 * 60, 18 * 60 + 1) * 60);
      String text = r.nextBoolean() ? t.toString() : OffsetDateTime.ofInstant(t, offset).toString();
      if (IsoTimes.common(text) != IsoTimes.NOT_COMMON) {
        common++;
      }
      assertThat(fast(text)).as(text).isEqualTo(reference(text));
    }
    // Years past 9999 and times without seconds take the formatter; most do not.
    assertThat(common).isGreaterThan(10_000);
  }

  @Test
  void agreesWithOffsetDateTimeOnMalformedAndEdgeCaseText() {
    Random r = new Random(11);
    for (int n = 0; n < 50_000; n++) {
      String text =
          pad(r, r.nextInt(12) == 0 ? 5 : 4, r.nextInt(10) == 0 ? 10_000 : 1895 + r.nextInt(210))
              + pick(r, "-", "-", "-", "/")
              + pad(r, 2, r.nextInt(15))
              + "-"
              + pad(r, 2, r.nextInt(33))
              + pick(r, "T", "T", "T", "t", " ")
              + pad(r, 2, r.nextInt(26))
              + ":"
              + pad(r, 2, r.nextInt(62))
              + pick(r, ":" + pad(r, 2, r.nextInt(62)), ":" + pad(r, 2, r.nextInt(60)), "", ":6")
              + pick(r, "", "", "." + "1234567890".substring(0, r.nextInt(11)), ".x")
              + pick(
                  r,
                  "Z",
                  "z",
                  "",
                  sign(r) + pad(r, 2, r.nextInt(20)) + ":" + pad(r, 2, r.nextInt(61)),
                  sign(r) + pad(r, 2, r.nextInt(19)) + ":" + pad(r, 2, r.nextInt(60)),
                  sign(r) + "18:00",
                  sign(r) + "01:00:30",
                  sign(r) + "0100",
                  "+01",
                  "Z ");
      assertThat(fast(text)).as(text).isEqualTo(reference(text));
    }
  }

  @Test
  void aDateBeyondEpochMillisIsRefusedWithAReason() {
    assertThat(fast("+999999999-12-31T23:59:59Z")).isEqualTo("ArithmeticException");
    assertThat(
            org.assertj.core.api.Assertions.catchThrowable(
                () ->
                    EventParser.parseEventTime(
                        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.textNode(
                            "+999999999-12-31T23:59:59Z"))))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("beyond the range of epoch milliseconds");
  }

  private static String sign(Random r) {
    return r.nextBoolean() ? "+" : "-";
  }

  private static String pad(Random r, int width, int v) {
    String s = Integer.toString(v);
    return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
  }

  private static String pick(Random r, String... options) {
    return options[r.nextInt(options.length)];
  }
}
