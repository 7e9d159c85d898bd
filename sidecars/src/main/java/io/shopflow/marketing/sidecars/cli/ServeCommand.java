package io.shopflow.marketing.sidecars.cli;

import ai.djl.engine.Engine;
import io.shopflow.marketing.sidecars.Djl;
import io.shopflow.marketing.sidecars.oip.InferenceModel;
import io.shopflow.marketing.sidecars.oip.OipServer;
import io.shopflow.marketing.sidecars.oip.RankerEndpoint;
import io.shopflow.marketing.sidecars.oip.SentimentEndpoint;
import io.shopflow.marketing.sidecars.ranker.RankerTrainer;
import io.shopflow.marketing.sidecars.sentiment.SentimentModel;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Serves the trained models until stopped. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serves the models found under --models over the Open Inference Protocol v2 REST API:",
      "GET /v2/health/live, /v2/health/ready, /v2/models/{name}, POST /v2/models/{name}/infer,"
          + " GET /metrics (Prometheus)."
    })
public class ServeCommand implements Callable<Integer> {
  @Mixin SidecarCli.Common common = new SidecarCli.Common();

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Address to bind (0.0.0.0 in a Kubernetes pod). Default: ${DEFAULT-VALUE}.")
  String host;

  @Option(names = "--port", defaultValue = "8080", description = "Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(
      names = "--model",
      paramLabel = "NAME",
      description = "Serve only these models (ranker, sentiment); default: every trained one.")
  List<String> only;

  @Option(
      names = "--http-threads",
      defaultValue = "4",
      description = "Threads parsing requests. Default: ${DEFAULT-VALUE}.")
  int httpThreads;

  @Option(
      names = "--queue",
      defaultValue = "64",
      description = "Requests waiting per model before 503. Default: ${DEFAULT-VALUE}.")
  int queue;

  @Option(
      names = "--max-batch-rows",
      defaultValue = "4096",
      description =
          "Rows per model call when requests are batched together. Default: ${DEFAULT-VALUE}.")
  int maxBatchRows;

  @Option(
      names = "--max-delay-us",
      defaultValue = "0",
      description =
          "How long the worker waits for more requests to join a batch. Default: ${DEFAULT-VALUE}.")
  long maxDelayMicros;

  @Override
  public Integer call() throws Exception {
    common.configure();
    List<InferenceModel> models = new ArrayList<>();
    if ((only == null || only.contains("ranker"))
        && Files.isRegularFile(RankerTrainer.file(common.models))) {
      models.add(new RankerEndpoint(RankerTrainer.load(common.models)));
    }
    if ((only == null || only.contains("sentiment")) && SentimentModel.exists(common.models)) {
      models.add(new SentimentEndpoint(SentimentModel.load(common.models)));
    }
    if (models.isEmpty()) {
      System.err.println(
          "no trained model under "
              + common.models
              + ": run train-ranker and/or train-sentiment first");
      return 1;
    }
    OipServer.Options o =
        new OipServer.Options(
            host, port, httpThreads, queue, maxBatchRows, maxDelayMicros, 16384, 64L << 20, 30_000);
    OipServer server = new OipServer(o, models);
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stop.countDown();
                }));
    System.out.println(
        "serving "
            + models.stream().map(InferenceModel::name).toList()
            + " on http://"
            + host
            + ":"
            + server.port()
            + " (Open Inference Protocol v2; PyTorch "
            + Engine.getEngine("PyTorch").getVersion()
            + " on "
            + Djl.device()
            + ")");
    stop.await();
    return 0;
  }
}
