package io.shopflow.marketing.udfs;

import io.shopflow.marketing.schema.state.DecayedScores;
import java.util.Arrays;
import java.util.Comparator;

/** A user's decayed affinities (categories, items): adding weight and bounding their number. */
public final class Affinities {
  private Affinities() {}

  /**
   * Adds weight {@code w}, given at event time {@code t}, to {@code key}'s score: both are decayed
   * to the later of {@code t} and the score's time. Returns true when the key is new.
   */
  public static boolean bump(DecayedScores s, String key, double w, long t, long halfLifeMs) {
    int i = s.indexOf(key);
    if (i < 0) {
      s.insert(-i - 1, key, w, t);
      return true;
    }
    long at = Math.max(s.updatedAt[i], t);
    s.scores[i] =
        Decay.decayed(s.scores[i], s.updatedAt[i], at, halfLifeMs)
            + Decay.decayed(w, t, at, halfLifeMs);
    s.updatedAt[i] = at;
    return false;
  }

  /**
   * Keeps the {@code keep} strongest scores as of {@code now}; of equal scores the one with the
   * greater key stays.
   */
  public static void prune(DecayedScores s, int keep, long now, long halfLifeMs) {
    int n = s.size();
    if (n <= keep) {
      return;
    }
    double[] v = decayed(s, now, halfLifeMs);
    Integer[] weakestFirst = new Integer[n];
    for (int i = 0; i < n; i++) {
      weakestFirst[i] = i;
    }
    // Stable: equal scores stay in key order, so the smaller keys go first.
    Arrays.sort(weakestFirst, Comparator.comparingDouble(i -> v[i]));
    boolean[] kept = new boolean[n];
    Arrays.fill(kept, true);
    for (int j = 0; j < n - keep; j++) {
      kept[weakestFirst[j]] = false;
    }
    s.retain(kept);
  }

  /** Every score as of {@code now}, in key order. */
  public static double[] decayed(DecayedScores s, long now, long halfLifeMs) {
    double[] v = new double[s.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = Decay.decayed(s.scores[i], s.updatedAt[i], now, halfLifeMs);
    }
    return v;
  }
}
