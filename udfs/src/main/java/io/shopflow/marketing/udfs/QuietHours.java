package io.shopflow.marketing.udfs;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * Quiet hours in a zone, e.g. 21:00-08:00. Event time is used, not the wall clock, so that replays
 * and restores decide the same way.
 */
public final class QuietHours {
  private QuietHours() {}

  public static boolean isQuiet(long ts, ZoneId zone, int startHour, int endHour) {
    if (startHour == endHour) {
      return false;
    }
    int h = Instant.ofEpochMilli(ts).atZone(zone).getHour();
    return startHour < endHour ? h >= startHour && h < endHour : h >= startHour || h < endHour;
  }

  /** The first instant at or after {@code ts} outside quiet hours. */
  public static long nextAllowed(long ts, ZoneId zone, int startHour, int endHour) {
    if (!isQuiet(ts, zone, startHour, endHour)) {
      return ts;
    }
    ZonedDateTime t = Instant.ofEpochMilli(ts).atZone(zone);
    LocalDate day =
        t.getHour() >= endHour && startHour > endHour
            ? t.toLocalDate().plusDays(1)
            : t.toLocalDate();
    return day.atTime(endHour, 0).atZone(zone).toInstant().toEpochMilli();
  }

  /** Epoch day of {@code ts} in {@code zone}: the frequency cap's calendar day. */
  public static long day(long ts, ZoneId zone) {
    return Instant.ofEpochMilli(ts).atZone(zone).toLocalDate().toEpochDay();
  }
}
