package io.shopflow.marketing.sidecars.cli;

import io.shopflow.marketing.sidecars.sentiment.Reviews;
import io.shopflow.marketing.sidecars.sentiment.SentimentTrainer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Trains the sentiment model from the reviews data set. */
@Command(
    name = "train-sentiment",
    mixinStandardHelpOptions = true,
    description = {
      "Trains the sentiment model (binary and 3-class heads over MiniLM embeddings and word 1-2-gram"
          + " TF-IDF) on the training rows of Women's E-Commerce Clothing Reviews (row index not"
          + " divisible by 5) and writes it to <models>/sentiment. Seeded: the same data give the"
          + " same model."
    })
public class TrainSentimentCommand implements Callable<Integer> {
  @Mixin SidecarCli.Common common = new SidecarCli.Common();

  @Option(
      names = "--data",
      paramLabel = "DIR",
      defaultValue = "../shared/data/womens-ecommerce-clothing-reviews",
      description = "The reviews folder (or its CSV). Default: ${DEFAULT-VALUE}.")
  Path data;

  @Option(names = "--seed", defaultValue = "42", description = "Default: ${DEFAULT-VALUE}.")
  long seed;

  @Override
  public Integer call() throws Exception {
    common.configure();
    long t0 = System.nanoTime();
    SentimentTrainer.Settings d = SentimentTrainer.Settings.defaults();
    SentimentTrainer t =
        new SentimentTrainer(
            new SentimentTrainer.Settings(
                seed,
                d.maxTokens(),
                d.minDf(),
                d.maxEpochs(),
                d.batch(),
                d.lr(),
                d.hiddenGrid(),
                d.weightDecayGrid(),
                d.baselineCGrid()),
            System.out);
    SentimentTrainer.Prepared p = t.prepare(Reviews.load(data), common.models.resolve("cache"));
    t.train(p, common.models);
    System.out.printf("done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    return 0;
  }
}
