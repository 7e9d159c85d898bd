package io.shopflow.marketing.operators.state;

import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateInitializationContext;

/**
 * Whether every key with state in the backend carries the write-behind cache's presence marker (see
 * {@link WriteBehindStates#trackPresence}), carried from checkpoint to checkpoint in operator
 * state. Only then may a key without a marker be taken as new. A job started without state has
 * complete markers; one restored from a snapshot of a build or setting that did not write them (the
 * cache off, an earlier version) has not, for good: its functions read every state as before.
 */
final class PresenceLineage {
  private static final ListStateDescriptor<Boolean> DESCRIPTOR =
      new ListStateDescriptor<>("write-behind-presence-markers-complete", Types.BOOLEAN);

  private ListState<Boolean> state;
  private boolean complete;

  void initialize(StateInitializationContext ctx) throws Exception {
    // Union: after rescaling every subtask sees every subtask's word, and all must agree.
    state = ctx.getOperatorStateStore().getUnionListState(DESCRIPTOR);
    if (!ctx.isRestored()) {
      complete = true;
      return;
    }
    boolean any = false;
    boolean all = true;
    for (Boolean b : state.get()) {
      any = true;
      all &= Boolean.TRUE.equals(b);
    }
    complete = any && all;
  }

  boolean complete() {
    return complete;
  }

  /** Records whether every key with state now has a marker. */
  void snapshot(boolean markersComplete) throws Exception {
    complete = markersComplete;
    state.update(List.of(markersComplete));
  }
}
