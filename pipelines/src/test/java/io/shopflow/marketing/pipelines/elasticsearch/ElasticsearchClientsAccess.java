package io.shopflow.marketing.pipelines.elasticsearch;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.http.Header;

/** Test access to what the client factory derives from the settings. */
public final class ElasticsearchClientsAccess {
  private ElasticsearchClientsAccess() {}

  /** The Authorization header value, or null. */
  public static String authorization(ElasticsearchSettings s) {
    Header h = ElasticsearchClients.authHeader(s);
    return h == null ? null : h.getValue();
  }

  /** Builds the SSL context from the CA file; throws when it holds no usable certificate. */
  public static boolean trustsCertificateFile(ElasticsearchSettings s) throws IOException {
    return ElasticsearchClients.sslContext(Path.of(s.caCertPath)) != null;
  }
}
