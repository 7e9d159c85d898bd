package io.shopflow.marketing.pipelines.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shopflow.marketing.pipelines.JobSettings;
import io.shopflow.marketing.pipelines.elasticsearch.ElasticsearchClientsAccess;
import io.shopflow.marketing.pipelines.elasticsearch.ElasticsearchSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The Elasticsearch options of {@code run}: plain, API key, basic auth, CA certificate. */
class ElasticsearchOptionsTest {
  static final String KEY = "a-secret-of-at-least-16-chars";

  static JobSettings parse(String... esArgs) throws Exception {
    RunCommand run = new RunCommand();
    List<String> args = new ArrayList<>(List.of("--bootstrap-servers", "kafka-0:9092"));
    args.addAll(List.of(esArgs));
    new CommandLine(run).parseArgs(args.toArray(new String[0]));
    return run.settings();
  }

  @Test
  void withoutAnUrlTheJobHasNoElasticsearchSink() throws Exception {
    assertThat(parse().elasticsearch).isNull();
  }

  @Test
  void plainHttpForALocalNodeWithBulkSizing() throws Exception {
    ElasticsearchSettings s =
        parse(
                "--es-url", "http://127.0.0.1:9200",
                "--pseudonym-key", KEY,
                "--es-bulk-actions", "500",
                "--es-bulk-bytes", "1048576",
                "--es-flush-interval", "2s",
                "--es-max-buffered", "20000",
                "--es-metrics-bucket", "15m")
            .elasticsearch;
    assertThat(s.url).isEqualTo("http://127.0.0.1:9200");
    assertThat(s.maxBatchActions).isEqualTo(500);
    assertThat(s.maxBatchBytes).isEqualTo(1_048_576);
    assertThat(s.flushInterval).isEqualTo(Duration.ofSeconds(2));
    assertThat(s.maxBufferedDocuments).isEqualTo(20_000);
    assertThat(s.metricsBucket).isEqualTo(Duration.ofMinutes(15));
    assertThat(ElasticsearchClientsAccess.authorization(s)).isNull();
  }

  @Test
  void httpsWithAnApiKeyAndTheClusterCaCertificate(@TempDir Path tmp) throws Exception {
    Path ca = selfSignedCaPem(tmp);
    ElasticsearchSettings s =
        parse(
                "--es-url",
                "https://es-0:9200,https://es-1:9200",
                "--es-api-key",
                "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==",
                "--es-ca-cert",
                ca.toString(),
                "--pseudonym-key",
                KEY)
            .elasticsearch;
    assertThat(s.caCertPath).isEqualTo(ca.toString());
    assertThat(ElasticsearchClientsAccess.authorization(s))
        .isEqualTo("ApiKey VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==");
    assertThat(ElasticsearchClientsAccess.trustsCertificateFile(s)).isTrue();
    assertThat(s.toString()).doesNotContain("VnVh").doesNotContain(KEY);
  }

  @Test
  void httpsWithBasicAuthentication() throws Exception {
    ElasticsearchSettings s =
        parse(
                "--es-url", "https://es.internal:443",
                "--es-username", "marketing_writer",
                "--es-password", "pa:ss",
                "--pseudonym-key", KEY)
            .elasticsearch;
    assertThat(ElasticsearchClientsAccess.authorization(s))
        .isEqualTo(
            "Basic "
                + Base64.getEncoder()
                    .encodeToString("marketing_writer:pa:ss".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void refusesSettingsThatCannotWork(@TempDir Path tmp) throws Exception {
    assertThatThrownBy(() -> parse("--es-url", "http://127.0.0.1:9200", "--pseudonym-key", ""))
        .hasMessageContaining("pseudonym key");
    assertThatThrownBy(() -> parse("--es-url", "es-0:9200", "--pseudonym-key", KEY))
        .hasMessageContaining("http:// or https://");
    assertThatThrownBy(
            () ->
                parse(
                    "--es-url", "https://es-0:9200",
                    "--es-api-key", "k",
                    "--es-username", "u",
                    "--es-password", "p",
                    "--pseudonym-key", KEY))
        .hasMessageContaining("either an API key or a user name");
    assertThatThrownBy(
            () ->
                parse(
                    "--es-url", "https://es-0:9200", "--es-username", "u", "--pseudonym-key", KEY))
        .hasMessageContaining("needs a password");
    Path notPem = tmp.resolve("ca.pem");
    java.nio.file.Files.writeString(notPem, "not a certificate");
    ElasticsearchSettings s =
        parse(
                "--es-url",
                "https://es-0:9200",
                "--es-ca-cert",
                notPem.toString(),
                "--pseudonym-key",
                KEY)
            .elasticsearch;
    assertThatThrownBy(() -> ElasticsearchClientsAccess.trustsCertificateFile(s))
        .hasMessageContaining("certificate");
  }

  /** A CA certificate in PEM, made with the JDK's keytool. */
  static Path selfSignedCaPem(Path dir) throws Exception {
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Path ks = dir.resolve("ca.p12");
    Path pem = dir.resolve("ca.pem");
    run(
        keytool,
        "-genkeypair",
        "-alias",
        "ca",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        "CN=test-ca",
        "-ext",
        "bc:c",
        "-validity",
        "2",
        "-storetype",
        "PKCS12",
        "-keystore",
        ks.toString(),
        "-storepass",
        "changeit");
    run(
        keytool,
        "-exportcert",
        "-rfc",
        "-alias",
        "ca",
        "-keystore",
        ks.toString(),
        "-storepass",
        "changeit",
        "-file",
        pem.toString());
    return pem;
  }

  static void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }
}
