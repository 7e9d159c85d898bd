package io.shopflow.marketing.udfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QuietHoursTest {
  private static final ZoneId UTC = ZoneOffset.UTC;
  private static final ZoneId LONDON = ZoneId.of("Europe/London");

  private static long utc(String isoInstant) {
    return Instant.parse(isoInstant).toEpochMilli();
  }

  @Nested
  class AcrossMidnight {
    private static final int START = 21;
    private static final int END = 8;

    @ParameterizedTest(name = "{0} quiet={1}")
    @CsvSource({
      "2026-11-25T21:00:00Z, true",
      "2026-11-25T22:00:00Z, true",
      "2026-11-25T23:59:59.999Z, true",
      "2026-11-26T00:00:00Z, true",
      "2026-11-26T03:00:00Z, true",
      "2026-11-26T07:59:00Z, true",
      "2026-11-26T07:59:59.999Z, true",
      "2026-11-26T08:00:00Z, false",
      "2026-11-26T12:00:00Z, false",
      "2026-11-26T20:59:00Z, false",
      "2026-11-26T20:59:59.999Z, false"
    })
    void quietFromStartHourUntilEndHour(String at, boolean quiet) {
      assertThat(QuietHours.isQuiet(utc(at), UTC, START, END)).isEqualTo(quiet);
    }

    @Test
    void lateEveningIsDeferredToEndHourNextDay() {
      assertThat(QuietHours.nextAllowed(utc("2026-11-25T23:00:00Z"), UTC, START, END))
          .isEqualTo(utc("2026-11-26T08:00:00Z"));
    }

    @Test
    void startHourItselfIsDeferredToNextDay() {
      assertThat(QuietHours.nextAllowed(utc("2026-11-25T21:00:00Z"), UTC, START, END))
          .isEqualTo(utc("2026-11-26T08:00:00Z"));
    }

    @Test
    void earlyMorningIsDeferredToEndHourSameDay() {
      assertThat(QuietHours.nextAllowed(utc("2026-11-26T03:00:00Z"), UTC, START, END))
          .isEqualTo(utc("2026-11-26T08:00:00Z"));
    }

    @Test
    void midnightIsDeferredToEndHourSameDay() {
      assertThat(QuietHours.nextAllowed(utc("2026-11-26T00:00:00Z"), UTC, START, END))
          .isEqualTo(utc("2026-11-26T08:00:00Z"));
    }

    @Test
    void allowedTimeIsLeftAlone() {
      long noon = utc("2026-11-26T12:34:56.789Z");

      assertThat(QuietHours.nextAllowed(noon, UTC, START, END)).isEqualTo(noon);
      assertThat(QuietHours.nextAllowed(utc("2026-11-26T08:00:00Z"), UTC, START, END))
          .isEqualTo(utc("2026-11-26T08:00:00Z"));
    }

    @Test
    void deferredTimeIsNeverEarlierAndNeverQuiet() {
      long from = utc("2026-11-25T00:00:00Z");
      for (long t = from; t < from + 2 * 86_400_000L; t += 15 * 60_000L) {
        long next = QuietHours.nextAllowed(t, UTC, START, END);

        assertThat(next)
            .as("next allowed after %s", Instant.ofEpochMilli(t))
            .isGreaterThanOrEqualTo(t);
        assertThat(next - t).isLessThanOrEqualTo(11 * 3_600_000L);
        assertThat(QuietHours.isQuiet(next, UTC, START, END)).isFalse();
      }
    }
  }

  @Nested
  class WithinOneDay {
    @ParameterizedTest(name = "{0} quiet={1}")
    @CsvSource({
      "2026-11-25T12:59:59Z, false",
      "2026-11-25T13:00:00Z, true",
      "2026-11-25T13:30:00Z, true",
      "2026-11-25T14:00:00Z, false",
      "2026-11-25T23:00:00Z, false",
      "2026-11-25T02:00:00Z, false"
    })
    void quietOnlyBetweenStartAndEnd(String at, boolean quiet) {
      assertThat(QuietHours.isQuiet(utc(at), UTC, 13, 14)).isEqualTo(quiet);
    }

    @Test
    void deferredToEndHourSameDay() {
      assertThat(QuietHours.nextAllowed(utc("2026-11-25T13:20:00Z"), UTC, 13, 14))
          .isEqualTo(utc("2026-11-25T14:00:00Z"));
    }

    @Test
    void equalStartAndEndMeansNoQuietHours() {
      long t = utc("2026-11-25T05:00:00Z");

      assertThat(QuietHours.isQuiet(t, UTC, 5, 5)).isFalse();
      assertThat(QuietHours.nextAllowed(t, UTC, 5, 5)).isEqualTo(t);
    }
  }

  @Nested
  class Zones {
    @Test
    void usesLocalTimeOfTheZoneInSummer() {
      // 20:30 UTC is 21:30 BST in July: quiet in London, not in UTC.
      long t = utc("2026-07-01T20:30:00Z");

      assertThat(QuietHours.isQuiet(t, LONDON, 21, 8)).isTrue();
      assertThat(QuietHours.isQuiet(t, UTC, 21, 8)).isFalse();
    }

    @Test
    void endsAtLocalEndHourInSummer() {
      // 07:00 UTC is 08:00 BST: no longer quiet in London, still quiet in UTC.
      long t = utc("2026-07-01T07:00:00Z");

      assertThat(QuietHours.isQuiet(t, LONDON, 21, 8)).isFalse();
      assertThat(QuietHours.isQuiet(t, UTC, 21, 8)).isTrue();
    }

    @Test
    void nextAllowedIsLocalEndHourInSummer() {
      // 23:00 BST on 1 July -> 08:00 BST on 2 July = 07:00 UTC.
      assertThat(QuietHours.nextAllowed(utc("2026-07-01T22:00:00Z"), LONDON, 21, 8))
          .isEqualTo(utc("2026-07-02T07:00:00Z"));
    }

    @Test
    void nextAllowedIsLocalEndHourInWinter() {
      assertThat(QuietHours.nextAllowed(utc("2026-12-01T22:00:00Z"), LONDON, 21, 8))
          .isEqualTo(utc("2026-12-02T08:00:00Z"));
    }

    @Test
    void nextAllowedAcrossTheSpringForwardNight() {
      // 23:00 GMT on 28 March 2026; clocks go forward at 01:00 GMT on 29 March.
      assertThat(QuietHours.nextAllowed(utc("2026-03-28T23:00:00Z"), LONDON, 21, 8))
          .isEqualTo(utc("2026-03-29T07:00:00Z"));
    }

    @Test
    void nextAllowedAcrossTheFallBackNight() {
      // 23:00 BST on 24 October 2026 = 22:00 UTC; clocks go back at 01:00 UTC on 25 October.
      assertThat(QuietHours.nextAllowed(utc("2026-10-24T22:00:00Z"), LONDON, 21, 8))
          .isEqualTo(utc("2026-10-25T08:00:00Z"));
    }

    @Test
    void nextAllowedIsAnOffsetZoneToo() {
      ZoneId tokyo = ZoneId.of("Asia/Tokyo");
      // 13:00 UTC = 22:00 JST -> 08:00 JST next day = 23:00 UTC the same UTC day.
      assertThat(QuietHours.nextAllowed(utc("2026-11-25T13:00:00Z"), tokyo, 21, 8))
          .isEqualTo(utc("2026-11-25T23:00:00Z"));
    }
  }

  @Nested
  class Day {
    @Test
    void isTheEpochDayInUtc() {
      assertThat(QuietHours.day(utc("2026-11-25T23:59:59.999Z"), UTC))
          .isEqualTo(LocalDate.of(2026, 11, 25).toEpochDay());
      assertThat(QuietHours.day(utc("2026-11-26T00:00:00Z"), UTC))
          .isEqualTo(LocalDate.of(2026, 11, 26).toEpochDay());
    }

    @Test
    void followsTheLocalCalendarOfTheZone() {
      // 23:30 UTC on 1 July is 00:30 BST on 2 July.
      long t = utc("2026-07-01T23:30:00Z");

      assertThat(QuietHours.day(t, LONDON)).isEqualTo(LocalDate.of(2026, 7, 2).toEpochDay());
      assertThat(QuietHours.day(t, UTC)).isEqualTo(LocalDate.of(2026, 7, 1).toEpochDay());
    }

    @Test
    void epochStartIsDayZero() {
      assertThat(QuietHours.day(0, UTC)).isZero();
    }
  }
}
