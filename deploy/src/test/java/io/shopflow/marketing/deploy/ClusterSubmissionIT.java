package io.shopflow.marketing.deploy;

import static io.shopflow.marketing.pipelines.ShopTopics.behaviour;
import static io.shopflow.marketing.pipelines.ShopTopics.items;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.shopflow.marketing.pipelines.JobSettings;
import io.shopflow.marketing.pipelines.ShopTopics;
import io.shopflow.marketing.pipelines.demo.OutputReader;
import io.shopflow.marketing.pipelines.kafka.EmbeddedKafkaBroker;
import io.shopflow.marketing.schema.Action;
import io.shopflow.marketing.schema.ActionType;
import io.shopflow.marketing.udfs.ActionIds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cluster jar on a real standalone Flink session cluster (JobManager and TaskManager as their
 * own processes, Flink's jars only on their classpath) against a real Kafka broker: submitted
 * through the REST API with its options from a {@code --config} file, stopped with a savepoint, and
 * the next build, whose profile state class has gained a field, submitted from that savepoint.
 * Pending cart timers and profiles must survive the upgrade, and every action must arrive exactly
 * once across it.
 */
class ClusterSubmissionIT {
  static final String ENTRY_CLASS = "io.shopflow.marketing.pipelines.cli.ClusterEntryPoint";

  /** Tuesday noon UTC: outside quiet hours. */
  static final Instant T0 = Instant.parse("2026-03-03T12:00:00Z");

  static final int USERS = 10;
  static final String GROUP = "cluster-it";

  static Path work;
  static EmbeddedKafkaBroker kafka;
  static StandaloneFlinkCluster flink;
  static FlinkRest rest;
  static ShopTopics shop;

  @BeforeAll
  static void startKafkaAndFlink() throws Exception {
    work = Path.of(System.getProperty("cluster.work", "target/cluster-it"));
    deleteRecursively(work);
    Files.createDirectories(work);
    kafka = EmbeddedKafkaBroker.startInTempDir();
    // The job's default topics (the config file below names none) and its group.
    JobSettings topics = new JobSettings();
    topics.bootstrapServers = kafka.bootstrapServers();
    topics.groupId = GROUP;
    shop = new ShopTopics(kafka, topics);
    shop.createTopics();
    String classpath = Files.readString(Path.of(System.getProperty("flink.dist.classpath"))).trim();
    flink = StandaloneFlinkCluster.start(work.resolve("flink"), classpath, Duration.ofSeconds(90));
    rest = new FlinkRest(flink.restUrl());
  }

  @AfterAll
  static void stopEverything() {
    if (shop != null) {
      shop.close();
    }
    if (flink != null) {
      flink.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void
      submittedJobStopsWithASavepointAndABuildWithANewProfileFieldResumesFromItLosingAndRepeatingNoAction()
          throws Exception {
    Path jar = Path.of(System.getProperty("cluster.jar"));
    assertThat(jar).as("built by `mvn package` in pipelines").exists();
    Path savepoints = work.resolve("savepoints");
    Path config = work.resolve("marketing.properties");
    Files.write(
        config,
        List.of(
            "# What a ConfigMap would hold; the command line below adds the rest.",
            "bootstrap-servers=" + kafka.bootstrapServers(),
            "group-id=" + GROUP,
            "transactional-id-prefix=" + GROUP,
            "checkpoint-dir=" + work.resolve("checkpoints").toUri(),
            "savepoint-dir=" + savepoints.toUri(),
            "transaction-timeout=5m",
            "idleness=500ms"));
    List<String> args =
        List.of("run", "--config", config.toString(), "--checkpoint-interval", "1s");

    String jarId = rest.uploadJar(jar);
    String first = rest.run(jarId, ENTRY_CLASS, args, null);
    try {
      rest.awaitRunning(first, Duration.ofSeconds(90));
      // Ten users cart one item each, a minute apart: reminders due at +30 .. +39 min. A buyer
      // places a first order.
      for (int i = 0; i < USERS; i++) {
        String u = "user-" + i;
        event(
            u, behaviour("e-" + i, "cart_add", u, T0.plusSeconds(60L * i), items("sku-" + i), ""));
      }
      event(
          "buyer",
          behaviour("b-1", "purchase", "buyer", T0, items("sku-b1"), ",\"order_id\":\"o-1\""));
      awaitCaughtUp(first);
      // Event time reaches +35 min: the first five reminders fire.
      event("clock", behaviour("clock-1", "view", "clock", minutes(35), items("x"), ""));
      awaitCaughtUp(first);
      try (OutputReader out = reader()) {
        out.awaitThenDrain(
            r -> cartReminders(r).size() >= 5, Duration.ofSeconds(2), Duration.ofSeconds(60));
        assertThat(cartReminders(out)).hasSize(5);
      }
      // Checkpoints every second: both keyed operators pre-flush RocksDB before each one, which
      // needs RocksDB's handle from Flink's backend, loaded by the cluster, not the job jar.
      for (String keyedBy : List.of("(keyed by item)", "(keyed by user)")) {
        assertThat(awaitMetric(first, keyedBy, "rocksdbPreFlushes", Duration.ofSeconds(60)))
            .as("RocksDB pre-flushes of the operator %s", keyedBy)
            .isPositive();
      }
    } catch (Exception | AssertionError e) {
      throw new AssertionError(e.getMessage() + "\n" + flink.logs(), e);
    }

    String savepoint =
        rest.stopWithSavepoint(first, savepoints.toUri().toString(), Duration.ofSeconds(120));
    assertThat(rest.awaitJobState(first, "FINISHED", Duration.ofSeconds(30))).isEqualTo("FINISHED");
    assertThat(Path.of(java.net.URI.create(savepoint)).resolve("_metadata")).exists();

    // While the job is down: the buyer's second order, and event time moves on two hours.
    event(
        "buyer",
        behaviour(
            "b-2", "purchase", "buyer", minutes(40), items("sku-b2"), ",\"order_id\":\"o-2\""));
    event("clock", behaviour("clock-2", "view", "clock", minutes(120), items("x"), ""));

    // The next release adds a field to the profile state class; it restores the same savepoint.
    Path evolved =
        EvolvedJar.withNewProfileField(
            jar, Path.of(System.getProperty("state.schema.sources")), work);
    assertThat(EvolvedJar.profileFields(evolved)).contains("lifetimeDiscount", "orders");
    String second = rest.run(rest.uploadJar(evolved), ENTRY_CLASS, args, savepoint);
    try {
      rest.awaitRunning(second, Duration.ofSeconds(90));
      JsonNode restored =
          rest.get("/jobs/" + second + "/checkpoints").path("latest").path("restored");
      assertThat(restored.path("external_path").asText())
          .as("the second job started from the savepoint")
          .isEqualTo(savepoint);
      awaitCaughtUp(second);
      // 61 days later: the buyer, with two orders only if the first survived in the profile,
      // lapses.
      event(
          "clock",
          behaviour("clock-3", "view", "clock", minutes(40 + 61 * 24 * 60), items("x"), ""));
      awaitCaughtUp(second);

      try (OutputReader out = reader()) {
        out.awaitThenDrain(
            r -> cartReminders(r).size() >= USERS && !ofType(r, ActionType.WIN_BACK).isEmpty(),
            Duration.ofSeconds(3),
            Duration.ofSeconds(90));
        List<String> expected =
            IntStream.range(0, USERS)
                .mapToObj(
                    i ->
                        ActionIds.of(
                            "user-" + i,
                            ActionType.CART_ABANDONMENT,
                            minutes(30 + i).toEpochMilli(),
                            new String[] {"sku-" + i}))
                .toList();
        assertThat(cartReminders(out))
            .extracting(a -> a.actionId)
            .as("every reminder once: five before the savepoint, five from restored timers")
            .containsExactlyInAnyOrderElementsOf(expected);
        List<Action> winBack = ofType(out, ActionType.WIN_BACK);
        assertThat(winBack).extracting(a -> a.userId).containsExactly("buyer");
        assertThat(winBack.get(0).explanation)
            .as("the profile kept the order from before the savepoint")
            .contains("2 orders");
        assertThat(out.actions)
            .extracting(a -> a.actionId)
            .as("no action repeated across the stop and the restore")
            .doesNotHaveDuplicates();
      }
      assertThat(Files.readString(flink.workDir.resolve("log/taskmanager.log")))
          .as("RocksDB migrated the user values to the profile class with the new field")
          .contains("Performing state migration for state ValueStateDescriptor{name=user-scalars,");
    } catch (Exception | AssertionError e) {
      throw new AssertionError(e.getMessage() + "\n" + flink.logs(), e);
    } finally {
      if ("RUNNING".equals(rest.jobState(second))) {
        rest.cancel(second);
      }
    }
  }

  static List<Action> cartReminders(OutputReader r) {
    return ofType(r, ActionType.CART_ABANDONMENT);
  }

  static List<Action> ofType(OutputReader r, String type) {
    List<Action> found = new ArrayList<>();
    for (Action a : r.actions) {
      if (type.equals(a.actionType)) {
        found.add(a);
      }
    }
    return found;
  }

  static Instant minutes(long m) {
    return T0.plus(Duration.ofMinutes(m));
  }

  static OutputReader reader() {
    return new OutputReader(
        kafka.bootstrapServers(),
        new Properties(),
        "marketing.actions",
        "marketing.sessions",
        "marketing.dlq");
  }

  static void event(String user, String json) {
    shop.event(user, json);
  }

  /** The metric's sum once it is above 0 (REST refreshes metrics every few seconds), else 0. */
  static long awaitMetric(String jobId, String vertexName, String metric, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    long value;
    do {
      value = rest.metricSum(jobId, vertexName, metric);
      if (value > 0) {
        return value;
      }
      Thread.sleep(500);
    } while (System.nanoTime() < deadline);
    return Math.max(0, value);
  }

  /** Waits until the job has checkpointed past everything written so far. */
  static void awaitCaughtUp(String jobId) throws Exception {
    shop.awaitCaughtUp(
        () -> {
          try {
            return "RUNNING".equals(rest.jobState(jobId));
          } catch (Exception e) {
            return false;
          }
        });
  }

  static void deleteRecursively(Path dir) throws Exception {
    if (Files.exists(dir)) {
      try (var paths = Files.walk(dir)) {
        for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }
}
