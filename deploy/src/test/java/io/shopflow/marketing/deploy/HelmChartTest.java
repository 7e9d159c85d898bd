package io.shopflow.marketing.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.shopflow.marketing.pipelines.cli.ClusterEntryPoint;
import io.shopflow.marketing.pipelines.cli.ConfigFile;
import io.shopflow.marketing.pipelines.cli.MarketingJobCli;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Renders the chart with {@code helm template} (the binary helm/ci-check.sh installs, or one on the
 * PATH) and checks the manifests: the FlinkDeployment against the Flink Kubernetes Operator's CRD
 * schema (its openAPIV3Schema from the operator's API jar, with unknown fields refused the way the
 * API server would drop them), the pod templates, and the job's options against {@code run}.
 */
class HelmChartTest {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final String CRD = "META-INF/fabric8/flinkdeployments.flink.apache.org-v1.yml";

  /** Options of the sidecar and Elasticsearch sink, which `run` gains with those features. */
  static final Set<String> OPTIONS_OF_PENDING_FEATURES = Set.of("es-url", "es-ca-cert");

  static Path chart;
  static String helm;
  static JsonSchema flinkDeploymentSchema;

  @BeforeAll
  static void findHelmAndSchema() throws Exception {
    chart = Path.of(System.getProperty("helm.chart", "../helm/marketing-engine"));
    helm = findHelm();
    if (helm == null) {
      String why = "helm not installed: run helm/ci-check.sh (it installs helm into helm/.tools)";
      if (System.getenv("CI") != null) {
        throw new AssertionError(why);
      }
      Assumptions.abort(why);
    }
    flinkDeploymentSchema = crdSchema();
  }

  @Test
  void defaultValuesRenderAFlinkDeploymentValidAgainstTheOperatorCrd() throws Exception {
    JsonNode fd = only(render(), "FlinkDeployment");

    assertValid(fd);
    assertThat(fd.path("apiVersion").asText()).isEqualTo("flink.apache.org/v1beta1");
    JsonNode job = fd.path("spec").path("job");
    assertThat(job.path("upgradeMode").asText()).isEqualTo("savepoint");
    assertThat(job.path("jarURI").asText())
        .isEqualTo("local:///opt/flink/usrlib/marketing-job-cluster.jar");
    assertThat(job.path("entryClass").asText()).isEqualTo(ClusterEntryPoint.class.getName());
    assertThat(texts(job.path("args")))
        .startsWith("run", "--config", "/opt/marketing/config/marketing.properties");
    JsonNode conf = fd.path("spec").path("flinkConfiguration");
    assertThat(conf.path("state.backend.type").asText()).isEqualTo("rocksdb");
    assertThat(conf.path("execution.checkpointing.dir").asText()).startsWith("s3://");
    assertThat(conf.path("execution.checkpointing.savepoint-dir").asText()).startsWith("s3://");
  }

  @Test
  void theSchemaRefusesAMisspelledFieldOrAWrongType() throws Exception {
    JsonNode fd = only(render(), "FlinkDeployment");
    ObjectNode typo = fd.deepCopy();
    ObjectNode job = (ObjectNode) typo.path("spec").path("job");
    job.set("upgradeMod", job.remove("upgradeMode"));
    ObjectNode wrongType = fd.deepCopy();
    ((ObjectNode) wrongType.path("spec").path("job")).put("parallelism", "four");

    assertThat(flinkDeploymentSchema.validate(typo)).isNotEmpty();
    assertThat(flinkDeploymentSchema.validate(wrongType)).isNotEmpty();
  }

  @Test
  void taskManagerPodsCarryTheInferenceSidecarWithReadinessProbesAndNoGpuByDefault()
      throws Exception {
    JsonNode fd = only(render(), "FlinkDeployment");
    List<JsonNode> containers = containers(fd.path("spec").path("taskManager").path("podTemplate"));

    assertThat(containers)
        .extracting(c -> c.path("name").asText())
        .containsExactly("flink-main-container", "inference-sidecar");
    JsonNode sidecar = containers.get(1);
    assertThat(sidecar.path("readinessProbe").path("httpGet").path("path").asText())
        .isEqualTo("/v2/health/ready");
    assertThat(sidecar.path("livenessProbe").path("httpGet").path("path").asText())
        .isEqualTo("/v2/health/ready");
    assertThat(sidecar.path("resources").path("requests").has("nvidia.com/gpu")).isFalse();
    assertThat(containers(fd.path("spec").path("podTemplate")))
        .extracting(c -> c.path("name").asText())
        .containsExactly("flink-main-container");
  }

  @Test
  void theStateChangelogIsOffByDefaultAndWhenOnConfiguresStorageAndClaimedRestores()
      throws Exception {
    JsonNode off = only(render(), "FlinkDeployment").path("spec").path("flinkConfiguration");
    assertThat(off.has("state.changelog.enabled")).isFalse();
    assertThat(off.has("execution.state-recovery.claim-mode")).isFalse();

    JsonNode fd =
        only(
            render(
                "--set", "checkpoints.changelog.enabled=true",
                "--set", "checkpoints.changelog.dir=s3://bucket/changelog"),
            "FlinkDeployment");
    assertValid(fd);
    JsonNode conf = fd.path("spec").path("flinkConfiguration");
    assertThat(conf.path("state.changelog.enabled").asText()).isEqualTo("true");
    assertThat(conf.path("state.changelog.storage").asText()).isEqualTo("filesystem");
    assertThat(conf.path("dstl.dfs.base-path").asText()).isEqualTo("s3://bucket/changelog");
    assertThat(conf.path("execution.state-recovery.claim-mode").asText()).isEqualTo("CLAIM");
  }

  @Test
  void givesEveryRocksDbInstanceOfATaskManagerAFlushThread() throws Exception {
    JsonNode byDefault = only(render(), "FlinkDeployment").path("spec").path("flinkConfiguration");
    assertThat(byDefault.path("taskmanager.numberOfTaskSlots").asText()).isEqualTo("2");
    assertThat(byDefault.path("marketing.rocksdb.flush-threads").asText()).isEqualTo("4");

    JsonNode fourSlots =
        only(render("--set", "taskManager.slots=4"), "FlinkDeployment")
            .path("spec")
            .path("flinkConfiguration");
    assertThat(fourSlots.path("marketing.rocksdb.flush-threads").asText()).isEqualTo("8");
  }

  @Test
  void gpuValuesRequestAGpuForTheSidecarOnGpuNodesAndInsistOnIt() throws Exception {
    JsonNode fd =
        only(render("-f", chart.resolve("values-gpu.yaml").toString()), "FlinkDeployment");

    assertValid(fd);
    JsonNode pod = fd.path("spec").path("taskManager").path("podTemplate");
    JsonNode sidecar = containers(pod).get(1);
    assertThat(sidecar.path("resources").path("requests").path("nvidia.com/gpu").asText())
        .isEqualTo("1");
    assertThat(sidecar.path("resources").path("limits").path("nvidia.com/gpu").asText())
        .isEqualTo("1");
    assertThat(pod.path("spec").path("tolerations").get(0).path("key").asText())
        .isEqualTo("nvidia.com/gpu");
    Map<String, String> env = new java.util.HashMap<>();
    sidecar.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
    assertThat(env)
        .containsEntry("SIDECAR_DEVICE", "gpu")
        .containsEntry("PYTORCH_VERSION", "2.7.1")
        .containsEntry("PYTORCH_FLAVOR", "cu128")
        .containsKey("PYTORCH_LIBRARY_PATH");
  }

  @Test
  void secretsArriveAsReferencesAndOptionalResourcesRenderValid() throws Exception {
    List<JsonNode> docs =
        render(
            "--set", "kafka.existingSecret=kafka-client",
            "--set", "elasticsearch.existingSecret=es-credentials",
            "--set", "elasticsearch.url=https://es.logging:9200",
            "--set", "elasticsearch.caSecret=es-ca",
            "--set", "pseudonymisation.existingSecret=pseudonymisation",
            "--set", "strimzi.topics.enabled=true",
            "--set", "strimzi.cluster=main",
            "--set", "kibana.dashboards.enabled=true",
            "--set", "kibana.url=http://kibana.logging:5601",
            "--set", "kibana.dashboards.configMap=marketing-dashboards");
    JsonNode fd = only(docs, "FlinkDeployment");

    assertValid(fd);
    JsonNode main = containers(fd.path("spec").path("podTemplate")).get(0);
    assertThat(main.path("env").findValues("secretKeyRef"))
        .extracting(r -> r.path("name").asText())
        .containsExactly("es-credentials", "es-credentials", "es-credentials", "pseudonymisation");
    List<String> envNames = new ArrayList<>();
    main.path("env").forEach(e -> envNames.add(e.path("name").asText()));
    assertThat(envNames)
        .as("the variables the Elasticsearch options read by default")
        .containsExactly(
            "MKT_ES_USERNAME", "MKT_ES_PASSWORD", "MKT_ES_API_KEY", "MKT_PSEUDONYM_KEY");
    assertThat(texts(fd.path("spec").path("job").path("args")))
        .containsSequence("--kafka-properties-file", "/opt/marketing/kafka/kafka.properties");
    assertThat(
            fd.path("spec")
                .path("podTemplate")
                .path("spec")
                .path("volumes")
                .findValues("secretName"))
        .extracting(JsonNode::asText)
        .containsExactly("kafka-client", "es-ca");
    assertThat(docs.toString()).as("no secret value in any manifest").doesNotContain("password=");

    List<JsonNode> topics = all(docs, "KafkaTopic");
    assertThat(topics)
        .extracting(t -> t.path("spec").path("topicName").asText())
        .containsExactlyInAnyOrder(
            "shop.events",
            "shop.catalog",
            "shop.consent",
            "shop.reviews",
            "marketing.actions",
            "marketing.sessions",
            "marketing.dlq",
            "marketing.item-factor-updates");
    for (JsonNode t : topics) {
      assertThat(t.path("apiVersion").asText()).isEqualTo("kafka.strimzi.io/v1beta2");
      assertThat(t.path("metadata").path("labels").path("strimzi.io/cluster").asText())
          .isEqualTo("main");
    }
    JsonNode importJob = only(docs, "Job");
    assertThat(importJob.path("metadata").path("annotations").path("helm.sh/hook").asText())
        .contains("post-install");
    for (JsonNode d : docs) {
      assertThat(d.path("metadata").path("name").asText())
          .as("a Kubernetes name (DNS-1123)")
          .matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    }
  }

  @Test
  void theConfigMapHoldsOptionsThatRunAccepts(@TempDir Path tmp) throws Exception {
    String properties =
        only(
                render(
                    "--set",
                    "elasticsearch.url=https://es:9200",
                    "--set",
                    "elasticsearch.caSecret=es-ca"),
                "ConfigMap")
            .path("data")
            .path("marketing.properties")
            .asText();
    Properties p = new Properties();
    p.load(new StringReader(properties));
    Set<String> runOptions = new TreeSet<>();
    for (OptionSpec o :
        new CommandLine(new MarketingJobCli())
            .getSubcommands()
            .get("run")
            .getCommandSpec()
            .options()) {
      runOptions.add(o.longestName().substring(2));
    }
    Set<String> unknown = new TreeSet<>(p.stringPropertyNames());
    unknown.removeAll(runOptions);
    assertThat(unknown)
        .as("keys that are no option of run")
        .isSubsetOf(OPTIONS_OF_PENDING_FEATURES);

    // Without those, the file goes through the real --config path of `run` unchanged.
    String without =
        only(render("--set", "sidecar.enabled=false"), "ConfigMap")
            .path("data")
            .path("marketing.properties")
            .asText();
    Path file = tmp.resolve("marketing.properties");
    Files.writeString(file, without);
    String[] args = {"run", "--config", file.toString()};
    CommandLine cl = ConfigFile.install(new CommandLine(new MarketingJobCli()), args);
    CommandLine.ParseResult parsed = cl.parseArgs(args).subcommand();
    assertThat((String) parsed.commandSpec().findOption("--bootstrap-servers").getValue())
        .isEqualTo("kafka-kafka-bootstrap.kafka:9093");
    assertThat((Integer) parsed.commandSpec().findOption("--parallelism").getValue()).isEqualTo(4);
  }

  // ---- helpers

  static String findHelm() {
    Path tools = chart.toAbsolutePath().getParent().resolve(".tools/helm");
    if (Files.isExecutable(tools)) {
      return tools.toString();
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path h = Path.of(dir, "helm");
      if (Files.isExecutable(h)) {
        return h.toString();
      }
    }
    return null;
  }

  static List<JsonNode> render(String... extra) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(helm, "template", "mkt", chart.toString()));
    cmd.addAll(List.of(extra));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("helm template failed:\n" + out).isZero();
    List<JsonNode> docs = new ArrayList<>();
    try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(out)) {
      while (it.hasNext()) {
        JsonNode d = it.next();
        if (d != null && !d.isMissingNode() && !d.isNull() && d.size() > 0) {
          docs.add(d);
        }
      }
    }
    return docs;
  }

  static List<JsonNode> all(List<JsonNode> docs, String kind) {
    return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
  }

  static JsonNode only(List<JsonNode> docs, String kind) {
    List<JsonNode> found = all(docs, kind);
    assertThat(found).as("one " + kind).hasSize(1);
    return found.get(0);
  }

  static List<JsonNode> containers(JsonNode podTemplate) {
    List<JsonNode> list = new ArrayList<>();
    podTemplate.path("spec").path("containers").forEach(list::add);
    return list;
  }

  static List<String> texts(JsonNode array) {
    List<String> list = new ArrayList<>();
    array.forEach(n -> list.add(n.asText()));
    return list;
  }

  static void assertValid(JsonNode flinkDeployment) {
    Set<ValidationMessage> errors = flinkDeploymentSchema.validate(flinkDeployment);
    assertThat(errors).as("FlinkDeployment against the operator's CRD schema").isEmpty();
  }

  /**
   * The v1beta1 openAPIV3Schema of the operator's FlinkDeployment CRD. Two adjustments, both stated
   * here: objects with declared properties refuse other fields (the API server would prune them
   * silently, so a typo would be lost), and spec.flinkVersion accepts any vMAJOR_MINOR (the CRD on
   * Maven Central is operator 1.10's, whose enum ends at v1_20; operators 1.11 and newer add the
   * v2_x values that Flink 2 needs).
   */
  static JsonSchema crdSchema() throws IOException {
    JsonNode crd;
    try (InputStream in = HelmChartTest.class.getClassLoader().getResourceAsStream(CRD)) {
      assertThat(in).as(CRD + " on the test classpath").isNotNull();
      crd = YAML.readTree(in);
    }
    JsonNode schema = null;
    for (JsonNode v : crd.path("spec").path("versions")) {
      if ("v1beta1".equals(v.path("name").asText())) {
        schema = v.path("schema").path("openAPIV3Schema").deepCopy();
      }
    }
    assertThat(schema).as("v1beta1 schema in the CRD").isNotNull();
    ObjectNode flinkVersion =
        (ObjectNode) schema.path("properties").path("spec").path("properties").path("flinkVersion");
    assertThat(flinkVersion.has("enum")).isTrue();
    flinkVersion.remove("enum");
    flinkVersion.put("pattern", "^v[0-9]+_[0-9]+$");
    // What every object has and the API server checks itself.
    ObjectNode root = (ObjectNode) schema.path("properties");
    root.putObject("apiVersion").put("type", "string");
    root.putObject("kind").put("type", "string");
    root.putObject("metadata").put("type", "object");
    closeObjects(schema);
    return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(schema);
  }

  static void closeObjects(JsonNode node) {
    if (node instanceof ObjectNode o) {
      if (o.has("properties")
          && !o.has("additionalProperties")
          && !o.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
        o.put("additionalProperties", false);
      }
      for (Iterator<JsonNode> it = o.elements(); it.hasNext(); ) {
        closeObjects(it.next());
      }
    } else if (node instanceof ArrayNode a) {
      a.forEach(HelmChartTest::closeObjects);
    }
  }
}
