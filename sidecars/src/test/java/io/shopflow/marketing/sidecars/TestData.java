package io.shopflow.marketing.sidecars;

import java.nio.file.Path;

/** Where the real data sets are (surefire passes {@code shared.data}). */
public final class TestData {
  private TestData() {}

  public static Path dir() {
    return Path.of(System.getProperty("shared.data", "../../shared/data"));
  }
}
