package io.shopflow.marketing.operators;

import static io.shopflow.marketing.operators.Signals.T0;
import static io.shopflow.marketing.operators.Signals.cartAdd;
import static io.shopflow.marketing.operators.Signals.cartRemove;
import static io.shopflow.marketing.operators.Signals.days;
import static io.shopflow.marketing.operators.Signals.hours;
import static io.shopflow.marketing.operators.Signals.minutes;
import static io.shopflow.marketing.operators.Signals.purchase;
import static io.shopflow.marketing.operators.Signals.search;
import static io.shopflow.marketing.operators.Signals.sideOutput;
import static io.shopflow.marketing.operators.Signals.view;
import static io.shopflow.marketing.operators.Signals.wishlist;
import static org.assertj.core.api.Assertions.assertThat;

import io.shopflow.marketing.schema.Action;
import io.shopflow.marketing.schema.SessionSummary;
import io.shopflow.marketing.schema.SuppressedAction;
import io.shopflow.marketing.schema.UserSignal;
import io.shopflow.marketing.udfs.EngineConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A user's own event at {@code t} fires their deadlines before {@code t} itself, because the
 * watermark may lag (a backfill, an idle partition). That must change when deadlines fire, never
 * what they do: random histories give the same actions, suppressions and sessions whether the
 * watermark runs just behind every event or stays back until the end.
 *
 * <p>Reviews come in time order here, as they do when the review topic keeps up. Consent changes
 * and price drops are left out on purpose: consent applies on arrival (the latest known choice
 * governs a send), and a price drop is no proof of the user's own time.
 */
class UserJourneyFiringOrderTest {
  private static final String[] USERS = {"u1", "u2", "u3"};
  private static final String[] ITEMS = {"A", "B", "C", "D", "E"};

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
  void theUsersOwnEventsFireDeadlinesAsTheWatermarkWouldHaveFiredThem(long seed) throws Exception {
    List<UserSignal> history = randomHistory(new Random(seed));

    Map<String, List<String>> watermarkJustBehind = run(history, true);
    Map<String, List<String>> watermarkHeldBack = run(history, false);

    // Guards against a history too quiet to test anything: every run must decide something.
    assertThat(watermarkJustBehind.values().stream().mapToInt(List::size).sum())
        .isGreaterThan(USERS.length);
    assertThat(watermarkHeldBack).isEqualTo(watermarkJustBehind);
  }

  /** Per user, in the order produced: sends, suppressions and closed sessions. */
  private static Map<String, List<String>> run(List<UserSignal> history, boolean watermarkFollows)
      throws Exception {
    try (var h = new UserJourneyHarness(new UserJourneyFunction(new EngineConfig()))) {
      h.open();
      long watermark = Long.MIN_VALUE;
      for (UserSignal s : history) {
        if (watermarkFollows && s.eventTime - 1 > watermark) {
          watermark = s.eventTime - 1;
          h.processWatermark(watermark);
        }
        h.processElement(s, s.eventTime);
      }
      long end = history.get(history.size() - 1).eventTime;
      h.processWatermark(end + days(100));
      h.processWatermark(end + days(400)); // deadlines armed by the first sweep (win-back)

      Map<String, List<String>> byUser = new TreeMap<>();
      for (Action a : h.extractOutputValues()) {
        byUser
            .computeIfAbsent(a.userId, u -> new ArrayList<>())
            .add(
                "sent "
                    + a.actionType
                    + " "
                    + a.actionId
                    + " trigger "
                    + a.triggerEventTime
                    + " at "
                    + a.sendAt);
      }
      for (SuppressedAction s : sideOutput(h, UserJourneyFunction.SUPPRESSED)) {
        byUser
            .computeIfAbsent(s.action.userId, u -> new ArrayList<>())
            .add("suppressed " + s.reason + " " + s.action.actionType + " " + s.action.actionId);
      }
      for (SessionSummary s : sideOutput(h, UserJourneyFunction.SESSIONS)) {
        byUser
            .computeIfAbsent(s.userId, u -> new ArrayList<>())
            .add("session " + s.sessionId + " " + s.events + " events to " + s.endTime);
      }
      return byUser;
    }
  }

  /**
   * Each user's events with gaps from minutes (one session) to weeks (win-back), at any hour, so
   * that quiet hours defer pushes; few items, so views cross the browse threshold and notices
   * repeat within the de-duplication window.
   */
  private static List<UserSignal> randomHistory(Random rnd) {
    List<UserSignal> all = new ArrayList<>();
    for (String user : USERS) {
      long t = T0 + rnd.nextInt((int) hours(24));
      for (int i = 0; i < 60; i++) {
        double gap = rnd.nextDouble();
        t +=
            gap < 0.65
                ? minutes(1 + rnd.nextInt(10))
                : gap < 0.85
                    ? minutes(20 + rnd.nextInt(90))
                    : gap < 0.97 ? hours(4 + rnd.nextInt(20)) : days(20 + rnd.nextInt(60));
        String item = ITEMS[rnd.nextInt(ITEMS.length)];
        double kind = rnd.nextDouble();
        Signals.Line line =
            kind < 0.55
                ? view(user, item, t)
                : kind < 0.70
                    ? cartAdd(user, item, t)
                    : kind < 0.77
                        ? cartRemove(user, item, t)
                        : kind < 0.88
                            ? purchase(user, item, t)
                            : kind < 0.92 ? wishlist(user, item, t) : search(user, t);
        if (line.get().itemId != null) {
          line.price(5 + rnd.nextInt(40)).category("cat-" + item);
        }
        all.add(line.get());
        if (rnd.nextDouble() < 0.05) { // a review of one of the items, on its own channel
          t += minutes(1);
          boolean complaint = rnd.nextBoolean();
          all.add(
              ServiceRecoveryTest.review(
                  user,
                  ITEMS[rnd.nextInt(ITEMS.length)],
                  complaint ? 1 : 5,
                  complaint ? ServiceRecoveryTest.COMPLAINT : "Lovely fit, great quality.",
                  t));
        }
      }
    }
    all.sort(Comparator.comparingLong((UserSignal s) -> s.eventTime).thenComparing(s -> s.userId));
    return all;
  }
}
