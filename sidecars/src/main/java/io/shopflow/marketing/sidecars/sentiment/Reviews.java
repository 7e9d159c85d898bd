package io.shopflow.marketing.sidecars.sentiment;

import io.shopflow.marketing.udfs.io.CsvReader;
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
  public static final String FILE = "womens_clothing_ecommerce_reviews.csv";

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
   * Parses the CSV (header first); quoted fields may span lines. Line breaks in the title and text
   * (the file has CRLF and LF there) become LF, so that a text reads the same whichever was used.
   */
  public static List<Review> parse(Reader in) throws IOException {
    CsvReader r = new CsvReader(in);
    List<Review> out = new ArrayList<>();
    List<String> header = r.next();
    if (header == null || header.size() < 6 || !"Review Text".equals(header.get(4))) {
      throw new IOException("not the clothing reviews CSV (header: " + header + ")");
    }
    List<String> f;
    while ((f = r.next()) != null) {
      if (f.size() < 6) {
        continue;
      }
      int index;
      int rating;
      try {
        index = Integer.parseInt(f.get(0).strip());
        rating = Integer.parseInt(f.get(5).strip());
      } catch (NumberFormatException e) {
        continue;
      }
      String text =
          (CsvReader.unixLineBreaks(f.get(3)).strip()
                  + " "
                  + CsvReader.unixLineBreaks(f.get(4)).strip())
              .strip();
      if (text.isEmpty() || rating < 1 || rating > 5) {
        continue;
      }
      out.add(new Review(index, text, rating));
    }
    return out;
  }
}
