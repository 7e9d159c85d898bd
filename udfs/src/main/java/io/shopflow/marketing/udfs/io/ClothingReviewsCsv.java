package io.shopflow.marketing.udfs.io;

import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.util.List;

/**
 * The rows of the Women's E-Commerce Clothing Reviews CSV (see ../shared/data), as the sentiment
 * trainer and the demo's replay both read them: the header is checked, rows with fewer than six
 * fields or a rating that is not a number are skipped, and the title and text come stripped with
 * their line breaks as LF (the file has CRLF and LF inside them), so a text reads the same
 * whichever was used. Which rows to keep beyond that is the caller's.
 */
public final class ClothingReviewsCsv implements Closeable {
  /** The file's name inside the data set folder {@code womens-ecommerce-clothing-reviews}. */
  public static final String FILE = "womens_clothing_ecommerce_reviews.csv";

  /** One review: the file's first column, the title, the text and the stars. */
  public record Row(String id, String title, String text, int rating) {}

  private final CsvReader csv;

  /** Reads the header; refuses input that is not this file. */
  public ClothingReviewsCsv(Reader in) throws IOException {
    csv = new CsvReader(in);
    List<String> header = csv.next();
    if (header == null || header.size() < 6 || !"Review Text".equals(header.get(4))) {
      csv.close();
      throw new IOException("not the clothing reviews CSV (header: " + header + ")");
    }
  }

  /** The next row with six fields and a numeric rating, or null at the end. */
  public Row next() throws IOException {
    List<String> f;
    while ((f = csv.next()) != null) {
      if (f.size() < 6) {
        continue;
      }
      int rating;
      try {
        rating = Integer.parseInt(f.get(5).strip());
      } catch (NumberFormatException e) {
        continue;
      }
      return new Row(
          f.get(0),
          CsvReader.unixLineBreaks(f.get(3)).strip(),
          CsvReader.unixLineBreaks(f.get(4)).strip(),
          rating);
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    csv.close();
  }
}
