package io.shopflow.marketing.udfs;

import static io.shopflow.marketing.udfs.Resources.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.shopflow.marketing.schema.CatalogItem;
import io.shopflow.marketing.schema.ConsentChange;
import io.shopflow.marketing.schema.ShopEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventParserTest {
  private static final long TEN_AM = Instant.parse("2026-11-25T10:00:00Z").toEpochMilli();

  /** A valid view event with {@code fields} (a JSON fragment with a trailing comma) in front. */
  private static byte[] view(String fields) {
    return utf8(
        "{"
            + fields
            + "\"event_id\": \"e-1\", \"event_type\": \"view\", \"user_id\": \"u-1\","
            + " \"event_time\": \"2026-11-25T10:00:00Z\", \"items\": [{\"item_id\": \"sku-1\"}]}");
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertShopEventRejected(
      byte[] bytes) {
    return assertThatThrownBy(() -> EventParser.parseShopEvent(bytes))
        .isInstanceOf(InvalidRecordException.class);
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertShopEventRejected(
      String json) {
    return assertShopEventRejected(utf8(json));
  }

  @Nested
  class EventTime {
    @Test
    void isoAndEpochMillisGiveTheSameInstant() throws InvalidRecordException {
      ShopEvent iso =
          EventParser.parseShopEvent(
              utf8(
                  "{\"event_id\": \"e-1\", \"event_type\": \"view\", \"user_id\": \"u-1\","
                      + " \"event_time\": \"2026-11-25T10:00:00Z\","
                      + " \"items\": [{\"item_id\": \"sku-1\"}]}"));
      ShopEvent epoch =
          EventParser.parseShopEvent(
              utf8(
                  "{\"event_id\": \"e-1\", \"event_type\": \"view\", \"user_id\": \"u-1\","
                      + " \"event_time\": "
                      + TEN_AM
                      + ", \"items\": [{\"item_id\": \"sku-1\"}]}"));

      assertThat(iso.eventTime).isEqualTo(epoch.eventTime).isEqualTo(TEN_AM);
    }

    @Test
    void isoWithOffsetIsConvertedToUtcMillis() throws InvalidRecordException {
      assertThat(EventParser.parseEventTime(text("2026-11-25T13:45:10.250+01:00")))
          .isEqualTo(Instant.parse("2026-11-25T12:45:10.250Z").toEpochMilli());
    }

    @Test
    void epochZeroIsAccepted() throws InvalidRecordException {
      assertThat(EventParser.parseEventTime(JsonNodeFactory.instance.numberNode(0L))).isZero();
    }

    @Test
    void rejectsMissingEventTime() {
      assertShopEventRejected(
              "{\"event_id\": \"e-1\", \"event_type\": \"view\", \"user_id\": \"u-1\","
                  + " \"items\": [{\"item_id\": \"sku-1\"}]}")
          .hasMessageContaining("event_time")
          .hasMessageContaining("missing");
    }

    @Test
    void rejectsNullEventTime() {
      assertShopEventRejected(
              "{\"event_id\": \"e-1\", \"event_type\": \"view\", \"user_id\": \"u-1\","
                  + " \"event_time\": null, \"items\": [{\"item_id\": \"sku-1\"}]}")
          .hasMessageContaining("event_time is missing");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "2026-11-25T10:00:00",
          "2026-02-30T10:00:00Z",
          "2026-11-25",
          "yesterday afternoon",
          ""
        })
    void rejectsStringsThatAreNotDateTimesWithOffset(String value) {
      assertThatThrownBy(() -> EventParser.parseEventTime(text(value)))
          .isInstanceOf(InvalidRecordException.class)
          .hasMessageContaining("event_time")
          .hasMessageContaining("'" + value + "'");
    }

    @Test
    void rejectsNegativeEpochMillis() {
      assertThatThrownBy(() -> EventParser.parseEventTime(JsonNodeFactory.instance.numberNode(-1L)))
          .isInstanceOf(InvalidRecordException.class)
          .hasMessageContaining("event_time")
          .hasMessageContaining(">= 0");
    }

    @Test
    void rejectsBooleanEventTime() {
      assertThatThrownBy(
              () -> EventParser.parseEventTime(JsonNodeFactory.instance.booleanNode(true)))
          .isInstanceOf(InvalidRecordException.class)
          .hasMessageContaining("event_time")
          .hasMessageContaining("BOOLEAN");
    }

    private JsonNode text(String s) {
      return JsonNodeFactory.instance.textNode(s);
    }
  }

  @Nested
  class ShopEvents {
    @Test
    void parsesAPurchaseWithAllFields() throws InvalidRecordException {
      ShopEvent e =
          EventParser.parseShopEvent(
              utf8(
                  "{\"event_id\": \"e-9\", \"event_type\": \"purchase\", \"user_id\": \"u-7\","
                      + " \"event_time\": \"2026-11-25T10:00:00Z\", \"currency\": \"GBP\","
                      + " \"order_id\": \"ord-1\", \"session_hint\": \"web-1\","
                      + " \"items\": [{\"item_id\": \"sku-1\", \"quantity\": 3, \"price\": 4.25},"
                      + " {\"item_id\": \"sku-2\", \"price\": 0}]}"));

      assertThat(e.eventId).isEqualTo("e-9");
      assertThat(e.eventType).isEqualTo("purchase");
      assertThat(e.userId).isEqualTo("u-7");
      assertThat(e.eventTime).isEqualTo(TEN_AM);
      assertThat(e.currency).isEqualTo("GBP");
      assertThat(e.orderId).isEqualTo("ord-1");
      assertThat(e.sessionHint).isEqualTo("web-1");
      assertThat(e.query).isNull();
      assertThat(e.items).hasSize(2);
      assertThat(e.items[0].itemId).isEqualTo("sku-1");
      assertThat(e.items[0].quantity).isEqualTo(3);
      assertThat(e.items[0].price).isEqualTo(4.25);
      assertThat(e.items[1].itemId).isEqualTo("sku-2");
      assertThat(e.items[1].price).isZero();
    }

    @Test
    void itemsDefaultToQuantityOneAndUnknownPrice() throws InvalidRecordException {
      ShopEvent e = EventParser.parseShopEvent(view(""));

      assertThat(e.items).hasSize(1);
      assertThat(e.items[0].quantity).isEqualTo(1);
      assertThat(e.items[0].price).isNull();
    }

    @Test
    void nullQuantityMeansOne() throws InvalidRecordException {
      ShopEvent e =
          EventParser.parseShopEvent(
              utf8(
                  "{\"event_id\": \"e-1\", \"event_type\": \"cart_add\", \"user_id\": \"u-1\","
                      + " \"event_time\": 1, \"items\": [{\"item_id\": \"sku-1\","
                      + " \"quantity\": null, \"price\": null}]}"));

      assertThat(e.items[0].quantity).isEqualTo(1);
      assertThat(e.items[0].price).isNull();
    }

    @Test
    void ignoresUnknownFields() throws InvalidRecordException {
      ShopEvent e = EventParser.parseShopEvent(view("\"device\": {\"os\": \"ios\"}, \"v\": 2,"));

      assertThat(e.eventId).isEqualTo("e-1");
    }

    @Test
    void acceptsSearchWithQueryOnly() throws InvalidRecordException {
      ShopEvent e =
          EventParser.parseShopEvent(
              utf8(
                  "{\"event_id\": \"e-1\", \"event_type\": \"search\", \"user_id\": \"u-1\","
                      + " \"event_time\": 1, \"query\": \"garden lantern\"}"));

      assertThat(e.query).isEqualTo("garden lantern");
      assertThat(e.items).isEmpty();
    }

    @Test
    void rejectsSearchWithBlankQueryAndNoItems() {
      assertShopEventRejected(
              "{\"event_id\": \"e-1\", \"event_type\": \"search\", \"user_id\": \"u-1\","
                  + " \"event_time\": 1, \"query\": \"  \", \"items\": []}")
          .hasMessageContaining("search")
          .hasMessageContaining("query");
    }

    @Test
    void rejectsPurchaseWithoutItems() {
      assertShopEventRejected(
              "{\"event_id\": \"e-1\", \"event_type\": \"purchase\", \"user_id\": \"u-1\","
                  + " \"event_time\": 1, \"items\": []}")
          .hasMessageContaining("purchase")
          .hasMessageContaining("at least one item");
    }

    @Test
    void rejectsCartAddWithItemsMissing() {
      assertShopEventRejected(
              "{\"event_id\": \"e-1\", \"event_type\": \"cart_add\", \"user_id\": \"u-1\","
                  + " \"event_time\": 1}")
          .hasMessageContaining("cart_add")
          .hasMessageContaining("item");
    }

    @Test
    void rejectsUnknownEventType() {
      assertShopEventRejected(
              "{\"event_id\": \"e-1\", \"event_type\": \"checkout\", \"user_id\": \"u-1\","
                  + " \"event_time\": 1, \"items\": [{\"item_id\": \"sku-1\"}]}")
          .hasMessageContaining("event_type")
          .hasMessageContaining("'checkout'")
          .hasMessageContaining("cart_add");
    }

    @Test
    void rejectsNonStringEventType() {
      assertShopEventRejected(
              "{\"event_id\": \"e-1\", \"event_type\": 3, \"user_id\": \"u-1\","
                  + " \"event_time\": 1, \"items\": [{\"item_id\": \"sku-1\"}]}")
          .hasMessageContaining("event_type must be a string");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gbp", "GB", "GBPX", "G1P", ""})
    void rejectsBadCurrency(String currency) {
      assertShopEventRejected(view("\"currency\": \"" + currency + "\","))
          .hasMessageContaining("currency")
          .hasMessageContaining("'" + currency + "'");
    }

    @Test
    void acceptsNullCurrency() throws InvalidRecordException {
      assertThat(EventParser.parseShopEvent(view("\"currency\": null,")).currency).isNull();
    }

    @Test
    void rejectsQuantityZero() {
      assertShopEventRejected(
              "{\"event_id\": \"e-1\", \"event_type\": \"cart_add\", \"user_id\": \"u-1\","
                  + " \"event_time\": 1, \"items\": [{\"item_id\": \"sku-1\", \"quantity\": 0}]}")
          .hasMessageContaining("items[0].quantity")
          .hasMessageContaining(">= 1");
    }

    @Test
    void rejectsFractionalQuantityOnTheRightItem() {
      assertShopEventRejected(
              "{\"event_id\": \"e-1\", \"event_type\": \"cart_add\", \"user_id\": \"u-1\","
                  + " \"event_time\": 1, \"items\": [{\"item_id\": \"sku-1\"},"
                  + " {\"item_id\": \"sku-2\", \"quantity\": 1.5}]}")
          .hasMessageContaining("items[1].quantity");
    }

    @Test
    void rejectsNegativeItemPrice() {
      assertShopEventRejected(
              "{\"event_id\": \"e-1\", \"event_type\": \"cart_add\", \"user_id\": \"u-1\","
                  + " \"event_time\": 1, \"items\": [{\"item_id\": \"sku-1\", \"price\": -2}]}")
          .hasMessageContaining("items[0].price")
          .hasMessageContaining(">= 0");
    }

    @Test
    void rejectsPriceGivenAsString() {
      assertShopEventRejected(
              "{\"event_id\": \"e-1\", \"event_type\": \"cart_add\", \"user_id\": \"u-1\","
                  + " \"event_time\": 1, \"items\": [{\"item_id\": \"sku-1\", \"price\": \"2\"}]}")
          .hasMessageContaining("items[0].price must be a number");
    }

    @Test
    void rejectsItemWithoutId() {
      assertShopEventRejected(
              "{\"event_id\": \"e-1\", \"event_type\": \"view\", \"user_id\": \"u-1\","
                  + " \"event_time\": 1, \"items\": [{\"quantity\": 1}]}")
          .hasMessageContaining("items[0].item_id");
    }

    @Test
    void rejectsItemsThatAreNotAnArray() {
      assertShopEventRejected(
              "{\"event_id\": \"e-1\", \"event_type\": \"view\", \"user_id\": \"u-1\","
                  + " \"event_time\": 1, \"items\": {\"item_id\": \"sku-1\"}}")
          .hasMessageContaining("items must be an array");
    }

    @Test
    void rejectsMissingUser() {
      assertShopEventRejected(
              "{\"event_id\": \"e-1\", \"event_type\": \"view\","
                  + " \"event_time\": 1, \"items\": [{\"item_id\": \"sku-1\"}]}")
          .hasMessageContaining("user_id is missing");
    }

    @Test
    void rejectsEmptyUser() {
      assertShopEventRejected(
              "{\"event_id\": \"e-1\", \"event_type\": \"view\", \"user_id\": \"\","
                  + " \"event_time\": 1, \"items\": [{\"item_id\": \"sku-1\"}]}")
          .hasMessageContaining("user_id is empty");
    }

    @Test
    void acceptsIdsOfExactly128Characters() throws InvalidRecordException {
      String id = "u".repeat(128);
      ShopEvent e =
          EventParser.parseShopEvent(
              utf8(
                  "{\"event_id\": \"e-1\", \"event_type\": \"view\", \"user_id\": \""
                      + id
                      + "\", \"event_time\": 1, \"items\": [{\"item_id\": \"sku-1\"}]}"));

      assertThat(e.userId).isEqualTo(id);
    }

    @Test
    void rejectsIdsLongerThan128Characters() {
      assertShopEventRejected(
              "{\"event_id\": \"e-1\", \"event_type\": \"view\", \"user_id\": \""
                  + "u".repeat(129)
                  + "\", \"event_time\": 1, \"items\": [{\"item_id\": \"sku-1\"}]}")
          .hasMessageContaining("user_id")
          .hasMessageContaining("128");
    }

    /** The schema's maxLength counts characters (code points), not UTF-16 units. */
    @Test
    void countsIdLengthInCharactersNotUtf16Units() throws InvalidRecordException {
      String id = "\uD83D\uDED2".repeat(100); // 100 shopping carts: 200 UTF-16 units
      ShopEvent e =
          EventParser.parseShopEvent(
              utf8(
                  "{\"event_id\": \"e-1\", \"event_type\": \"view\", \"user_id\": \""
                      + id
                      + "\", \"event_time\": 1, \"items\": [{\"item_id\": \"sku-1\"}]}"));

      assertThat(e.userId).isEqualTo(id);
    }

    @Test
    void rejectsIdsLongerThan128CharactersOutsideTheBmp() {
      assertShopEventRejected(
              "{\"event_id\": \"e-1\", \"event_type\": \"view\", \"user_id\": \""
                  + "\uD83D\uDED2".repeat(129)
                  + "\", \"event_time\": 1, \"items\": [{\"item_id\": \"sku-1\"}]}")
          .hasMessageContaining("user_id is longer than 128 characters");
    }

    @Test
    void rejectsOptionalTextFieldOfWrongType() {
      assertShopEventRejected(view("\"order_id\": 55012,"))
          .hasMessageContaining("order_id must be a string");
    }
  }

  @Nested
  class Envelope {
    @Test
    void rejectsEmptyBytes() {
      assertShopEventRejected(new byte[0]).hasMessageContaining("empty");
    }

    @Test
    void rejectsNullBytes() {
      assertShopEventRejected((byte[]) null).hasMessageContaining("empty");
    }

    @Test
    void rejectsMalformedJson() {
      assertShopEventRejected("{\"event_id\": \"e-1\", \"event_type\": ")
          .hasMessageContaining("not valid JSON");
    }

    @Test
    void rejectsJsonArrayInsteadOfObject() {
      assertShopEventRejected("[{\"event_id\": \"e-1\"}]")
          .hasMessageContaining("expected a JSON object");
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "42", "\"view\"", "   "})
    void rejectsJsonThatIsNotAnObject(String json) {
      assertShopEventRejected(json).hasMessageContaining("JSON object");
    }

    @Test
    void rejectsTrailingGarbageAfterTheObject() {
      byte[] bytes = utf8(new String(view(""), StandardCharsets.UTF_8) + " xyz");

      assertShopEventRejected(bytes).hasMessageContaining("not valid JSON");
    }

    @Test
    void rejectsASecondObjectAfterTheFirst() {
      String one = new String(view(""), StandardCharsets.UTF_8);

      assertShopEventRejected(one + one).hasMessageContaining("not valid JSON");
    }

    @Test
    void acceptsTrailingWhitespace() throws InvalidRecordException {
      String json = new String(view(""), StandardCharsets.UTF_8) + " \n\t";

      assertThat(EventParser.parseShopEvent(utf8(json)).eventId).isEqualTo("e-1");
    }

    @Test
    void rejectsBytesThatAreNotUtf8Json() {
      assertShopEventRejected(new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, 0x7b})
          .hasMessageContaining("JSON");
    }
  }

  @Nested
  class CatalogItems {
    @Test
    void parsesCategoryPathGivenAsString() throws InvalidRecordException {
      CatalogItem c =
          EventParser.parseCatalogItem(
              utf8(
                  "{\"item_id\": \"sku-1\", \"event_time\": 1,"
                      + " \"category_path\": \"Home > Lighting > Lanterns\"}"));

      assertThat(c.categoryPath).containsExactly("Home", "Lighting", "Lanterns");
      assertThat(c.leafCategory()).isEqualTo("Lanterns");
    }

    @Test
    void dropsBlankLevelsOfAStringCategoryPath() throws InvalidRecordException {
      CatalogItem c =
          EventParser.parseCatalogItem(
              utf8(
                  "{\"item_id\": \"sku-1\", \"event_time\": 1,"
                      + " \"category_path\": \" Home >  > Garden Tools >\"}"));

      assertThat(c.categoryPath).containsExactly("Home", "Garden Tools");
    }

    @Test
    void parsesCategoryPathGivenAsArray() throws InvalidRecordException {
      CatalogItem c =
          EventParser.parseCatalogItem(
              utf8(
                  "{\"item_id\": \"sku-1\", \"event_time\": 1,"
                      + " \"category_path\": [\"Home\", \"Garden\", \"Lighting\"]}"));

      assertThat(c.categoryPath).containsExactly("Home", "Garden", "Lighting");
    }

    @Test
    void stringAndArrayCategoryPathsAgree() throws InvalidRecordException {
      CatalogItem asString =
          EventParser.parseCatalogItem(
              utf8("{\"item_id\": \"a\", \"event_time\": 1, \"category_path\": \"A > B > C\"}"));
      CatalogItem asArray =
          EventParser.parseCatalogItem(
              utf8(
                  "{\"item_id\": \"a\", \"event_time\": 1,"
                      + " \"category_path\": [\"A\", \"B\", \"C\"]}"));

      assertThat(asString.categoryPath).containsExactly(asArray.categoryPath);
    }

    @Test
    void missingCategoryPathIsEmptyAndLeafIsUnknown() throws InvalidRecordException {
      CatalogItem c = EventParser.parseCatalogItem(utf8("{\"item_id\": \"a\", \"event_time\": 1}"));

      assertThat(c.categoryPath).isEmpty();
      assertThat(c.leafCategory()).isEqualTo("unknown");
      assertThat(c.price).isNull();
      assertThat(c.stock).isNull();
    }

    @Test
    void rejectsEmptyLevelInArrayCategoryPath() {
      assertThatThrownBy(
              () ->
                  EventParser.parseCatalogItem(
                      utf8(
                          "{\"item_id\": \"a\", \"event_time\": 1,"
                              + " \"category_path\": [\"Home\", \"\"]}")))
          .isInstanceOf(InvalidRecordException.class)
          .hasMessageContaining("category_path");
    }

    @Test
    void rejectsCategoryPathOfWrongType() {
      assertThatThrownBy(
              () ->
                  EventParser.parseCatalogItem(
                      utf8("{\"item_id\": \"a\", \"event_time\": 1, \"category_path\": 7}")))
          .isInstanceOf(InvalidRecordException.class)
          .hasMessageContaining("category_path");
    }

    @Test
    void defaultsEventIdToItemAtEventTime() throws InvalidRecordException {
      CatalogItem c =
          EventParser.parseCatalogItem(utf8("{\"item_id\": \"sku-1\", \"event_time\": 1234}"));

      assertThat(c.eventId).isEqualTo("sku-1@1234");
    }

    @Test
    void keepsProducerEventId() throws InvalidRecordException {
      CatalogItem c =
          EventParser.parseCatalogItem(
              utf8("{\"item_id\": \"sku-1\", \"event_id\": \"cat-9\", \"event_time\": 1234}"));

      assertThat(c.eventId).isEqualTo("cat-9");
    }

    @Test
    void parsesPriceStockAndCurrency() throws InvalidRecordException {
      CatalogItem c =
          EventParser.parseCatalogItem(
              utf8(
                  "{\"item_id\": \"sku-1\", \"event_time\": 1, \"title\": \"Lantern\","
                      + " \"price\": 24.5, \"currency\": \"GBP\", \"stock\": 0}"));

      assertThat(c.title).isEqualTo("Lantern");
      assertThat(c.price).isEqualTo(24.5);
      assertThat(c.currency).isEqualTo("GBP");
      assertThat(c.stock).isZero();
    }

    @Test
    void rejectsNegativeStock() {
      assertThatThrownBy(
              () ->
                  EventParser.parseCatalogItem(
                      utf8("{\"item_id\": \"a\", \"event_time\": 1, \"stock\": -3}")))
          .isInstanceOf(InvalidRecordException.class)
          .hasMessageContaining("stock");
    }

    @Test
    void rejectsNegativePrice() {
      assertThatThrownBy(
              () ->
                  EventParser.parseCatalogItem(
                      utf8("{\"item_id\": \"a\", \"event_time\": 1, \"price\": -0.01}")))
          .isInstanceOf(InvalidRecordException.class)
          .hasMessageContaining("price must be >= 0");
    }

    @Test
    void rejectsMissingItemId() {
      assertThatThrownBy(() -> EventParser.parseCatalogItem(utf8("{\"event_time\": 1}")))
          .isInstanceOf(InvalidRecordException.class)
          .hasMessageContaining("item_id is missing");
    }
  }

  @Nested
  class ConsentChanges {
    @Test
    void parsesOptInWithChannelsInOrder() throws InvalidRecordException {
      ConsentChange c =
          EventParser.parseConsentChange(
              utf8(
                  "{\"event_id\": \"c-1\", \"user_id\": \"u-1\", \"event_time\": 5,"
                      + " \"change\": \"opt_in\", \"channels\": [\"sms\", \"push\"]}"));

      assertThat(c.change).isEqualTo(ConsentChange.OPT_IN);
      assertThat(c.channels).containsExactly("sms", "push");
      assertThat(c.eventTime).isEqualTo(5);
    }

    @Test
    void erasureIgnoresChannels() throws InvalidRecordException {
      ConsentChange c =
          EventParser.parseConsentChange(
              utf8(
                  "{\"event_id\": \"c-1\", \"user_id\": \"u-1\", \"event_time\": 5,"
                      + " \"change\": \"erasure\", \"channels\": \"whatever\"}"));

      assertThat(c.change).isEqualTo(ConsentChange.ERASURE);
      assertThat(c.channels).isEmpty();
    }

    @Test
    void rejectsUnknownChange() {
      assertThatThrownBy(
              () ->
                  EventParser.parseConsentChange(
                      utf8(
                          "{\"event_id\": \"c-1\", \"user_id\": \"u-1\", \"event_time\": 5,"
                              + " \"change\": \"unsubscribe\", \"channels\": [\"email\"]}")))
          .isInstanceOf(InvalidRecordException.class)
          .hasMessageContaining("change 'unsubscribe'");
    }

    @Test
    void rejectsOptOutWithoutChannels() {
      assertThatThrownBy(
              () ->
                  EventParser.parseConsentChange(
                      utf8(
                          "{\"event_id\": \"c-1\", \"user_id\": \"u-1\", \"event_time\": 5,"
                              + " \"change\": \"opt_out\"}")))
          .isInstanceOf(InvalidRecordException.class)
          .hasMessageContaining("opt_out needs a non-empty channels array");
    }

    @Test
    void rejectsUnknownChannel() {
      assertThatThrownBy(
              () ->
                  EventParser.parseConsentChange(
                      utf8(
                          "{\"event_id\": \"c-1\", \"user_id\": \"u-1\", \"event_time\": 5,"
                              + " \"change\": \"opt_in\", \"channels\": [\"email\", \"fax\"]}")))
          .isInstanceOf(InvalidRecordException.class)
          .hasMessageContaining("\"fax\"");
    }

    @Test
    void rejectsDuplicateChannel() {
      assertThatThrownBy(
              () ->
                  EventParser.parseConsentChange(
                      utf8(
                          "{\"event_id\": \"c-1\", \"user_id\": \"u-1\", \"event_time\": 5,"
                              + " \"change\": \"opt_out\", \"channels\": [\"sms\", \"sms\"]}")))
          .isInstanceOf(InvalidRecordException.class)
          .hasMessageContaining("'sms' is listed twice");
    }
  }
}
