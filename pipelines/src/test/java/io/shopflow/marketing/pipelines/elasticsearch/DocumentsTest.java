package io.shopflow.marketing.pipelines.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shopflow.marketing.schema.Action;
import io.shopflow.marketing.schema.ProfileSnapshot;
import io.shopflow.marketing.schema.SuppressedAction;
import java.io.InputStream;
import java.time.Instant;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Documents, ids and pseudonyms, and that every document field is in its index template. */
class DocumentsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  final Pseudonyms pseudonyms = new Pseudonyms("a-secret-of-at-least-16-chars");
  final Documents docs = new Documents(pseudonyms);

  static Action action() {
    Action a = new Action();
    a.actionId = "0123456789abcdef0123456789abcdef";
    a.userId = "uci-13047";
    a.actionType = "win_back";
    a.channel = "email";
    a.items = new String[] {"sku-1", "sku-2"};
    a.recommendedItems = new String[] {"sku-9"};
    a.explanation = "active buyer has not bought for 60 days";
    a.campaign = "auto-win_back";
    a.variant = "default";
    a.triggerEventTime = Instant.parse("2011-01-31T20:00:00Z").toEpochMilli();
    a.sendAt = Instant.parse("2011-02-01T08:00:00Z").toEpochMilli();
    return a;
  }

  static ProfileSnapshot profile() {
    ProfileSnapshot p = new ProfileSnapshot();
    p.userId = "uci-13047";
    p.asOf = Instant.parse("2011-03-01T00:00:00Z").toEpochMilli();
    p.firstSeen = Instant.parse("2010-12-01T08:00:00Z").toEpochMilli();
    p.lastSeen = p.asOf;
    p.lastPurchaseTime = Instant.parse("2011-02-19T00:00:00Z").toEpochMilli();
    p.orders = 3;
    p.monetary = 366.634;
    p.sessions = 5;
    p.lifecycle = "active";
    p.priceBand = "mid";
    p.topCategories = new String[] {"mugs", "candles"};
    p.lastEventType = "purchase";
    return p;
  }

  @Test
  void pseudonymsAreStablePerKeyDifferAcrossKeysAndHideTheId() {
    String p = pseudonyms.of("uci-13047");
    assertThat(p).hasSize(32).matches("[0-9a-f]{32}").isEqualTo(pseudonyms.of("uci-13047"));
    assertThat(p).isNotEqualTo(pseudonyms.of("uci-13048"));
    assertThat(p).isNotEqualTo(new Pseudonyms("another-secret-of-16-chars").of("uci-13047"));
  }

  @Test
  void anActionLandsInTheMonthOfItsSendTimeUnderItsIdWithThePseudonym() throws Exception {
    EsOperation op = docs.action(action());
    assertThat(op.index).isEqualTo("mkt-actions-2011.02");
    assertThat(op.id).isEqualTo("0123456789abcdef0123456789abcdef");
    JsonNode d = JSON.readTree(op.json);
    assertThat(d.get("user").asText()).isEqualTo(pseudonyms.of("uci-13047"));
    assertThat(op.json).doesNotContain("uci-13047");
    assertThat(d.get("deferred").asBoolean()).isTrue();
    assertThat(d.get("item_count").asInt()).isEqualTo(2);
    assertThat(docs.action(action()).json).as("deterministic").isEqualTo(op.json);
  }

  @Test
  void aProfileIsOneDocumentPerPseudonymAndAnErasureDeletesIt() throws Exception {
    EsOperation op = docs.profile(profile());
    assertThat(op.index).isEqualTo(Documents.PROFILES);
    assertThat(op.id).isEqualTo(pseudonyms.of("uci-13047"));
    JsonNode d = JSON.readTree(op.json);
    assertThat(d.get("segment").asText()).isEqualTo("loyal");
    assertThat(d.get("recency_days").asInt()).isEqualTo(10);
    assertThat(d.get("monetary").asDouble()).isEqualTo(366.63);
    assertThat(op.json).doesNotContain("uci-13047");

    EsOperation erase = docs.profile(ProfileSnapshot.erasure("uci-13047", 1L));
    assertThat(erase.isDelete()).isTrue();
    assertThat(erase.key()).isEqualTo(op.key());
  }

  @Test
  void theSentimentTendencyFollowsTheReviewsAndIsUnknownWithoutThem() throws Exception {
    ProfileSnapshot p = profile();
    assertThat(JSON.readTree(docs.profile(p).json).get("sentiment_tendency").asText())
        .isEqualTo("unknown");
    p.reviewSentiment = -0.6;
    assertThat(JSON.readTree(docs.profile(p).json).get("sentiment_tendency").asText())
        .isEqualTo("negative");
    p.reviewSentiment = 0.1;
    assertThat(JSON.readTree(docs.profile(p).json).get("sentiment_tendency").asText())
        .isEqualTo("neutral");
    p.reviewSentiment = 0.5;
    assertThat(JSON.readTree(docs.profile(p).json).get("sentiment_tendency").asText())
        .isEqualTo("positive");
  }

  @Test
  void triggerMetricsAreAWholeBucketUnderTypeAndBucketStart() throws Exception {
    TriggerMetricsAggregate agg = new TriggerMetricsAggregate();
    TriggerMetrics m = agg.createAccumulator();
    agg.add(TriggerOutcome.sent(action()), m);
    Action plain = action();
    plain.sendAt = plain.triggerEventTime;
    plain.recommendedItems = new String[0];
    plain.inferenceFallback = true;
    agg.add(TriggerOutcome.sent(plain), m);
    agg.add(TriggerOutcome.suppressed(new SuppressedAction(action(), SuppressedAction.CONSENT)), m);
    agg.add(
        TriggerOutcome.suppressed(new SuppressedAction(action(), SuppressedAction.FREQUENCY_CAP)),
        m);
    m.bucketStart = 3_600_000L;
    m.bucketEnd = 7_200_000L;
    EsOperation op = docs.triggerMetrics(m);
    assertThat(op.id).isEqualTo("win_back:3600000");
    JsonNode d = JSON.readTree(op.json);
    assertThat(d.get("fired").asLong()).isEqualTo(2);
    assertThat(d.get("deferred_quiet_hours").asLong()).isEqualTo(1);
    assertThat(d.get("with_recommendations").asLong()).isEqualTo(1);
    assertThat(d.get("fallbacks").asLong()).isEqualTo(1);
    assertThat(d.get("fallback_rate").asDouble()).isEqualTo(0.5);
    assertThat(d.get("suppressed").asLong()).isEqualTo(2);
    assertThat(d.get("bucket_minutes").asLong()).isEqualTo(60);
  }

  @Test
  void everyFieldOfEveryDocumentIsMappedInItsTemplate() throws Exception {
    ItemSentiment s = new ItemSentiment();
    s.itemId = "sku-1";
    s.meanRating = 4.0;
    TriggerMetrics m = new TriggerMetrics();
    m.actionType = "cart_abandonment";
    assertMapped("mkt-actions", docs.action(action()));
    assertMapped("mkt-profiles", docs.profile(profile()));
    assertMapped("mkt-item-sentiment", docs.itemSentiment(s));
    assertMapped("mkt-trigger-metrics", docs.triggerMetrics(m));
  }

  static void assertMapped(String template, EsOperation op) throws Exception {
    JsonNode props;
    try (InputStream in = IndexSetup.template(template)) {
      props = JSON.readTree(in).at("/template/mappings/properties");
    }
    Set<String> mapped = new HashSet<>();
    props.fieldNames().forEachRemaining(mapped::add);
    Iterator<String> fields = JSON.readTree(op.json).fieldNames();
    while (fields.hasNext()) {
      assertThat(mapped).as(template).contains(fields.next());
    }
  }
}
