package io.shopflow.marketing.pipelines.elasticsearch;

import io.shopflow.marketing.schema.UserSignal;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by item: folds each scored review into the item's aggregate (review count, mean rating,
 * reviews per sentiment class) and emits the updated aggregate, which replaces the item's {@code
 * mkt-item-sentiment} document. One small value per reviewed item; negative themes are not
 * extracted yet (empty).
 */
public class ItemSentimentFunction extends KeyedProcessFunction<String, UserSignal, ItemSentiment> {
  private static final long serialVersionUID = 1L;

  private transient ValueState<ItemSentiment> aggregate;

  @Override
  public void open(OpenContext openContext) {
    aggregate =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("item-sentiment", ItemSentiment.class));
  }

  @Override
  public void processElement(UserSignal r, Context ctx, Collector<ItemSentiment> out)
      throws Exception {
    ItemSentiment a = aggregate.value();
    if (a == null) {
      a = new ItemSentiment();
      a.itemId = r.itemId;
    }
    double sum = a.meanRating == null ? 0 : a.meanRating * a.reviewCount;
    a.reviewCount++;
    a.meanRating = (sum + r.rating) / a.reviewCount;
    switch (r.sentimentLabel == null ? "" : r.sentimentLabel) {
      case "negative" -> a.negative++;
      case "positive" -> a.positive++;
      default -> a.neutral++;
    }
    a.updatedAt = Math.max(a.updatedAt, r.eventTime);
    aggregate.update(a);
    out.collect(a);
  }
}
