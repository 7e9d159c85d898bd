package io.shopflow.marketing.pipelines.elasticsearch;

import io.shopflow.marketing.schema.SuppressedAction;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/** Counts {@link TriggerOutcome}s per trigger type and tumbling event-time bucket. */
final class TriggerMetricsAggregate
    implements AggregateFunction<TriggerOutcome, TriggerMetrics, TriggerMetrics> {
  private static final long serialVersionUID = 1L;

  @Override
  public TriggerMetrics createAccumulator() {
    return new TriggerMetrics();
  }

  @Override
  public TriggerMetrics add(TriggerOutcome o, TriggerMetrics m) {
    m.actionType = o.actionType;
    switch (o.outcome) {
      case TriggerOutcome.SENT -> {
        m.fired++;
        if (o.deferred) {
          m.deferredQuietHours++;
        }
        if (o.withRecommendations) {
          m.withRecommendations++;
        }
        if (o.fallback) {
          m.fallbacks++;
        }
      }
      case SuppressedAction.CONSENT -> m.suppressedConsent++;
      case SuppressedAction.FREQUENCY_CAP -> m.suppressedFrequencyCap++;
      case SuppressedAction.DUPLICATE -> m.suppressedDuplicate++;
      default -> {}
    }
    return m;
  }

  @Override
  public TriggerMetrics getResult(TriggerMetrics m) {
    return m;
  }

  @Override
  public TriggerMetrics merge(TriggerMetrics a, TriggerMetrics b) {
    a.fired += b.fired;
    a.suppressedConsent += b.suppressedConsent;
    a.suppressedFrequencyCap += b.suppressedFrequencyCap;
    a.suppressedDuplicate += b.suppressedDuplicate;
    a.deferredQuietHours += b.deferredQuietHours;
    a.withRecommendations += b.withRecommendations;
    a.fallbacks += b.fallbacks;
    return a;
  }

  /** Stamps the bucket on the aggregate (a fresh copy: the window may fire again when late). */
  static final class Bucket
      extends ProcessWindowFunction<TriggerMetrics, TriggerMetrics, String, TimeWindow> {
    private static final long serialVersionUID = 1L;

    @Override
    public void process(
        String type, Context ctx, Iterable<TriggerMetrics> in, Collector<TriggerMetrics> out) {
      for (TriggerMetrics m : in) {
        TriggerMetrics copy = new TriggerMetrics();
        copy.actionType = type;
        copy.bucketStart = ctx.window().getStart();
        copy.bucketEnd = ctx.window().getEnd();
        merge(copy, m);
        out.collect(copy);
      }
    }

    private static void merge(TriggerMetrics a, TriggerMetrics b) {
      new TriggerMetricsAggregate().merge(a, b);
    }
  }
}
