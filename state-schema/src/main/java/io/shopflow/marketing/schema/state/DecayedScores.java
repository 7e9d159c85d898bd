package io.shopflow.marketing.schema.state;

import java.util.Arrays;

/**
 * Decayed scores by key (a user's category or item affinities) as parallel arrays sorted by key:
 * {@code scores[i]} was last updated at {@code updatedAt[i]}. Held inside the user's one state
 * value ({@link UserScalars}), so that a user's affinities cost no RocksDB access of their own: as
 * a map state they cost a put per changed entry at each write-back and an iterator seek per map for
 * every user read from RocksDB. The decay itself is applied by the reader ({@code
 * udfs.Affinities}).
 */
public class DecayedScores {
  public String[] keys = new String[0];
  public double[] scores = new double[0];
  public long[] updatedAt = new long[0];

  public DecayedScores() {}

  public int size() {
    return keys.length;
  }

  /** The position of {@code key}, or {@code -(insertion point) - 1} as in a binary search. */
  public int indexOf(String key) {
    return Arrays.binarySearch(keys, key);
  }

  /** Inserts {@code key} at {@code at} (from a negative {@link #indexOf}). */
  public void insert(int at, String key, double score, long updated) {
    int n = keys.length;
    String[] k = new String[n + 1];
    double[] s = new double[n + 1];
    long[] u = new long[n + 1];
    System.arraycopy(keys, 0, k, 0, at);
    System.arraycopy(scores, 0, s, 0, at);
    System.arraycopy(updatedAt, 0, u, 0, at);
    k[at] = key;
    s[at] = score;
    u[at] = updated;
    System.arraycopy(keys, at, k, at + 1, n - at);
    System.arraycopy(scores, at, s, at + 1, n - at);
    System.arraycopy(updatedAt, at, u, at + 1, n - at);
    keys = k;
    scores = s;
    updatedAt = u;
  }

  /** Keeps the entries whose flag in {@code keep} is set, in key order. */
  public void retain(boolean[] keep) {
    int n = 0;
    for (boolean b : keep) {
      n += b ? 1 : 0;
    }
    String[] k = new String[n];
    double[] s = new double[n];
    long[] u = new long[n];
    int j = 0;
    for (int i = 0; i < keys.length; i++) {
      if (keep[i]) {
        k[j] = keys[i];
        s[j] = scores[i];
        u[j] = updatedAt[i];
        j++;
      }
    }
    keys = k;
    scores = s;
    updatedAt = u;
  }
}
