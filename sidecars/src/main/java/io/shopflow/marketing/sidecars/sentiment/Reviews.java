package io.shopflow.marketing.sidecars.sentiment;

import io.shopflow.marketing.udfs.io.ClothingReviewsCsv;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Women's E-Commerce Clothing Reviews: text = Title + " " + Review Text (rows with neither are
 * dropped), rating 1..5, and the fixed split: test = rows whose index (first column) is divisible
 * by 5.
 */
public final class Reviews {
  public static final String FILE = ClothingReviewsCsv.FILE;

  /** One usable review. */
  public record Review(int index, String text, int rating) {
    public boolean test() {
      return index % 5 == 0;
    }

    /** 3-class label: 0 = negative (1-2 stars), 1 = neutral (3), 2 = positive (4-5). */
    public int threeClass() {
      return rating <= 2 ? 0 : rating == 3 ? 1 : 2;
    }

    /** Binary label (1 = positive, 4-5 stars); only defined when the rating is not 3. */
    public int binary() {
      return rating >= 4 ? 1 : 0;
    }
  }

  private Reviews() {}

  /** The CSV file inside {@code dir} (the data set folder) or {@code dir} itself. */
  public static Path file(Path dir) {
    if (Files.isDirectory(dir.resolve("womens-ecommerce-clothing-reviews"))) {
      dir = dir.resolve("womens-ecommerce-clothing-reviews");
    }
    return Files.isDirectory(dir) ? dir.resolve(FILE) : dir;
  }

  public static List<Review> load(Path dirOrFile) throws IOException {
    Path f = file(dirOrFile);
    if (!Files.exists(f)) {
      throw new NoSuchFileException(
          f + " (Women's E-Commerce Clothing Reviews, see ../shared/data)");
    }
    try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
      return parse(r);
    }
  }

  /**
   * Parses the CSV (header first; {@link ClothingReviewsCsv}): title and text joined, rows without
   * a numeric index, without text or with a rating outside 1-5 left out.
   */
  public static List<Review> parse(Reader in) throws IOException {
    List<Review> out = new ArrayList<>();
    ClothingReviewsCsv rows = new ClothingReviewsCsv(in);
    ClothingReviewsCsv.Row row;
    while ((row = rows.next()) != null) {
      int index;
      try {
        index = Integer.parseInt(row.id().strip());
      } catch (NumberFormatException e) {
        continue;
      }
      String text = (row.title() + " " + row.text()).strip();
      if (text.isEmpty() || row.rating() < 1 || row.rating() > 5) {
        continue;
      }
      out.add(new Review(index, text, row.rating()));
    }
    return out;
  }
}
