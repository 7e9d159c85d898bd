package io.shopflow.marketing.schema;

/** Marketing channels an action can go out on. */
public final class Channel {
  public static final String EMAIL = "email";
  public static final String PUSH = "push";
  public static final String SMS = "sms";

  public static final java.util.List<String> ALL = java.util.List.of(EMAIL, PUSH, SMS);

  private Channel() {}
}
