package io.shopflow.marketing.sidecars.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.shopflow.marketing.sidecars.Docs;
import io.shopflow.marketing.sidecars.ranker.RankerNet;
import io.shopflow.marketing.sidecars.ranker.RankerTrainer;
import io.shopflow.marketing.udfs.inference.InferenceClient;
import io.shopflow.marketing.udfs.inference.RankerFeatures;
import io.shopflow.marketing.udfs.recs.Purchases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** NDCG@20 and Recall@20 of the hybrid's candidates re-ranked by the ranker. */
@Command(
    name = "evaluate-ranker",
    mixinStandardHelpOptions = true,
    description = {
      "Evaluates the ranker on the temporal split of evaluate-recs: the hybrid recommender's top"
          + " candidates at --split, re-ranked by the ranker, against the hybrid order alone"
          + " (Recall@20, NDCG@20; all and novel items). Trains the ranker first when missing."
          + " Rewrites the ranker section of the evaluation document."
    })
public class EvaluateRankerCommand implements Callable<Integer> {
  public static final String SECTION =
      "## Ranker: re-ranking the hybrid's candidates (UCI Online Retail)";

  @Mixin SidecarCli.Common common = new SidecarCli.Common();

  @Option(
      names = "--data",
      paramLabel = "FILE",
      defaultValue = "../shared/data/uci-online-retail/online_retail.csv.gz",
      description = "UCI Online Retail gzip CSV (or its folder). Default: ${DEFAULT-VALUE}.")
  Path data;

  @Option(
      names = "--train-cutoffs",
      split = ",",
      defaultValue = "2011-07-01,2011-08-01,2011-09-01",
      description =
          "As for train-ranker (used only when the ranker is missing). Default: ${DEFAULT-VALUE}.")
  List<LocalDate> trainCutoffs;

  @Option(
      names = "--split",
      defaultValue = "2011-10-01",
      description = "Default: ${DEFAULT-VALUE}.")
  LocalDate split;

  @Option(
      names = "--url",
      paramLabel = "URL",
      description =
          "Score through a running sidecar (or any OIP v2 server with the ranker) instead of"
              + " in-process DJL.")
  String url;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON.")
  Path json;

  @Option(
      names = "--doc",
      defaultValue = "docs/evaluation.md",
      description = "Default: ${DEFAULT-VALUE}.")
  Path doc;

  @Option(names = "--no-doc", description = "Do not touch the markdown file.")
  boolean noDoc;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    common.configure();
    long t0 = System.nanoTime();
    var events = Purchases.load(TrainRankerCommand.uci(data), 0).purchases();
    RankerTrainer trainer = new RankerTrainer(RankerTrainer.Settings.defaults(), System.out);
    boolean trained = !Files.isRegularFile(RankerTrainer.file(common.models));
    if (trained) {
      trainer.train(
          events,
          TrainRankerCommand.millis(trainCutoffs),
          TrainRankerCommand.millis(split),
          common.models);
    }
    RankerTrainer.Evaluation ev;
    try (RankerNet net = RankerTrainer.load(common.models)) {
      Function<float[], float[]> scorer;
      if (url != null) {
        InferenceClient client = new InferenceClient(url, Duration.ofSeconds(30));
        scorer =
            x -> {
              int n = x.length / RankerFeatures.SIZE;
              float[][] rows = new float[n][];
              for (int i = 0; i < n; i++) {
                rows[i] =
                    java.util.Arrays.copyOfRange(
                        x, i * RankerFeatures.SIZE, (i + 1) * RankerFeatures.SIZE);
              }
              return client.rank(rows).join();
            };
      } else {
        scorer = x -> net.predict(x, x.length / RankerFeatures.SIZE);
      }
      ev = trainer.evaluate(events, TrainRankerCommand.millis(split), scorer);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    String table = table(ev);
    System.out.println();
    System.out.print(table);
    System.out.println("counts: " + ev.counts());
    System.out.printf(Locale.ROOT, "total %.1f s%n", seconds);
    if (json != null) {
      Map<String, Object> root = new LinkedHashMap<>();
      root.put("metrics", ev.metrics());
      root.put("counts", ev.counts());
      if (json.toAbsolutePath().getParent() != null) {
        Files.createDirectories(json.toAbsolutePath().getParent());
      }
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), root);
      System.out.println("wrote " + json);
    }
    if (!noDoc) {
      JsonNode meta =
          new ObjectMapper()
              .readTree(RankerTrainer.dir(common.models).resolve("model.json").toFile());
      io.shopflow.marketing.udfs.MarkdownSections.replace(
          doc, SECTION, section(ev, meta, table, seconds, trained), "# Evaluation");
      System.out.println("updated " + doc);
    }
    return 0;
  }

  static String table(RankerTrainer.Evaluation ev) {
    StringBuilder sb =
        new StringBuilder("| metric | hybrid order | re-ranked by the ranker | difference |\n");
    sb.append("|---|---:|---:|---:|\n");
    ev.metrics()
        .forEach(
            (metric, v) -> {
              double h = v.get("hybrid");
              double r = v.get("reranked");
              sb.append(
                  String.format(
                      Locale.ROOT,
                      "| %s | %s%.4f%s | %s%.4f%s | %+.4f |%n",
                      metric,
                      h > r ? "**" : "",
                      h,
                      h > r ? "**" : "",
                      r > h ? "**" : "",
                      r,
                      r > h ? "**" : "",
                      r - h));
            });
    return sb.toString();
  }

  private static String cutoffs(JsonNode meta) {
    List<String> days = new java.util.ArrayList<>();
    for (JsonNode m : meta.path("train_cutoffs_millis")) {
      days.add(
          java.time.Instant.ofEpochMilli(m.asLong())
              .atZone(Purchases.ZONE)
              .toLocalDate()
              .toString());
    }
    return String.join(", ", days);
  }

  private String section(
      RankerTrainer.Evaluation ev, JsonNode meta, String table, double seconds, boolean trained) {
    StringBuilder sb = new StringBuilder(SECTION).append("\n\n");
    sb.append(Docs.provenance(SidecarCli.commandLine(spec))).append('\n');
    sb.append(table).append('\n');
    sb.append(
        String.format(
            Locale.ROOT,
            "Bold: the better of the row. Counts: %s. Run time %.0f s (%s).%n%n",
            ev.counts(),
            seconds,
            trained
                ? "training included"
                : "evaluation only: the ranker in " + common.models + " was trained before"));
    sb.append("- Protocol: the temporal split of the recommendations section (train on purchases")
        .append(" before ")
        .append(split)
        .append(", relevant = distinct items a user buys after it; `_all` ranks with owned")
        .append(" items, `_novel` without them against the items new to the user). The hybrid")
        .append(" recommender's top ")
        .append(ev.counts().get("candidates"))
        .append(" candidates per user are re-ranked by the ranker's score; the hybrid column is")
        .append(" the first 20 of the same list in the hybrid's own order (the `model` column of")
        .append(" the recommendations section). Re-ranking cannot reach items outside the")
        .append(" candidates.\n");
    sb.append("- Ranker: an MLP (")
        .append(RankerFeatures.SIZE)
        .append("-64-32-1, ReLU, standardised inputs) trained with DJL's PyTorch engine on")
        .append(" binary cross-entropy (")
        .append(meta.path("rows").asLong())
        .append(" rows, ")
        .append(meta.path("positives").asLong())
        .append(" positive). Training rows: at each cut-off (")
        .append(cutoffs(meta))
        .append(") the state then (purchases before it) and, for every user buying before the")
        .append(" next cut-off (")
        .append(split)
        .append(" after the last), the union of the hybrid's top candidates with and without")
        .append(" owned items, label = bought in that month. Nothing from the test period is")
        .append(" read. Features")
        .append(" (`RankerFeatures`): ")
        .append(String.join(", ", RankerFeatures.NAMES))
        .append(".\n");
    sb.append("- Fixed settings (")
        .append(meta.path("epochs").asInt())
        .append(" epochs, Adam 1e-3, batch 256, seed ")
        .append(meta.path("seed").asLong())
        .append("), not tuned on the test")
        .append(" period. One deterministic run, no confidence intervals.\n");
    return sb.toString();
  }
}
