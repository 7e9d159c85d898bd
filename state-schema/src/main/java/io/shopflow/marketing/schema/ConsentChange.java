package io.shopflow.marketing.schema;

/** A consent change from {@code shop.consent}: opt in or out per channel, or an erasure request. */
public class ConsentChange {
  public static final String OPT_IN = "opt_in";
  public static final String OPT_OUT = "opt_out";
  public static final String ERASURE = "erasure";

  public String eventId;
  public String userId;
  public long eventTime;

  /** {@link #OPT_IN}, {@link #OPT_OUT} or {@link #ERASURE}. */
  public String change;

  /** Channels the change applies to (see {@link Channel}); ignored for erasure. */
  public String[] channels = new String[0];

  public ConsentChange() {}
}
