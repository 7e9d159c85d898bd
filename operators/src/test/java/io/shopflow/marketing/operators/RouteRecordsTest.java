package io.shopflow.marketing.operators;

import static io.shopflow.marketing.operators.Signals.T0;
import static io.shopflow.marketing.operators.Signals.hours;
import static io.shopflow.marketing.operators.Signals.sideOutput;
import static org.assertj.core.api.Assertions.assertThat;

import io.shopflow.marketing.schema.CatalogItem;
import io.shopflow.marketing.schema.Channel;
import io.shopflow.marketing.schema.ConsentChange;
import io.shopflow.marketing.schema.DeadLetter;
import io.shopflow.marketing.schema.EventType;
import io.shopflow.marketing.schema.ItemSignal;
import io.shopflow.marketing.schema.LineItem;
import io.shopflow.marketing.schema.ParsedRecord;
import io.shopflow.marketing.schema.ShopEvent;
import io.shopflow.marketing.schema.UserSignal;
import io.shopflow.marketing.udfs.EngineConfig;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RouteRecordsTest {
  private OneInputStreamOperatorTestHarness<ParsedRecord, ItemSignal> h;

  @BeforeEach
  void open() throws Exception {
    h = ProcessFunctionTestHarnesses.forProcessFunction(new RouteRecords(new EngineConfig()));
  }

  @AfterEach
  void close() throws Exception {
    h.close();
  }

  private static ShopEvent event(String type, long t, String... items) {
    ShopEvent e = new ShopEvent();
    e.eventId = "e-" + type + "-" + t;
    e.eventType = type;
    e.userId = "u1";
    e.eventTime = t;
    e.currency = "EUR";
    e.sessionHint = "s-1";
    e.orderId = EventType.PURCHASE.equals(type) ? "o-1" : null;
    e.items = new LineItem[items.length];
    for (int i = 0; i < items.length; i++) {
      e.items[i] = new LineItem(items[i], i + 1, 10.0 * (i + 1));
    }
    return e;
  }

  private static ParsedRecord fromKafka(ParsedRecord r, long offset) {
    return r.from(
        "shop.events",
        3,
        offset,
        T0,
        "u1".getBytes(StandardCharsets.UTF_8),
        ("{\"offset\":" + offset + "}").getBytes(StandardCharsets.UTF_8));
  }

  private void send(ParsedRecord r) throws Exception {
    long ts = r.eventTime() == Long.MIN_VALUE ? T0 : r.eventTime();
    h.processElement(r, ts);
  }

  /** Item lines, catalogue upserts and MF steps: what the item operator works on. */
  private List<ItemSignal> items() {
    List<ItemSignal> all = h.extractOutputValues();
    return all.stream().filter(s -> s.kind != ItemSignal.TO_USER).toList();
  }

  /** User signals passing through the item operator, keyed by their user. */
  private List<UserSignal> toUsers() {
    List<ItemSignal> all = h.extractOutputValues();
    return all.stream()
        .filter(s -> s.kind == ItemSignal.TO_USER)
        .peek(s -> assertThat(s.itemId).as("keyed by the user").isEqualTo(s.toUser.userId))
        .map(s -> s.toUser)
        .toList();
  }

  private List<DeadLetter> deadLetters() {
    return sideOutput(h, RouteRecords.DEAD_LETTERS);
  }

  @Test
  void deadLettersGoToTheDeadLetterOutput() throws Exception {
    DeadLetter d = new DeadLetter();
    d.reason = "invalid JSON";
    send(fromKafka(ParsedRecord.of(d), 42));

    assertThat(items()).isEmpty();
    assertThat(toUsers()).isEmpty();
    assertThat(deadLetters())
        .singleElement()
        .satisfies(
            dl -> {
              assertThat(dl.reason).isEqualTo("invalid JSON");
              assertThat(dl.offset).isEqualTo(42);
              assertThat(new String(dl.value, StandardCharsets.UTF_8)).contains("42");
            });
  }

  @Test
  void purchaseWithThreeItemsBecomesThreeLinesCarryingTheBasket() throws Exception {
    send(ParsedRecord.of(event(EventType.PURCHASE, T0, "A", "B", "C")));

    List<ItemSignal> lines = items();
    assertThat(lines).hasSize(3);
    assertThat(lines).extracting(s -> s.itemId).containsExactly("A", "B", "C");
    assertThat(lines).extracting(s -> s.lineIndex).containsExactly(0, 1, 2);
    assertThat(lines).extracting(s -> s.quantity).containsExactly(1, 2, 3);
    assertThat(lines).extracting(s -> s.price).containsExactly(10.0, 20.0, 30.0);
    assertThat(lines)
        .allSatisfy(
            s -> {
              assertThat(s.kind).isEqualTo(ItemSignal.LINE);
              assertThat(s.lineCount).isEqualTo(3);
              assertThat(s.basket).containsExactly("A", "B", "C");
              assertThat(s.userId).isEqualTo("u1");
              assertThat(s.eventType).isEqualTo(EventType.PURCHASE);
              assertThat(s.eventTime).isEqualTo(T0);
              assertThat(s.orderId).isEqualTo("o-1");
              assertThat(s.currency).isEqualTo("EUR");
            });
    assertThat(toUsers()).isEmpty();
    assertThat(deadLetters()).isEmpty();
  }

  @Test
  void nonPurchaseLinesCarryNoBasket() throws Exception {
    send(ParsedRecord.of(event(EventType.CART_ADD, T0, "A", "B")));
    assertThat(items()).hasSize(2).allSatisfy(s -> assertThat(s.basket).isEmpty());
  }

  @Test
  void catalogueUpsertGoesToTheItemSide() throws Exception {
    CatalogItem c = new CatalogItem();
    c.itemId = "A";
    c.eventId = "c-1";
    c.eventTime = T0;
    c.price = 9.5;
    send(ParsedRecord.of(c));
    assertThat(items())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.kind).isEqualTo(ItemSignal.CATALOG);
              assertThat(s.itemId).isEqualTo("A");
              assertThat(s.eventId).isEqualTo("c-1");
              assertThat(s.eventTime).isEqualTo(T0);
              assertThat(s.catalog.price).isEqualTo(9.5);
            });
  }

  @Test
  void consentAndItemLessSearchPassThroughTheItemOperatorKeyedByTheirUser() throws Exception {
    ConsentChange c = new ConsentChange();
    c.userId = "u1";
    c.eventId = "c-1";
    c.eventTime = T0;
    c.change = ConsentChange.OPT_OUT;
    c.channels = new String[] {Channel.EMAIL, Channel.SMS};
    send(ParsedRecord.of(c));
    ShopEvent search = event(EventType.SEARCH, T0 + 1);
    search.query = "paper lantern";
    send(ParsedRecord.of(search));

    assertThat(items()).isEmpty();
    List<UserSignal> users = toUsers();
    assertThat(users).hasSize(2);
    UserSignal consent = users.get(0);
    assertThat(consent.kind).isEqualTo(UserSignal.CONSENT);
    assertThat(consent.userId).isEqualTo("u1");
    assertThat(consent.consentChange).isEqualTo(ConsentChange.OPT_OUT);
    assertThat(consent.channels).containsExactly(Channel.EMAIL, Channel.SMS);
    UserSignal s = users.get(1);
    assertThat(s.kind).isEqualTo(UserSignal.EVENT);
    assertThat(s.eventType).isEqualTo(EventType.SEARCH);
    assertThat(s.itemId).isNull();
    assertThat(s.query).isEqualTo("paper lantern");
    assertThat(s.lineIndex).isZero();
    assertThat(s.lineCount).isEqualTo(1);
    assertThat(s.sessionHint).isEqualTo("s-1");
  }

  @Test
  void recordBeyondTheAllowedLatenessGoesToDeadLettersAsLate() throws Exception {
    h.processWatermark(T0);
    send(fromKafka(ParsedRecord.of(event(EventType.VIEW, T0 - hours(1) - 1, "A")), 7));

    assertThat(items()).isEmpty();
    assertThat(deadLetters())
        .singleElement()
        .satisfies(
            dl -> {
              assertThat(dl.reason).startsWith("late:").contains("3600 s");
              assertThat(dl.topic).isEqualTo("shop.events");
              assertThat(dl.partition).isEqualTo(3);
              assertThat(dl.offset).isEqualTo(7);
              assertThat(new String(dl.value, StandardCharsets.UTF_8)).isEqualTo("{\"offset\":7}");
            });
  }

  @Test
  void lateConsentIsDeadLetteredToo() throws Exception {
    h.processWatermark(T0);
    ConsentChange c = new ConsentChange();
    c.userId = "u1";
    c.eventTime = T0 - hours(2);
    c.change = ConsentChange.OPT_IN;
    send(fromKafka(ParsedRecord.of(c), 8));
    assertThat(toUsers()).isEmpty();
    assertThat(deadLetters())
        .singleElement()
        .satisfies(dl -> assertThat(dl.reason).startsWith("late:"));
  }

  @Test
  void recordWithinTheAllowedLatenessIsRouted() throws Exception {
    h.processWatermark(T0);
    send(ParsedRecord.of(event(EventType.VIEW, T0 - hours(1), "A")));
    assertThat(deadLetters()).isEmpty();
    assertThat(items()).singleElement().extracting(s -> s.itemId).isEqualTo("A");
  }
}
