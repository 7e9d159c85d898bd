package io.shopflow.marketing.pipelines.elasticsearch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shopflow.marketing.schema.Action;
import io.shopflow.marketing.schema.ProfileSnapshot;
import io.shopflow.marketing.udfs.Lifecycle;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Turns the job's records into Elasticsearch operations: the document (fields as in the index
 * templates under {@code elasticsearch/templates}), its index and its deterministic id. User ids
 * are replaced by their pseudonym here, before anything leaves the job.
 */
public final class Documents implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String ACTIONS_PREFIX = "mkt-actions-";
  public static final String ACTIONS_ALIAS = "mkt-actions";
  public static final String PROFILES = "mkt-profiles";
  public static final String ITEM_SENTIMENT = "mkt-item-sentiment";
  public static final String TRIGGER_METRICS = "mkt-trigger-metrics";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter MONTH =
      DateTimeFormatter.ofPattern("yyyy.MM").withZone(ZoneOffset.UTC);

  private final Pseudonyms pseudonyms;

  public Documents(Pseudonyms pseudonyms) {
    this.pseudonyms = pseudonyms;
  }

  /** {@code mkt-actions-YYYY.MM} by the send time (UTC): the same action always lands in one. */
  public static String actionsIndex(long sendAt) {
    return ACTIONS_PREFIX + MONTH.format(Instant.ofEpochMilli(sendAt));
  }

  /** One document per action sent; id = the action id (deterministic, see ActionIds). */
  public EsOperation action(Action a) {
    ObjectNode d = JSON.createObjectNode();
    d.put("action_id", a.actionId);
    d.put("user", pseudonyms.of(a.userId));
    d.put("action_type", a.actionType);
    d.put("channel", a.channel);
    strings(d.putArray("items"), a.items);
    strings(d.putArray("recommended_items"), a.recommendedItems);
    d.put("item_count", a.items == null ? 0 : a.items.length);
    d.put("campaign", a.campaign);
    d.put("variant", a.variant);
    d.put("@timestamp", a.sendAt);
    d.put("trigger_time", a.triggerEventTime);
    d.put("deferred", a.sendAt > a.triggerEventTime);
    d.put("explanation", a.explanation);
    return EsOperation.index(actionsIndex(a.sendAt), a.actionId, write(d));
  }

  /**
   * The whole profile under the user's pseudonym (indexed, not merged: the latest snapshot wins);
   * an erasure deletes it.
   */
  public EsOperation profile(ProfileSnapshot p) {
    String id = pseudonyms.of(p.userId);
    if (p.erased) {
      return EsOperation.delete(PROFILES, id);
    }
    ObjectNode d = JSON.createObjectNode();
    d.put("user", id);
    d.put("@timestamp", p.asOf);
    d.put("first_seen", p.firstSeen);
    d.put("last_seen", p.lastSeen);
    if (p.lastPurchaseTime > 0) {
      d.put("last_purchase", p.lastPurchaseTime);
      d.put("recency_days", Duration.ofMillis(Math.max(0, p.asOf - p.lastPurchaseTime)).toDays());
    }
    d.put("frequency", p.orders);
    d.put("monetary", Math.round(p.monetary * 100) / 100.0);
    d.put("sessions", p.sessions);
    d.put("lifecycle", p.lifecycle);
    d.put("segment", segment(p));
    d.put("price_band", p.priceBand);
    strings(d.putArray("top_categories"), p.topCategories);
    d.put("sentiment_tendency", tendency(p.reviewSentiment));
    if (p.lastEventType != null) {
      d.put("last_event_type", p.lastEventType);
    }
    return EsOperation.index(PROFILES, id, write(d));
  }

  /** RFM segment from lifecycle, frequency and spend. */
  static String segment(ProfileSnapshot p) {
    if (p.orders == 0) {
      return "prospect";
    }
    return switch (p.lifecycle) {
      case Lifecycle.LAPSED -> "lapsed";
      case Lifecycle.AT_RISK -> p.orders >= 2 ? "cant_lose" : "at_risk";
      default -> p.orders >= 5 ? "champion" : p.orders >= 2 ? "loyal" : "new_customer";
    };
  }

  /** Upsert per item (the whole aggregate); id = item id. */
  /** positive / negative beyond +-0.2, else neutral; unknown without reviews. */
  static String tendency(Double reviewSentiment) {
    if (reviewSentiment == null) {
      return "unknown";
    }
    return reviewSentiment >= 0.2 ? "positive" : reviewSentiment <= -0.2 ? "negative" : "neutral";
  }

  public EsOperation itemSentiment(ItemSentiment s) {
    ObjectNode d = JSON.createObjectNode();
    d.put("item_id", s.itemId);
    d.put("@timestamp", s.updatedAt);
    d.put("review_count", s.reviewCount);
    if (s.meanRating != null) {
      d.put("mean_rating", s.meanRating);
    }
    d.put("positive", s.positive);
    d.put("neutral", s.neutral);
    d.put("negative", s.negative);
    long rated = s.positive + s.neutral + s.negative;
    d.put("negative_share", rated == 0 ? 0.0 : (double) s.negative / rated);
    strings(d.putArray("negative_themes"), s.negativeThemes);
    return EsOperation.index(ITEM_SENTIMENT, s.itemId, write(d));
  }

  /** One document per trigger type and closed bucket; id = type + ":" + bucket start (ms). */
  public EsOperation triggerMetrics(TriggerMetrics m) {
    ObjectNode d = JSON.createObjectNode();
    d.put("action_type", m.actionType);
    d.put("@timestamp", m.bucketStart);
    d.put("bucket_end", m.bucketEnd);
    d.put("bucket_minutes", (m.bucketEnd - m.bucketStart) / 60_000);
    d.put("fired", m.fired);
    d.put("suppressed", m.suppressed());
    d.put("suppressed_consent", m.suppressedConsent);
    d.put("suppressed_frequency_cap", m.suppressedFrequencyCap);
    d.put("suppressed_duplicate", m.suppressedDuplicate);
    d.put("deferred_quiet_hours", m.deferredQuietHours);
    d.put("with_recommendations", m.withRecommendations);
    d.put("fallbacks", m.fallbacks);
    d.put("fallback_rate", m.fired == 0 ? 0.0 : (double) m.fallbacks / m.fired);
    return EsOperation.index(
        TRIGGER_METRICS, triggerMetricsId(m.actionType, m.bucketStart), write(d));
  }

  public static String triggerMetricsId(String actionType, long bucketStart) {
    return actionType + ":" + bucketStart;
  }

  private static void strings(ArrayNode a, String[] values) {
    if (values != null) {
      for (String v : values) {
        a.add(v);
      }
    }
  }

  private static String write(ObjectNode d) {
    try {
      return JSON.writeValueAsString(d);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
