package io.shopflow.marketing.udfs;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Deterministic action ids: the same trigger on the same input gives the same id after a replay or
 * a restore, so that downstream stores (Elasticsearch, CRM) can upsert instead of duplicating.
 */
public final class ActionIds {
  private ActionIds() {}

  /** 32 hex characters of SHA-256 over user, action type, trigger time and sorted items. */
  public static String of(String userId, String actionType, long triggerEventTime, String[] items) {
    String[] sorted = items.clone();
    Arrays.sort(sorted);
    return hash(
        userId
            + '\u0000'
            + actionType
            + '\u0000'
            + triggerEventTime
            + '\u0000'
            + String.join("\u0001", sorted));
  }

  /** Key for "identical action" de-duplication: type and the set of items, not the time. */
  public static String dedupKey(String actionType, String[] items) {
    String[] sorted = items.clone();
    Arrays.sort(sorted);
    return actionType + ':' + hash(String.join("\u0001", sorted)).substring(0, 16);
  }

  static String hash(String s) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] d = md.digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }
}
