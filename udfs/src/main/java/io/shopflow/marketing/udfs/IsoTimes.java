package io.shopflow.marketing.udfs;

import java.time.OffsetDateTime;
import java.time.Year;
import java.time.format.DateTimeParseException;

/**
 * Epoch milliseconds of an ISO-8601 date-time with offset, as {@code
 * OffsetDateTime.parse(text).toInstant().toEpochMilli()} gives them. The shape shops send ({@code
 * 2026-11-25T10:00:00Z}, {@code 2026-11-25T10:00:00.250+01:00}) is read by hand: the formatter was
 * three quarters of the parse of an event with such a time, which now parses three times as fast
 * (docs/benchmarks.md). Every other text (no seconds, a lower-case {@code t}, a five-digit year, an
 * invalid date) goes to {@link OffsetDateTime#parse}, which decides and throws as before.
 */
public final class IsoTimes {
  private static final long MILLIS_PER_DAY = 86_400_000L;

  private IsoTimes() {}

  /**
   * @throws DateTimeParseException as {@link OffsetDateTime#parse} does
   */
  public static long epochMillis(String text) {
    long fast = common(text);
    return fast != NOT_COMMON ? fast : OffsetDateTime.parse(text).toInstant().toEpochMilli();
  }

  /** Returned by {@link #common} for text outside the common shape; no valid time maps to it. */
  static final long NOT_COMMON = Long.MIN_VALUE;

  /**
   * {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}](Z|+HH:MM|-HH:MM)}, all fields in range, or {@link
   * #NOT_COMMON}.
   */
  static long common(String s) {
    int n = s.length();
    if (n < 20
        || s.charAt(4) != '-'
        || s.charAt(7) != '-'
        || s.charAt(10) != 'T'
        || s.charAt(13) != ':'
        || s.charAt(16) != ':') {
      return NOT_COMMON;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 2);
    int day = digits(s, 8, 2);
    int hour = digits(s, 11, 2);
    int minute = digits(s, 14, 2);
    int second = digits(s, 17, 2);
    if ((year | month | day | hour | minute | second) < 0
        || month < 1
        || month > 12
        || day < 1
        || day > lengthOfMonth(year, month)
        || hour > 23
        || minute > 59
        || second > 59) {
      return NOT_COMMON;
    }
    int i = 19;
    int millis = 0;
    if (s.charAt(i) == '.') {
      int start = ++i;
      while (i < n && i - start < 9 && isDigit(s.charAt(i))) {
        // the first three digits are milliseconds; further ones are truncated, as toEpochMilli does
        if (i - start < 3) {
          millis = millis * 10 + (s.charAt(i) - '0');
        }
        i++;
      }
      if (i == start) {
        return NOT_COMMON;
      }
      for (int k = i - start; k < 3; k++) {
        millis *= 10;
      }
    }
    int offsetSeconds;
    if (i == n - 1 && s.charAt(i) == 'Z') {
      offsetSeconds = 0;
    } else if (i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && s.charAt(i + 3) == ':') {
      int oh = digits(s, i + 1, 2);
      int om = digits(s, i + 4, 2);
      if ((oh | om) < 0 || om > 59 || oh > 18 || (oh == 18 && om > 0)) {
        return NOT_COMMON;
      }
      offsetSeconds = (oh * 3600 + om * 60) * (s.charAt(i) == '-' ? -1 : 1);
    } else {
      return NOT_COMMON;
    }
    long seconds = hour * 3600L + minute * 60L + second - offsetSeconds;
    return epochDay(year, month, day) * MILLIS_PER_DAY + seconds * 1000 + millis;
  }

  /** Days since 1970-01-01 of a valid date (proleptic Gregorian), as {@code LocalDate} counts. */
  private static long epochDay(int year, int month, int day) {
    // Howard Hinnant's days_from_civil: the year starts in March so that leap days come last.
    int y = month <= 2 ? year - 1 : year;
    int era = Math.floorDiv(y, 400);
    int yearOfEra = y - era * 400;
    int dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
    return era * 146_097L + dayOfEra - 719_468;
  }

  private static int lengthOfMonth(int year, int month) {
    return switch (month) {
      case 2 -> Year.isLeap(year) ? 29 : 28;
      case 4, 6, 9, 11 -> 30;
      default -> 31;
    };
  }

  /** The decimal value of {@code count} ASCII digits at {@code from}, or -1. */
  private static int digits(String s, int from, int count) {
    int v = 0;
    for (int i = from; i < from + count; i++) {
      char c = s.charAt(i);
      if (!isDigit(c)) {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
