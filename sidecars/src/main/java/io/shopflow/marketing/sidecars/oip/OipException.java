package io.shopflow.marketing.sidecars.oip;

/** A request the server refuses, with the HTTP status to answer and a message for the caller. */
public class OipException extends RuntimeException {
  private final int status;

  public OipException(int status, String message) {
    super(message);
    this.status = status;
  }

  public int status() {
    return status;
  }

  public static OipException badRequest(String message) {
    return new OipException(400, message);
  }
}
