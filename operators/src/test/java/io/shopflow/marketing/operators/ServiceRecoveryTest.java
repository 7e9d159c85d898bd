package io.shopflow.marketing.operators;

import static io.shopflow.marketing.operators.Signals.T0;
import static io.shopflow.marketing.operators.Signals.consent;
import static io.shopflow.marketing.operators.Signals.days;
import static io.shopflow.marketing.operators.Signals.minutes;
import static io.shopflow.marketing.operators.Signals.purchase;
import static io.shopflow.marketing.operators.Signals.sideOutput;
import static org.assertj.core.api.Assertions.assertThat;

import io.shopflow.marketing.schema.Action;
import io.shopflow.marketing.schema.ActionType;
import io.shopflow.marketing.schema.Channel;
import io.shopflow.marketing.schema.ConsentChange;
import io.shopflow.marketing.schema.ReviewEvent;
import io.shopflow.marketing.schema.SuppressedAction;
import io.shopflow.marketing.schema.UserSignal;
import io.shopflow.marketing.udfs.ActionIds;
import io.shopflow.marketing.udfs.EngineConfig;
import io.shopflow.marketing.udfs.inference.LexiconSentiment;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The service-recovery trigger of the keyed-by-user operator, fed scored reviews. */
class ServiceRecoveryTest {
  static final String U1 = "u1";
  static final String COMPLAINT = "Poor quality, the seams ripped after one wash. Disappointed.";

  private UserJourneyHarness h;

  @AfterEach
  void close() throws Exception {
    if (h != null) {
      h.close();
    }
  }

  private void open(EngineConfig cfg) throws Exception {
    h = new UserJourneyHarness(new UserJourneyFunction(cfg));
    h.open();
  }

  /** A review as the sentiment step hands it on, scored by the lexicon fallback. */
  static UserSignal review(String user, String item, int rating, String text, long t) {
    ReviewEvent r = new ReviewEvent();
    r.reviewId = "rev-" + user + "-" + item + "-" + t;
    r.userId = user;
    r.itemId = item;
    r.rating = rating;
    r.text = text;
    r.eventTime = t;
    UserSignal s = ReviewSentimentFunction.signalOf(r);
    ReviewSentimentFunction.fill(s, LexiconSentiment.score(text), ReviewSentimentFunction.FALLBACK);
    return s;
  }

  private void send(UserSignal s) throws Exception {
    h.processElement(s, s.eventTime);
  }

  /** Sends a review and moves the watermark past it (reviews wait for the watermark). */
  private void review(UserSignal s) throws Exception {
    send(s);
    h.processWatermark(s.eventTime + minutes(1));
  }

  private List<Action> recoveries() {
    return h.extractOutputValues().stream()
        .filter(a -> a.actionType.equals(ActionType.SERVICE_RECOVERY))
        .toList();
  }

  private List<SuppressedAction> suppressed() {
    return sideOutput(h, UserJourneyFunction.SUPPRESSED).stream()
        .filter(x -> x.action.actionType.equals(ActionType.SERVICE_RECOVERY))
        .toList();
  }

  @Test
  void aNegativeReviewOfABoughtItemGetsAnApologyWithADeterministicId() throws Exception {
    open(new EngineConfig());
    send(purchase(U1, "dress", T0).price(40).get());
    long t = T0 + days(3);
    review(review(U1, "dress", 4, COMPLAINT, t));

    assertThat(recoveries())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.items).containsExactly("dress");
              assertThat(a.inferenceFallback).as("judged by the lexicon").isTrue();
              assertThat(a.channel).isEqualTo(Channel.EMAIL);
              assertThat(a.triggerEventTime).isEqualTo(t);
              assertThat(a.actionId)
                  .isEqualTo(
                      ActionIds.of(U1, ActionType.SERVICE_RECOVERY, t, new String[] {"dress"}));
              assertThat(a.explanation)
                  .contains("4-star review of dress")
                  .contains("seams ripped")
                  .contains("negative")
                  .contains("lexicon fallback");
            });
  }

  @Test
  void aReviewThatOvertakesItsPurchaseWaitsForTheWatermark() throws Exception {
    open(new EngineConfig());
    // Read from its own topic, the review arrives before the purchase it is about.
    send(review(U1, "dress", 1, COMPLAINT, T0 + days(3)));
    send(purchase(U1, "dress", T0).get());
    assertThat(recoveries()).as("nothing before the watermark passes the review").isEmpty();

    h.processWatermark(T0 + days(3) + minutes(1));

    assertThat(recoveries())
        .singleElement()
        .satisfies(a -> assertThat(a.triggerEventTime).isEqualTo(T0 + days(3)));
  }

  @Test
  void aLowRatingAloneIsClearlyNegative() throws Exception {
    open(new EngineConfig());
    send(purchase(U1, "dress", T0).get());
    review(review(U1, "dress", 2, "I wore it to the office on Tuesday", T0 + days(1)));

    assertThat(recoveries()).singleElement().satisfies(a -> assertThat(a.items).contains("dress"));
  }

  @Test
  void onlyItemsTheUserBoughtAndOnlyClearlyNegativeReviewsTrigger() throws Exception {
    open(new EngineConfig());
    send(purchase(U1, "dress", T0).get());
    review(review(U1, "scarf", 1, COMPLAINT, T0 + days(1)));
    review(review(U1, "dress", 5, "Love it, beautiful and comfortable", T0 + days(2)));
    review(review(U1, "dress", 3, "It is fine I guess", T0 + days(3)));
    review(review("u2", "dress", 1, COMPLAINT, T0 + days(4)));

    assertThat(recoveries()).isEmpty();
    assertThat(suppressed()).isEmpty();
  }

  @Test
  void theGuardrailsApply() throws Exception {
    open(new EngineConfig());
    send(purchase(U1, "dress", T0).get());
    send(purchase(U1, "coat", T0 + minutes(1)).get());
    review(review(U1, "dress", 1, COMPLAINT, T0 + days(1)));
    // A second complaint about the same item within the de-duplication window.
    review(review(U1, "dress", 1, COMPLAINT, T0 + days(2)));
    send(consent(U1, ConsentChange.OPT_OUT, T0 + days(2) + 1, Channel.EMAIL));
    review(review(U1, "coat", 1, COMPLAINT, T0 + days(3)));

    assertThat(recoveries()).singleElement().satisfies(a -> assertThat(a.items).contains("dress"));
    assertThat(suppressed())
        .extracting(s -> s.reason + ":" + s.action.items[0])
        .containsExactly(SuppressedAction.DUPLICATE + ":dress", SuppressedAction.CONSENT + ":coat");
  }

  @Test
  void reviewsAddNoStatePerReview() throws Exception {
    open(new EngineConfig());
    send(purchase(U1, "dress", T0).get());
    review(review(U1, "dress", 5, "Love it", T0 + days(1)));
    int afterOne = h.numKeyedStateEntries();
    for (int i = 0; i < 50; i++) {
      review(review(U1, "item-" + i, 1 + i % 5, COMPLAINT, T0 + days(2) + minutes(i)));
    }

    assertThat(h.numKeyedStateEntries()).isEqualTo(afterOne);
    assertThat(recoveries()).isEmpty();
  }

  @Test
  void aReviewBehindTheWatermarkLetsEarlierDeadlinesGoFirstAsAWaitingReviewWould()
      throws Exception {
    // One email a day: whichever of the cart reminder (due 10:30:20) and the apology for the
    // review (10:30:40) goes first takes the day's slot. Time order gives it to the reminder.
    long review = T0 + minutes(30) + 40_000;
    List<String> arrivedBehindWatermark = cartReminderAndApology(true, review);
    List<String> arrivedAhead = cartReminderAndApology(false, review);

    assertThat(arrivedBehindWatermark)
        .containsExactly(
            "sent " + ActionType.CART_ABANDONMENT,
            "suppressed " + SuppressedAction.FREQUENCY_CAP + " " + ActionType.SERVICE_RECOVERY);
    assertThat(arrivedAhead).isEqualTo(arrivedBehindWatermark);
  }

  private List<String> cartReminderAndApology(boolean watermarkFirst, long reviewTime)
      throws Exception {
    close();
    EngineConfig cfg = new EngineConfig();
    cfg.frequencyCapPerChannelPerDay = 1;
    open(cfg);
    send(purchase(U1, "dress", T0 - days(3)).price(40).get());
    h.processWatermark(T0 - days(1)); // that day's emails are out of the way
    int before = h.extractOutputValues().size();
    int suppressedBefore = sideOutput(h, UserJourneyFunction.SUPPRESSED).size();

    send(Signals.cartAdd(U1, "lamp", T0 + 20_000).price(30).get());
    // Past the reminder's deadline, short of its timer (rounded up to the minute).
    long justPastTheReminder = reviewTime + 10_000;
    if (watermarkFirst) {
      h.processWatermark(justPastTheReminder);
      send(review(U1, "dress", 1, COMPLAINT, reviewTime)); // behind the watermark: applied at once
    } else {
      send(review(U1, "dress", 1, COMPLAINT, reviewTime)); // waits for the watermark
      h.processWatermark(justPastTheReminder);
    }
    h.processWatermark(T0 + days(2));

    List<String> out = new java.util.ArrayList<>();
    h.extractOutputValues().stream().skip(before).forEach(a -> out.add("sent " + a.actionType));
    sideOutput(h, UserJourneyFunction.SUPPRESSED).stream()
        .skip(suppressedBefore)
        .forEach(x -> out.add("suppressed " + x.reason + " " + x.action.actionType));
    return out;
  }
}
