package io.shopflow.marketing.schema;

/** An action a guardrail stopped, with the guardrail's reason; counted, never sent. */
public class SuppressedAction {
  public static final String CONSENT = "consent";
  public static final String FREQUENCY_CAP = "frequency_cap";
  public static final String DUPLICATE = "duplicate";

  public Action action;

  /** {@link #CONSENT}, {@link #FREQUENCY_CAP} or {@link #DUPLICATE}. */
  public String reason;

  public SuppressedAction() {}

  public SuppressedAction(Action action, String reason) {
    this.action = action;
    this.reason = reason;
  }
}
