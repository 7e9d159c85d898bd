package io.shopflow.marketing.pipelines.elasticsearch;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyed hash of user ids: HMAC-SHA256 with a secret from the configuration, the first 128 bits in
 * hex. The same user always gets the same pseudonym (documents can be joined and overwritten), and
 * without the key a pseudonym cannot be computed from a known id.
 */
public final class Pseudonyms implements Serializable {
  private static final long serialVersionUID = 1L;

  private final byte[] key;
  private transient Mac mac;

  public Pseudonyms(String secret) {
    if (secret == null || secret.isEmpty()) {
      throw new IllegalArgumentException("the pseudonym key is empty");
    }
    this.key = secret.getBytes(StandardCharsets.UTF_8);
  }

  /** 32 hex characters. */
  public String of(String userId) {
    try {
      if (mac == null) {
        mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
      }
      byte[] h = mac.doFinal(userId.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h, 0, 16);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JRE", e);
    }
  }
}
