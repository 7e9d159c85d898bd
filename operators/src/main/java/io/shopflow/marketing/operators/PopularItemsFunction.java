package io.shopflow.marketing.operators;

import io.shopflow.marketing.schema.ItemStats;
import io.shopflow.marketing.schema.PopularItems;
import io.shopflow.marketing.udfs.recs.PopularTracker;
import io.shopflow.marketing.udfs.recs.RecParams;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Runs with parallelism 1: folds the item operator's reports into a {@link PopularTracker} and
 * emits a bounded {@link PopularItems} snapshot when one is due (every {@code snapshotEveryUpdates}
 * reports or {@code snapshotEveryMs} of event time). The snapshot is broadcast to the keyed-by-user
 * operator. Its input is one small record per purchase line, so a single instance keeps up; the
 * tracked reports ({@code trackedItems}, ~400 B each) are its only state.
 */
public class PopularItemsFunction extends ProcessFunction<ItemStats, PopularItems>
    implements CheckpointedFunction {
  private static final long serialVersionUID = 1L;

  private final RecParams params;
  private transient PopularTracker tracker;
  private transient ListState<ItemStats> checkpointed;

  public PopularItemsFunction(RecParams params) {
    this.params = params;
  }

  @Override
  public void open(OpenContext openContext) {
    if (tracker == null) {
      tracker = new PopularTracker(params);
    }
  }

  @Override
  public void processElement(ItemStats s, Context ctx, Collector<PopularItems> out) {
    tracker.update(s);
    if (tracker.due()) {
      out.collect(tracker.snapshot());
    }
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    checkpointed.update(new java.util.ArrayList<>(collect()));
  }

  private java.util.List<ItemStats> collect() {
    java.util.List<ItemStats> all = new java.util.ArrayList<>(tracker.size());
    tracker.tracked().forEach(all::add);
    return all;
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    checkpointed =
        context
            .getOperatorStateStore()
            .getUnionListState(new ListStateDescriptor<>("popular-items", ItemStats.class));
    tracker = new PopularTracker(params);
    if (context.isRestored()) {
      for (ItemStats s : checkpointed.get()) {
        tracker.update(s);
      }
    }
  }
}
