package io.shopflow.marketing.operators;

import io.shopflow.marketing.schema.ProfileSnapshot;
import io.shopflow.marketing.schema.state.DecayedScores;
import io.shopflow.marketing.schema.state.ProfileCore;
import io.shopflow.marketing.udfs.Affinities;
import io.shopflow.marketing.udfs.EngineConfig;
import io.shopflow.marketing.udfs.Lifecycle;

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
    s.topCategories =
        Affinities.strongest(categories, asOf, cfg.affinityHalfLifeMs, TOP_CATEGORIES)
            .toArray(String[]::new);
    return s;
  }
}
