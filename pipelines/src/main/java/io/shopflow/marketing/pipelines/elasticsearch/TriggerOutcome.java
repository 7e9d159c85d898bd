package io.shopflow.marketing.pipelines.elasticsearch;

import io.shopflow.marketing.schema.Action;
import io.shopflow.marketing.schema.SuppressedAction;

/** One trigger decision: an action sent or stopped by a guardrail. */
public class TriggerOutcome {
  public static final String SENT = "sent";

  public String actionType;

  /** {@link #SENT} or the guardrail's reason (consent, frequency_cap, duplicate). */
  public String outcome;

  public boolean deferred;
  public boolean withRecommendations;

  /** The action's inference step used its fallback (see {@link Action#inferenceFallback}). */
  public boolean fallback;

  public TriggerOutcome() {}

  public static TriggerOutcome sent(Action a) {
    TriggerOutcome o = new TriggerOutcome();
    o.actionType = a.actionType;
    o.outcome = SENT;
    o.deferred = a.sendAt > a.triggerEventTime;
    o.withRecommendations = a.recommendedItems != null && a.recommendedItems.length > 0;
    o.fallback = a.inferenceFallback;
    return o;
  }

  public static TriggerOutcome suppressed(SuppressedAction s) {
    TriggerOutcome o = new TriggerOutcome();
    o.actionType = s.action.actionType;
    o.outcome = s.reason;
    return o;
  }
}
