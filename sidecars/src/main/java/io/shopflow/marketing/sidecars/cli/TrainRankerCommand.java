package io.shopflow.marketing.sidecars.cli;

import io.shopflow.marketing.sidecars.ranker.RankerTrainer;
import io.shopflow.marketing.udfs.recs.Purchases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Trains the ranker on UCI Online Retail before the evaluation split. */
@Command(
    name = "train-ranker",
    mixinStandardHelpOptions = true,
    description = {
      "Trains the ranker (an MLP over RankerFeatures) on UCI Online Retail: at each of"
          + " --train-cutoffs, features from the purchases before it and labels = items bought"
          + " until the next (--split after the last); nothing from --split on is read. Writes"
          + " <models>/ranker. Seeded."
    })
public class TrainRankerCommand implements Callable<Integer> {
  @Mixin SidecarCli.Common common = new SidecarCli.Common();

  @Option(
      names = "--data",
      paramLabel = "FILE",
      defaultValue = "../shared/data/uci-online-retail/online_retail.csv.gz",
      description = "UCI Online Retail gzip CSV (or its folder). Default: ${DEFAULT-VALUE}.")
  Path data;

  @Option(
      names = "--train-cutoffs",
      paramLabel = "DATE",
      split = ",",
      defaultValue = "2011-07-01,2011-08-01,2011-09-01",
      description =
          "Training cut-offs: at each, features from the purchases before it and labels until the"
              + " next one (--split after the last). Default: ${DEFAULT-VALUE}.")
  List<LocalDate> trainCutoffs;

  @Option(
      names = "--split",
      paramLabel = "DATE",
      defaultValue = "2011-10-01",
      description = "End of the label period (the evaluation split). Default: ${DEFAULT-VALUE}.")
  LocalDate split;

  static Path uci(Path data) {
    if (Files.isDirectory(data.resolve("uci-online-retail"))) {
      data = data.resolve("uci-online-retail");
    }
    return Files.isDirectory(data) ? data.resolve("online_retail.csv.gz") : data;
  }

  static long millis(LocalDate d) {
    return d.atStartOfDay(Purchases.ZONE).toInstant().toEpochMilli();
  }

  static List<Long> millis(List<LocalDate> days) {
    return days.stream().sorted().map(TrainRankerCommand::millis).toList();
  }

  @Override
  public Integer call() throws Exception {
    common.configure();
    long t0 = System.nanoTime();
    var events = Purchases.load(uci(data), 0).purchases();
    new RankerTrainer(RankerTrainer.Settings.defaults(), System.out)
        .train(events, millis(trainCutoffs), millis(split), common.models);
    System.out.printf("done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    return 0;
  }
}
