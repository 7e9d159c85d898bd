package io.shopflow.marketing.udfs.recs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.shopflow.marketing.udfs.recs.Purchases.Purchase;
import java.io.StringReader;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The cleaning rules on a small inline CSV. */
class PurchasesTest {
  private static final String CSV =
      """
      InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
      536365,85123A,"WHITE HANGING, HEART ""T-LIGHT"" HOLDER",6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom
      536365,85123A,SAME LINE AGAIN,2,2010-12-01 08:26:00,2.55,17850.0,United Kingdom
      536365,71053,NO CUSTOMER,6,2010-12-01 08:26:00,3.39,,United Kingdom
      C536379,D,Discount,-1,2010-12-01 09:41:00,27.5,14527.0,United Kingdom
      C536380,22423,CANCELLED WITH POSITIVE QUANTITY,1,2010-12-01 09:42:00,12.75,14527.0,United Kingdom
      536381,22423,"REGENCY CAKESTAND, 3 TIER",0,2010-12-01 09:45:00,12.75,14527.0,United Kingdom
      536382,22424,FREE SAMPLE,1,2010-12-01 09:50:00,0.0,14527.0,United Kingdom
      536383,22424,"ENAMEL BREAD BIN, CREAM",-2,2010-12-01 09:55:00,12.75,14527.0,United Kingdom
      536384,71053,WHITE METAL LANTERN,1,2011-06-01 10:00:00,3.39,14527.0,France
      536384,85123A,"WHITE HANGING, HEART",3,2011-06-01 10:00:00,2.55,14527.0,France
      """;

  @Test
  void keepsOnlyCleanFirstLinesInFileOrder() throws Exception {
    Purchases.Loaded loaded = Purchases.parse(new StringReader(CSV), 0);

    assertThat(loaded.rowsRead()).isEqualTo(10);
    assertThat(loaded.purchases())
        .containsExactly(
            new Purchase(
                "uci-17850",
                "85123A",
                "536365",
                Instant.parse("2010-12-01T08:26:00Z").toEpochMilli(),
                "holder"),
            // Europe/London: summer time, one hour ahead of UTC
            new Purchase(
                "uci-14527",
                "71053",
                "536384",
                Instant.parse("2011-06-01T09:00:00Z").toEpochMilli(),
                "lantern"),
            new Purchase(
                "uci-14527",
                "85123A",
                "536384",
                Instant.parse("2011-06-01T09:00:00Z").toEpochMilli(),
                "heart"));
  }

  @Test
  void maxRowsCountsRawRows() throws Exception {
    Purchases.Loaded loaded = Purchases.parse(new StringReader(CSV), 3);

    assertThat(loaded.rowsRead()).isEqualTo(3);
    assertThat(loaded.purchases()).extracting(Purchase::item).containsExactly("85123A");
  }

  @Test
  void customerIdsBecomeIntegers() {
    assertThat(Purchases.customerId("17850.0")).isEqualTo("17850");
    assertThat(Purchases.customerId("12346")).isEqualTo("12346");
  }

  @Test
  void aQuotedDescriptionMaySpanLines() throws Exception {
    String csv =
        """
        InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
        536365,85123A,"TWO-LINE
        LANTERN",6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom

        536366,71053,NEXT,1,2010-12-01 08:28:00,3.39,17850.0,United Kingdom
        """;

    Purchases.Loaded loaded = Purchases.parse(new StringReader(csv), 0);

    assertThat(loaded.rowsRead()).as("the empty line is no row").isEqualTo(2);
    assertThat(loaded.purchases())
        .extracting(Purchase::item, Purchase::category)
        .containsExactly(tuple("85123A", "lantern"), tuple("71053", "next"));
  }

  @Test
  void refusesAnotherHeader() {
    assertThatThrownBy(() -> Purchases.parse(new StringReader("a,b\n1,2\n"), 0))
        .isInstanceOf(java.io.IOException.class)
        .hasMessageContaining("not UCI Online Retail");
  }
}
