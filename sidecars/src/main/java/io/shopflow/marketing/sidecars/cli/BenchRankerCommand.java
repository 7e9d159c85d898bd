package io.shopflow.marketing.sidecars.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.util.cuda.CudaUtils;
import io.shopflow.marketing.sidecars.Djl;
import io.shopflow.marketing.sidecars.Docs;
import io.shopflow.marketing.sidecars.oip.OipServer;
import io.shopflow.marketing.sidecars.oip.RankerEndpoint;
import io.shopflow.marketing.sidecars.ranker.RankerNet;
import io.shopflow.marketing.sidecars.ranker.RankerTrainer;
import io.shopflow.marketing.udfs.inference.InferenceClient;
import io.shopflow.marketing.udfs.inference.RankerFeatures;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Ranker rows per second through the sidecar next to in-process DJL on the same model. */
@Command(
    name = "bench-ranker",
    mixinStandardHelpOptions = true,
    description = {
      "Load driver: ranker rows/s at several batch sizes, in-process DJL (the baseline) and"
          + " through the sidecar's OIP v2 REST API with the Java client (an in-process server on"
          + " an ephemeral port, or --url), with 1 and --concurrency clients. Rewrites the sidecar"
          + " section of the benchmarks document."
    })
public class BenchRankerCommand implements Callable<Integer> {
  public static final String SECTION = "## Inference sidecar (ranker over OIP v2)";

  @Mixin SidecarCli.Common common = new SidecarCli.Common();

  @Option(
      names = "--batch",
      split = ",",
      defaultValue = "1,64,256,1024",
      description = "Rows per request. Default: ${DEFAULT-VALUE}.")
  int[] batches;

  @Option(
      names = "--seconds",
      defaultValue = "3",
      description = "Per measurement. Default: ${DEFAULT-VALUE}.")
  double seconds;

  @Option(
      names = "--concurrency",
      defaultValue = "4",
      description = "Concurrent clients of the second sidecar column. Default: ${DEFAULT-VALUE}.")
  int concurrency;

  @Option(names = "--url", description = "Measure this server instead of an in-process one.")
  String url;

  @Option(
      names = "--doc",
      defaultValue = "docs/benchmarks.md",
      description = "Default: ${DEFAULT-VALUE}.")
  Path doc;

  @Option(names = "--no-doc", description = "Do not touch the markdown file.")
  boolean noDoc;

  @Spec CommandSpec spec;

  /**
   * One batch size's figures; {@code cpuInProcess} and {@code maxScoreDiff} are NaN unless the
   * model runs on a GPU, when the same model on the CPU is the baseline.
   */
  record Row(
      int batch,
      double inProcess,
      double sidecar1,
      double sidecarN,
      double p50Millis,
      double cpuInProcess,
      double maxScoreDiff) {}

  @Override
  public Integer call() throws Exception {
    common.configure();
    String loadBefore = loadAverage();
    List<Row> rows = new ArrayList<>();
    Device device = Djl.device();
    System.out.println(
        "ranker on "
            + device
            + " (PyTorch "
            + Engine.getEngine("PyTorch").getVersion()
            + (device.isGpu() ? ", CUDA " + CudaUtils.getCudaVersionString() : "")
            + ")");
    OipServer.Options serverOptions = OipServer.Options.defaults().withPort(0);
    try (RankerNet net = RankerTrainer.load(common.models, device);
        RankerNet onCpu = device.isGpu() ? RankerTrainer.load(common.models, Device.cpu()) : null;
        OipServer server =
            url == null
                ? new OipServer(
                    serverOptions,
                    // The sidecar serves from the device under test, as `serve --device` would.
                    List.of(new RankerEndpoint(RankerTrainer.load(common.models, device))))
                : null) {
      String base = url != null ? url : server.baseUrl();
      InferenceClient client = new InferenceClient(base, Duration.ofSeconds(30));
      Random r = new Random(7);
      for (int b : batches) {
        float[][] x = new float[b][RankerFeatures.SIZE];
        float[] flat = new float[b * RankerFeatures.SIZE];
        for (int i = 0; i < b; i++) {
          for (int k = 0; k < RankerFeatures.SIZE; k++) {
            x[i][k] = (float) (r.nextGaussian() + 1);
            flat[i * RankerFeatures.SIZE + k] = x[i][k];
          }
        }
        double inProc = rate(1, b, () -> net.predict(flat, b), null);
        double cpuInProc = Double.NaN;
        double maxDiff = Double.NaN;
        if (onCpu != null) {
          cpuInProc = rate(1, b, () -> onCpu.predict(flat, b), null);
          maxDiff = maxAbsDifference(net.predict(flat, b), onCpu.predict(flat, b));
        }
        List<Long> lat = new ArrayList<>();
        // The embedded sidecar refuses requests over its row limit (HTTP 413): such a batch is
        // measured in-process only.
        boolean overLimit = server != null && b > serverOptions.maxRequestRows();
        double one = overLimit ? Double.NaN : rate(1, b, () -> client.rank(x).join(), lat);
        double many =
            overLimit ? Double.NaN : rate(concurrency, b, () -> client.rank(x).join(), null);
        long[] l = lat.stream().mapToLong(Long::longValue).sorted().toArray();
        double p50 = l.length == 0 ? Double.NaN : l[l.length / 2] / 1e6;
        Row row = new Row(b, inProc, one, many, p50, cpuInProc, maxDiff);
        rows.add(row);
        if (onCpu != null) {
          System.out.printf(
              Locale.ROOT,
              "batch %5d: same model on the CPU %,12.0f rows/s (GPU %.2fx); max |score difference|"
                  + " %.2e%n",
              b,
              cpuInProc,
              inProc / cpuInProc,
              maxDiff);
        }
        if (overLimit) {
          System.out.printf(
              Locale.ROOT,
              "batch %5d: in-process %,12.0f rows/s | sidecar: over its limit of %d rows per"
                  + " request%n",
              b,
              inProc,
              serverOptions.maxRequestRows());
          continue;
        }
        System.out.printf(
            Locale.ROOT,
            "batch %5d: in-process %,12.0f rows/s | sidecar 1 client %,12.0f rows/s (%.2fx, p50"
                + " %.2f ms) | %d clients %,12.0f rows/s (%.2fx)%n",
            b,
            inProc,
            one,
            one / inProc,
            p50,
            concurrency,
            many,
            many / inProc);
      }
    }
    String table = table(rows);
    String load = "load average (1 min) " + loadBefore + " before, " + loadAverage() + " after";
    System.out.println();
    System.out.print(table);
    System.out.println(load);
    if (!noDoc) {
      io.shopflow.marketing.udfs.MarkdownSections.replace(
          doc, SECTION, section(table, load), "# Benchmarks");
      System.out.println("updated " + doc);
    }
    return 0;
  }

  static double maxAbsDifference(float[] a, float[] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }

  static String loadAverage() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
    } catch (java.io.IOException | RuntimeException e) {
      return "unknown";
    }
  }

  /** Rows per second of {@code threads} callers looping {@code call} for {@link #seconds}. */
  private double rate(int threads, int batch, Runnable call, List<Long> latencies)
      throws InterruptedException {
    // Warm-up.
    long warm = System.nanoTime() + (long) (Math.min(1, seconds / 3) * 1e9);
    while (System.nanoTime() < warm) {
      call.run();
    }
    AtomicBoolean stop = new AtomicBoolean();
    LongAdder calls = new LongAdder();
    List<Thread> ts = new ArrayList<>();
    List<Long> lat = latencies == null ? null : java.util.Collections.synchronizedList(latencies);
    long t0 = System.nanoTime();
    for (int i = 0; i < threads; i++) {
      Thread t =
          new Thread(
              () -> {
                while (!stop.get()) {
                  long s = System.nanoTime();
                  call.run();
                  if (lat != null) {
                    lat.add(System.nanoTime() - s);
                  }
                  calls.increment();
                }
              });
      ts.add(t);
      t.start();
    }
    Thread.sleep((long) (seconds * 1000));
    stop.set(true);
    for (Thread t : ts) {
      t.join();
    }
    double elapsed = (System.nanoTime() - t0) / 1e9;
    return calls.sum() * (double) batch / elapsed;
  }

  private String table(List<Row> rows) {
    boolean gpu = !rows.isEmpty() && !Double.isNaN(rows.get(0).cpuInProcess());
    StringBuilder sb =
        new StringBuilder(
            "| rows per request | in-process DJL rows/s | sidecar, 1 client rows/s | ratio | p50 ms"
                + " | sidecar, "
                + concurrency
                + " clients rows/s | ratio |"
                + (gpu ? " same model on the CPU rows/s | GPU / CPU | max score difference |" : "")
                + "\n");
    sb.append("|---:|---:|---:|---:|---:|---:|---:|").append(gpu ? "---:|---:|---:|" : "");
    sb.append('\n');
    for (Row r : rows) {
      if (Double.isNaN(r.sidecar1())) { // over the sidecar's request limit: in-process only
        sb.append(
            String.format(
                Locale.ROOT, "| %d | %,.0f | - | - | - | - | - |", r.batch(), r.inProcess()));
      } else {
        sb.append(
            String.format(
                Locale.ROOT,
                "| %d | %,.0f | %,.0f | %.3f | %.2f | %,.0f | %.3f |",
                r.batch(),
                r.inProcess(),
                r.sidecar1(),
                r.sidecar1() / r.inProcess(),
                r.p50Millis(),
                r.sidecarN(),
                r.sidecarN() / r.inProcess()));
      }
      if (gpu) {
        sb.append(
            String.format(
                Locale.ROOT,
                " %,.0f | %.2f | %.1e |",
                r.cpuInProcess(),
                r.inProcess() / r.cpuInProcess(),
                r.maxScoreDiff()));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private String section(String table, String load) {
    StringBuilder sb = new StringBuilder(SECTION).append("\n\n");
    sb.append(Docs.provenance(SidecarCli.commandLine(spec))).append('\n');
    sb.append(table).append('\n');
    sb.append("Machine: ").append(load).append(" (2 cores shared with other work).\n\n");
    sb.append("- Same model (`ranker`, ")
        .append(RankerFeatures.SIZE)
        .append("-64-32-1 MLP) and process: in-process = `RankerNet.predict` on DJL's PyTorch")
        .append(" engine; sidecar = `InferenceClient.rank` (java.net.http, JSON) against the")
        .append(" OIP v2 server (JDK HTTP server, bounded queue, one worker that batches")
        .append(" concurrent requests). One intra-op thread. Ratios are sidecar / in-process.")
        .append(" Each figure: ")
        .append(seconds)
        .append(" s after a warm-up; client, server and model share the machine's cores, so")
        .append(" the figures move with other load: every sidecar request crosses three threads")
        .append(" (HTTP dispatcher, handler, model worker), and on an oversubscribed machine each")
        .append(" hand-off waits for a time slice, which the in-process call never does.\n");
    sb.append("- Read: per request the HTTP + JSON round trip costs far more than the MLP, so the")
        .append(" sidecar pays off only with many candidates per request; concurrent clients")
        .append(" are merged into one model call by the worker.\n");
    return sb.toString();
  }
}
