package io.shopflow.marketing.schema.state;

import java.util.Arrays;

/**
 * What the guardrails remember of the actions sent to one user, in one value: the frequency cap's
 * counter per channel (for one event-time day each) and the send time per de-duplication key. A
 * delivered action reads and writes this one value instead of two maps (one lookup and one write
 * each); a price drop's fan-out reaches up to a thousand cold users at once, each a RocksDB read.
 * Parallel arrays, a few entries each: the daily cap bounds the sends within the window.
 */
public class SentLog {
  public String[] channels = new String[0];

  /** Epoch day (in the configured zone) of each channel's count. */
  public long[] channelDays = new long[0];

  public int[] channelCounts = new int[0];

  /** De-duplication keys (action type and items) and when each was last sent, event time. */
  public String[] dedupKeys = new String[0];

  public long[] sentAt = new long[0];

  public SentLog() {}

  /** Actions sent on {@code channel} on {@code day} (0 when its count is of another day). */
  public int sentOn(String channel, long day) {
    int i = indexOf(channels, channel);
    return i >= 0 && channelDays[i] == day ? channelCounts[i] : 0;
  }

  /** When an action of {@code dedupKey} was last sent, or null. */
  public Long lastSent(String dedupKey) {
    int i = indexOf(dedupKeys, dedupKey);
    return i >= 0 ? sentAt[i] : null;
  }

  /**
   * Records a send on {@code channel} on {@code day} of an action of {@code dedupKey} at {@code
   * at}, and forgets the sends no longer within {@code dedupWindowMs} of it (they suppress
   * nothing).
   */
  public void record(String channel, long day, String dedupKey, long at, long dedupWindowMs) {
    setCount(channel, day, sentOn(channel, day) + 1);
    int keep = 0;
    for (int i = 0; i < dedupKeys.length; i++) {
      if (!dedupKeys[i].equals(dedupKey) && at - sentAt[i] < dedupWindowMs) {
        dedupKeys[keep] = dedupKeys[i];
        sentAt[keep] = sentAt[i];
        keep++;
      }
    }
    dedupKeys = Arrays.copyOf(dedupKeys, keep + 1);
    sentAt = Arrays.copyOf(sentAt, keep + 1);
    dedupKeys[keep] = dedupKey;
    sentAt[keep] = at;
  }

  /** Sets the count of {@code channel} (a restore from the earlier per-channel map). */
  public void setCount(String channel, long day, int count) {
    int i = indexOf(channels, channel);
    if (i < 0) {
      i = channels.length;
      channels = Arrays.copyOf(channels, i + 1);
      channelDays = Arrays.copyOf(channelDays, i + 1);
      channelCounts = Arrays.copyOf(channelCounts, i + 1);
      channels[i] = channel;
    }
    channelDays[i] = day;
    channelCounts[i] = count;
  }

  /** Sets the send time of {@code dedupKey} (a restore from the earlier map), pruning nothing. */
  public void setSent(String dedupKey, long at) {
    int i = indexOf(dedupKeys, dedupKey);
    if (i < 0) {
      i = dedupKeys.length;
      dedupKeys = Arrays.copyOf(dedupKeys, i + 1);
      sentAt = Arrays.copyOf(sentAt, i + 1);
      dedupKeys[i] = dedupKey;
    }
    sentAt[i] = at;
  }

  private static int indexOf(String[] a, String s) {
    for (int i = 0; i < a.length; i++) {
      if (a[i].equals(s)) {
        return i;
      }
    }
    return -1;
  }
}
