package io.shopflow.marketing.operators;

import static io.shopflow.marketing.operators.Signals.T0;
import static io.shopflow.marketing.operators.Signals.catalog;
import static io.shopflow.marketing.operators.Signals.days;
import static io.shopflow.marketing.operators.Signals.hours;
import static io.shopflow.marketing.operators.Signals.itemLine;
import static io.shopflow.marketing.operators.Signals.minutes;
import static org.assertj.core.api.Assertions.assertThat;

import io.shopflow.marketing.operators.state.WriteBehindKeyedProcessOperator;
import io.shopflow.marketing.schema.EventType;
import io.shopflow.marketing.schema.ItemSignal;
import io.shopflow.marketing.schema.ItemStats;
import io.shopflow.marketing.schema.UserSignal;
import io.shopflow.marketing.udfs.EngineConfig;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ItemCatalogFunctionTest {
  private KeyedOneInputStreamOperatorTestHarness<String, ItemSignal, UserSignal> h;
  private ItemCatalogFunction fn;

  @AfterEach
  void close() throws Exception {
    if (h != null) {
      h.close();
    }
  }

  private void open(boolean rocksDb) throws Exception {
    fn = new ItemCatalogFunction(new EngineConfig());
    h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new WriteBehindKeyedProcessOperator<>(fn), s -> s.itemId, Types.STRING);
    if (rocksDb) {
      h.setStateBackend(new EmbeddedRocksDBStateBackend());
    }
    h.open();
  }

  private void send(ItemSignal s) throws Exception {
    h.processElement(s, s.eventTime);
  }

  private List<UserSignal> out() {
    return h.extractOutputValues();
  }

  private List<UserSignal> priceDrops() {
    return out().stream().filter(u -> u.kind == UserSignal.PRICE_DROP).toList();
  }

  private List<UserSignal> linesFor(String itemId) {
    return out().stream()
        .filter(u -> u.kind == UserSignal.EVENT && u.itemId.equals(itemId))
        .toList();
  }

  private UserSignal last() {
    List<UserSignal> all = out();
    return all.get(all.size() - 1);
  }

  @Test
  void passesAUsersSignalThroughUntouchedAndKeepsNoStateForIt() throws Exception {
    open(true);
    // An item whose id equals the user's: the pass-through shares its key, never its state.
    send(catalog("u1", T0 - days(1), 5.0, "Same id as a user", "Home"));
    h.getOutput().clear();
    UserSignal search = new UserSignal();
    search.kind = UserSignal.EVENT;
    search.eventType = EventType.SEARCH;
    search.userId = "u1";
    search.eventId = "e-1";
    search.eventTime = T0;
    search.query = "lantern";
    UserSignal consent = new UserSignal();
    consent.kind = UserSignal.CONSENT;
    consent.userId = "u2";
    consent.eventTime = T0 + 1;
    send(passThrough(search));
    send(passThrough(consent));

    assertThat(out())
        .usingRecursiveFieldByFieldElementComparator()
        .containsExactly(search, consent);
    assertThat(keysWith("item")).containsExactly("u1"); // the catalogue item's; nothing for u2
    send(itemLine(EventType.VIEW, "u3", "u1", T0 + 3));
    assertThat(last().title).isEqualTo("Same id as a user");
  }

  private static ItemSignal passThrough(UserSignal u) {
    ItemSignal s = new ItemSignal();
    s.kind = ItemSignal.TO_USER;
    s.itemId = u.userId;
    s.toUser = u;
    s.eventTime = u.eventTime;
    return s;
  }

  @Test
  void enrichesLinesWithCatalogueTitleCategoryAndPrice() throws Exception {
    open(false);
    send(catalog("A", T0 - days(1), 19.99, "Paper Lantern", "Home", "Lighting", "Lanterns"));
    ItemSignal view = itemLine(EventType.VIEW, "u1", "A", T0);
    view.sessionHint = "s-1";
    view.lineIndex = 1;
    view.lineCount = 2;
    send(view);

    UserSignal u = last();
    assertThat(u.kind).isEqualTo(UserSignal.EVENT);
    assertThat(u.userId).isEqualTo("u1");
    assertThat(u.eventType).isEqualTo(EventType.VIEW);
    assertThat(u.title).isEqualTo("Paper Lantern");
    assertThat(u.category).isEqualTo("Lanterns");
    assertThat(u.price).isEqualTo(19.99);
    assertThat(u.currency).isEqualTo("EUR");
    assertThat(u.sessionHint).isEqualTo("s-1");
    assertThat(u.lineIndex).isEqualTo(1);
    assertThat(u.lineCount).isEqualTo(2);
  }

  @Test
  void keepsTheEventsOwnPriceOverTheCatalogues() throws Exception {
    open(false);
    send(catalog("A", T0 - days(1), 19.99, "Paper Lantern", "Lanterns"));
    ItemSignal add = itemLine(EventType.CART_ADD, "u1", "A", T0);
    add.price = 17.5;
    add.currency = "USD";
    send(add);
    assertThat(last().price).isEqualTo(17.5);
    assertThat(last().currency).isEqualTo("USD");
    assertThat(last().title).isEqualTo("Paper Lantern");
  }

  @Test
  void unknownItemPassesThroughWithUnknownCategory() throws Exception {
    open(false);
    send(itemLine(EventType.VIEW, "u1", "Z", T0));
    UserSignal u = last();
    assertThat(u.itemId).isEqualTo("Z");
    assertThat(u.category).isEqualTo("unknown");
    assertThat(u.title).isNull();
    assertThat(u.price).isNull();
  }

  @Test
  void priceDropFansOutToUsersStillInterestedWithinTheWindow() throws Exception {
    open(false);
    long day31 = T0 + days(31);
    send(catalog("A", T0 - days(1), 100.0, "Lamp", "Lighting"));
    send(itemLine(EventType.CART_ADD, "stale", "A", T0)); // 31 days before the drop
    send(itemLine(EventType.CART_ADD, "carted", "A", day31));
    send(itemLine(EventType.WISHLIST, "wished", "A", day31 + minutes(1)));
    send(itemLine(EventType.CART_ADD, "removed", "A", day31 + minutes(2)));
    send(itemLine(EventType.CART_REMOVE, "removed", "A", day31 + minutes(3)));
    send(itemLine(EventType.CART_ADD, "bought", "A", day31 + minutes(4)));
    send(itemLine(EventType.PURCHASE, "bought", "A", day31 + minutes(5), "A"));
    send(itemLine(EventType.VIEW, "viewer", "A", day31 + minutes(6)));

    send(catalog("A", day31 + hours(2), 80.0, null));

    List<UserSignal> drops = priceDrops();
    assertThat(drops).extracting(u -> u.userId).containsExactlyInAnyOrder("carted", "wished");
    assertThat(drops)
        .allSatisfy(
            u -> {
              assertThat(u.itemId).isEqualTo("A");
              assertThat(u.oldPrice).isEqualTo(100.0);
              assertThat(u.newPrice).isEqualTo(80.0);
              assertThat(u.title).isEqualTo("Lamp");
              assertThat(u.category).isEqualTo("Lighting");
              assertThat(u.eventTime).isEqualTo(day31 + hours(2));
            });
  }

  @Test
  void smallerDropThanTenPercentFansOutNothing() throws Exception {
    open(false);
    send(catalog("A", T0 - days(1), 100.0, "Lamp"));
    send(itemLine(EventType.CART_ADD, "u1", "A", T0));
    send(catalog("A", T0 + hours(1), 95.0, null));
    send(catalog("A", T0 + hours(2), 96.0, null)); // a rise
    assertThat(priceDrops()).isEmpty();

    // Measured from the current price (96), not the first one: 96 -> 86 is 10.4 %.
    send(catalog("A", T0 + hours(3), 86.0, null));
    assertThat(priceDrops()).singleElement().extracting(u -> u.oldPrice).isEqualTo(96.0);
  }

  @Test
  void noPriceDropWhenOutOfStock() throws Exception {
    open(false);
    send(catalog("A", T0 - days(1), 100.0, "Lamp"));
    send(itemLine(EventType.CART_ADD, "u1", "A", T0));
    ItemSignal soldOut = catalog("A", T0 + hours(1), 50.0, null);
    soldOut.catalog.stock = 0;
    send(soldOut);
    assertThat(priceDrops()).isEmpty();
  }

  @Test
  void olderPurchaseArrivingLateKeepsTheNewerInterest() throws Exception {
    open(false);
    send(catalog("A", T0 - days(1), 100.0, "Lamp"));
    send(itemLine(EventType.CART_ADD, "u1", "A", T0));
    send(itemLine(EventType.PURCHASE, "u1", "A", T0 - minutes(10), "A"));
    send(catalog("A", T0 + hours(1), 50.0, null));
    assertThat(priceDrops()).extracting(u -> u.userId).containsExactly("u1");
  }

  @Test
  void forgetsInterestWhenTheUserRemovesOrBuysTheItemOnRocksDb() throws Exception {
    open(true);
    send(catalog("A", T0 - days(1), 100.0, "Lamp"));
    send(itemLine(EventType.CART_ADD, "u1", "A", T0));
    send(itemLine(EventType.WISHLIST, "u2", "A", T0 + minutes(1)));
    assertThat(keysWith("interested-users")).containsExactly("A");

    send(itemLine(EventType.CART_REMOVE, "u1", "A", T0 + minutes(2)));
    send(itemLine(EventType.PURCHASE, "u2", "A", T0 + minutes(3), "A"));
    assertThat(keysWith("interested-users")).isEmpty();

    send(catalog("A", T0 + hours(1), 50.0, null));
    assertThat(priceDrops()).isEmpty();
  }

  /** Keys with an entry in the named state, as the next checkpoint holds them. */
  private List<String> keysWith(String state) throws Exception {
    if (h.getOperator() instanceof WriteBehindKeyedProcessOperator<?, ?, ?> op) {
      op.writeBehindStates().flush();
    }
    try (var keys =
        h.getOperator().<String>getKeyedStateBackend().getKeys(state, VoidNamespace.INSTANCE)) {
      return keys.collect(Collectors.toList());
    }
  }

  @Test
  void thirdPurchaseCarriesItemsBoughtTogetherTwiceBefore() throws Exception {
    open(false);
    for (int order = 0; order < 2; order++) {
      long t = T0 + days(order);
      send(itemLine(EventType.PURCHASE, "u" + order, "A", t, "A", "B"));
      send(itemLine(EventType.PURCHASE, "u" + order, "B", t, "A", "B"));
    }
    // After one joint order B is not yet frequent enough to suggest.
    assertThat(linesFor("A").get(1).coPurchased).isEmpty();

    send(itemLine(EventType.PURCHASE, "u9", "A", T0 + days(5), "A", "C"));
    UserSignal third = last();
    assertThat(third.itemId).isEqualTo("A");
    assertThat(third.coPurchased).containsExactly("B");
    assertThat(third.coPurchasedCounts).containsExactly(2);

    // And symmetrically for B.
    send(itemLine(EventType.PURCHASE, "u9", "B", T0 + days(6), "B"));
    assertThat(last().coPurchased).containsExactly("A");
    assertThat(last().coPurchasedCounts).containsExactly(2);
  }

  @Test
  void coPurchasedExcludesItemsInTheSameBasket() throws Exception {
    open(false);
    for (int order = 0; order < 2; order++) {
      send(itemLine(EventType.PURCHASE, "u" + order, "A", T0 + days(order), "A", "B"));
    }
    send(itemLine(EventType.PURCHASE, "u9", "A", T0 + days(5), "A", "B"));
    assertThat(last().coPurchased).isEmpty();
  }

  @Test
  void olderCatalogueUpsertDoesNotOverwriteANewerOne() throws Exception {
    open(false);
    send(catalog("A", T0 + hours(2), 10.0, "New title", "New"));
    send(itemLine(EventType.CART_ADD, "u1", "A", T0 + hours(2)));
    send(catalog("A", T0 + hours(1), 30.0, "Old title", "Old"));

    send(itemLine(EventType.VIEW, "u2", "A", T0 + hours(3)));
    UserSignal u = last();
    assertThat(u.title).isEqualTo("New title");
    assertThat(u.category).isEqualTo("New");
    assertThat(u.price).isEqualTo(10.0);

    // A later drop is measured from the newer price.
    send(catalog("A", T0 + hours(4), 8.0, null));
    assertThat(priceDrops()).singleElement().extracting(d -> d.oldPrice).isEqualTo(10.0);
  }

  @Test
  void reportsNewItemsAndEveryPurchaseToThePopularItemsSnapshot() throws Exception {
    open(false);
    send(catalog("A", T0 - days(1), 19.99, "Paper Lantern", "Home", "Lanterns"));
    send(itemLine(EventType.VIEW, "u1", "A", T0));
    send(itemLine(EventType.PURCHASE, "u1", "A", T0 + 1, "b1"));
    send(itemLine(EventType.PURCHASE, "u2", "A", T0 + 2, "b2"));
    send(itemLine(EventType.PURCHASE, "u2", "B", T0 + 3, "b2")); // not in the catalogue

    List<ItemStats> stats = Signals.sideOutput(h, ItemCatalogFunction.ITEM_STATS);

    assertThat(stats)
        .extracting(x -> x.itemId + ":" + x.purchases + ":" + x.category)
        .containsExactly("A:0:Lanterns", "A:1:Lanterns", "A:2:Lanterns", "B:1:null");
    assertThat(stats.get(0).firstSeen).isEqualTo(T0 - days(1));
    assertThat(stats.get(2).firstSeen).isEqualTo(T0 - days(1));
    assertThat(stats.get(3).firstSeen).isEqualTo(T0 + 3);
    assertThat(stats.get(2).factor).hasSize(new EngineConfig().recs.factors);
  }
}
