package io.shopflow.marketing.operators;

import io.shopflow.marketing.schema.ProfileSnapshot;
import io.shopflow.marketing.schema.state.DecayedScores;
import io.shopflow.marketing.schema.state.ProfileCore;
import io.shopflow.marketing.udfs.Affinities;
import io.shopflow.marketing.udfs.EngineConfig;
import io.shopflow.marketing.udfs.Lifecycle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds {@link ProfileSnapshot}s from the user operator's profile state. */
final class ProfileSnapshots {
  static final int TOP_CATEGORIES = 3;

  private ProfileSnapshots() {}

  static ProfileSnapshot of(
      String userId,
      ProfileCore p,
      DecayedScores categories,
      String lastEventType,
      long asOf,
      EngineConfig cfg) {
    ProfileSnapshot s = new ProfileSnapshot();
    s.userId = userId;
    s.asOf = asOf;
    s.firstSeen = p.firstSeen;
    s.lastSeen = p.lastSeen;
    s.lastPurchaseTime = p.lastPurchaseTime;
    s.orders = p.orders;
    s.monetary = p.monetary;
    s.sessions = p.sessions;
    s.lifecycle = Lifecycle.stage(p, asOf, cfg);
    s.priceBand = Lifecycle.priceBand(p, cfg);
    s.lastEventType = lastEventType;
    s.reviewSentiment = p.reviews > 0 ? p.reviewSentiment : null;
    List<Map.Entry<String, Double>> scored = new ArrayList<>();
    if (categories != null) {
      double[] v = Affinities.decayed(categories, asOf, cfg.affinityHalfLifeMs);
      for (int i = 0; i < v.length; i++) {
        scored.add(Map.entry(categories.keys[i], v[i]));
      }
    }
    scored.sort(
        Map.Entry.<String, Double>comparingByValue()
            .reversed()
            .thenComparing(Map.Entry.comparingByKey()));
    s.topCategories =
        scored.stream().limit(TOP_CATEGORIES).map(Map.Entry::getKey).toArray(String[]::new);
    return s;
  }
}
