package io.shopflow.marketing.pipelines.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.message.BasicHeader;
import org.elasticsearch.client.RestClient;
import org.elasticsearch.client.RestClientBuilder;

/** Builds the official Java client from {@link ElasticsearchSettings}. */
public final class ElasticsearchClients {
  private ElasticsearchClients() {}

  public static ElasticsearchClient create(ElasticsearchSettings s) throws IOException {
    return new ElasticsearchClient(
        new RestClientTransport(restClient(s).build(), new JacksonJsonpMapper()));
  }

  static RestClientBuilder restClient(ElasticsearchSettings s) throws IOException {
    List<HttpHost> hosts = new ArrayList<>();
    for (String u : s.url.split(",")) {
      URI uri = URI.create(u.trim());
      int port = uri.getPort() > 0 ? uri.getPort() : 9200;
      hosts.add(new HttpHost(uri.getHost(), port, uri.getScheme()));
    }
    RestClientBuilder b = RestClient.builder(hosts.toArray(new HttpHost[0]));
    Header auth = authHeader(s);
    if (auth != null) {
      b.setDefaultHeaders(new Header[] {auth});
    }
    if (s.caCertPath != null) {
      SSLContext ssl = sslContext(Path.of(s.caCertPath));
      b.setHttpClientConfigCallback(h -> h.setSSLContext(ssl));
    }
    b.setRequestConfigCallback(r -> r.setConnectTimeout(2_000).setSocketTimeout(60_000));
    return b;
  }

  /** {@code Authorization: ApiKey ...} or {@code Basic ...}; null without credentials. */
  static Header authHeader(ElasticsearchSettings s) {
    if (s.apiKey != null) {
      return new BasicHeader("Authorization", "ApiKey " + s.apiKey);
    }
    if (s.username != null) {
      String token =
          Base64.getEncoder()
              .encodeToString((s.username + ":" + s.password).getBytes(StandardCharsets.UTF_8));
      return new BasicHeader("Authorization", "Basic " + token);
    }
    return null;
  }

  /** Trusts exactly the certificates in a PEM file (the cluster's CA). */
  static SSLContext sslContext(Path caPem) throws IOException {
    try (InputStream in = Files.newInputStream(caPem)) {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        ks.setCertificateEntry("ca-" + i++, c);
      }
      if (i == 0) {
        throw new IOException("no certificate in " + caPem);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read the CA certificate " + caPem + ": " + e.getMessage(), e);
    }
  }
}
