package io.shopflow.marketing.udfs;

import io.shopflow.marketing.schema.state.DecayedScores;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

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
    s.scores[i] = added(s.scores[i], s.updatedAt[i], w, t, halfLifeMs);
    s.updatedAt[i] = Math.max(s.updatedAt[i], t);
    return false;
  }

  /**
   * {@code score} (set at {@code scoreAt}) plus weight {@code w} given at {@code t}, both decayed
   * to the later of the two times, which is the sum's time.
   */
  public static double added(double score, long scoreAt, double w, long t, long halfLifeMs) {
    long at = Math.max(scoreAt, t);
    return Decay.decayed(score, scoreAt, at, halfLifeMs) + Decay.decayed(w, t, at, halfLifeMs);
  }

  /**
   * The keys of the {@code k} strongest scores as of {@code now}, strongest first, equal scores in
   * key order; none for null.
   */
  public static List<String> strongest(DecayedScores s, long now, long halfLifeMs, int k) {
    if (s == null) {
      return List.of();
    }
    double[] v = decayed(s, now, halfLifeMs);
    List<Map.Entry<String, Double>> scored = new ArrayList<>(v.length);
    for (int i = 0; i < v.length; i++) {
      scored.add(Map.entry(s.keys[i], v[i]));
    }
    scored.sort(
        Map.Entry.<String, Double>comparingByValue()
            .reversed()
            .thenComparing(Map.Entry.comparingByKey()));
    return scored.stream().limit(k).map(Map.Entry::getKey).toList();
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
