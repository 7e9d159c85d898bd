package io.shopflow.marketing.udfs.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClothingReviewsCsvTest {
  private static final String HEADER =
      ",Clothing ID,Age,Title,Review Text,Rating,Recommended IND,Positive Feedback Count\r\n";

  private static List<ClothingReviewsCsv.Row> rows(String csv) throws IOException {
    List<ClothingReviewsCsv.Row> out = new ArrayList<>();
    try (ClothingReviewsCsv r = new ClothingReviewsCsv(new StringReader(csv))) {
      ClothingReviewsCsv.Row row;
      while ((row = r.next()) != null) {
        out.add(row);
      }
    }
    return out;
  }

  @Test
  void givesTitleAndTextStrippedWithLfLineBreaks() throws Exception {
    List<ClothingReviewsCsv.Row> r =
        rows(HEADER + "7,1077,60,\" Lovely \r\n\",\"Soft.\r\nFits well.\rReally. \",5,1,0\r\n");

    assertThat(r)
        .containsExactly(
            new ClothingReviewsCsv.Row("7", "Lovely", "Soft.\nFits well.\nReally.", 5));
  }

  @Test
  void skipsRowsWithoutSixFieldsOrANumericRating() throws Exception {
    List<ClothingReviewsCsv.Row> r =
        rows(HEADER + "1,2,3\r\n2,1077,60,T,text,five,1,0\r\n3,1077,60,,ok, 4 ,1,0\r\n");

    assertThat(r).containsExactly(new ClothingReviewsCsv.Row("3", "", "ok", 4));
  }

  @Test
  void refusesAnotherFile() {
    assertThatThrownBy(() -> rows("InvoiceNo,StockCode,Description,Quantity,InvoiceDate\r\n"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not the clothing reviews CSV");
  }
}
