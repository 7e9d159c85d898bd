package io.shopflow.marketing.operators;

/** How {@link ReviewSentimentFunction} calls the inference sidecar's {@code sentiment} model. */
public class SentimentSettings extends SidecarCallSettings {
  private static final long serialVersionUID = 1L;

  public SentimentSettings() {
    super(2_000);
  }
}
