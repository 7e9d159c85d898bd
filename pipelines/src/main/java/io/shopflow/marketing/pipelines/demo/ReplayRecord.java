package io.shopflow.marketing.pipelines.demo;

/** One record to publish during a replay: topic kind, key, JSON value, event time. */
public record ReplayRecord(Kind kind, String key, String json, long eventTime) {
  public enum Kind {
    EVENT,
    CATALOG,
    CONSENT,
    REVIEW
  }
}
