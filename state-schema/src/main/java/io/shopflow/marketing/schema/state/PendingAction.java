package io.shopflow.marketing.schema.state;

import io.shopflow.marketing.schema.Action;

/**
 * An action waiting in state: deferred by quiet hours, or a trigger whose deadline has not come.
 */
public class PendingAction {
  public Action action;
  public long dueAt;

  public PendingAction() {}

  public PendingAction(Action action, long dueAt) {
    this.action = action;
    this.dueAt = dueAt;
  }
}
