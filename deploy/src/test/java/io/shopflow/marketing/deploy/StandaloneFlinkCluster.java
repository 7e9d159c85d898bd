package io.shopflow.marketing.deploy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

/**
 * A Flink standalone session cluster on 127.0.0.1: a JobManager and one TaskManager, each a child
 * {@code java} process started the way Flink's own scripts start them (their main classes, the
 * {@code --add-opens} flags for Java 17, the TaskManager's memory sizes computed like {@code
 * BashJavaUtils} does), on a classpath of Flink's jars alone. Logs go to {@code <workDir>/log}.
 */
final class StandaloneFlinkCluster implements AutoCloseable {
  /** What Flink's config.yaml passes to every JVM on Java 17 (env.java.opts.all). */
  static final List<String> JAVA_17_OPENS =
      List.of(
          "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
          "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
          "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.text=ALL-UNNAMED",
          "--add-opens=java.base/java.time=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

  static final int SLOTS = 2;

  final Path workDir;
  final int restPort;
  private final String classpath;
  private final List<Process> processes = new ArrayList<>();

  private StandaloneFlinkCluster(Path workDir, String classpath, int restPort) {
    this.workDir = workDir;
    this.classpath = classpath;
    this.restPort = restPort;
  }

  /** Writes the configuration, starts both processes and waits until the slots are offered. */
  /**
   * Starts the cluster; tries again on new ports (up to three times) when a process fails to start,
   * since a port found free can be taken by another process before the cluster binds it.
   */
  static StandaloneFlinkCluster start(Path workDir, String classpath, Duration timeout)
      throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        return startOnce(workDir, classpath, timeout);
      } catch (IllegalStateException e) {
        if (attempt >= 3) {
          throw e;
        }
        System.err.println("cluster start attempt " + attempt + " failed, retrying: " + e);
      }
    }
  }

  private static StandaloneFlinkCluster startOnce(Path workDir, String classpath, Duration timeout)
      throws Exception {
    Files.createDirectories(workDir.resolve("conf"));
    Files.createDirectories(workDir.resolve("log"));
    Files.createDirectories(workDir.resolve("tmp"));
    StandaloneFlinkCluster c = new StandaloneFlinkCluster(workDir, classpath, freePort());
    c.writeConfig();
    // Also when the test JVM is stopped from outside: never leave a cluster behind.
    Runtime.getRuntime().addShutdownHook(new Thread(c::close));
    try {
      c.startJobManager();
      c.startTaskManager();
      c.awaitSlots(timeout);
    } catch (Exception | Error e) {
      c.close();
      throw e;
    }
    return c;
  }

  String restUrl() {
    return "http://127.0.0.1:" + restPort;
  }

  private void writeConfig() throws IOException {
    String tmp = workDir.resolve("tmp").toString();
    List<String> yaml =
        List.of(
            "jobmanager.rpc.address: 127.0.0.1",
            "jobmanager.rpc.port: " + freePort(),
            "jobmanager.bind-host: 127.0.0.1",
            "jobmanager.memory.process.size: 768m",
            "rest.address: 127.0.0.1",
            "rest.bind-address: 127.0.0.1",
            "rest.port: " + restPort,
            "blob.server.port: " + freePort(),
            "taskmanager.host: 127.0.0.1",
            "taskmanager.bind-host: 127.0.0.1",
            "taskmanager.rpc.port: " + freePort(),
            "taskmanager.data.port: " + freePort(),
            "taskmanager.numberOfTaskSlots: " + SLOTS,
            "io.tmp.dirs: " + tmp,
            "web.tmpdir: " + tmp,
            "web.upload.dir: " + tmp,
            "parallelism.default: 2");
    Files.write(workDir.resolve("conf/config.yaml"), yaml);
    Files.writeString(
        workDir.resolve("conf/log4j.properties"),
        String.join(
            "\n",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.file.ref = MainAppender",
            "appender.main.name = MainAppender",
            "appender.main.type = File",
            "appender.main.fileName = ${sys:log.file}",
            "appender.main.layout.type = PatternLayout",
            "appender.main.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
            "logger.kafka.name = org.apache.kafka",
            "logger.kafka.level = WARN",
            ""));
  }

  private void startJobManager() throws IOException {
    List<String> cmd = java("jobmanager", List.of("-Xmx512m", "-Xms256m"));
    cmd.add("org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint");
    cmd.addAll(List.of("--configDir", workDir.resolve("conf").toString()));
    launch(cmd, "jobmanager");
  }

  private void startTaskManager() throws IOException {
    // What bin/taskmanager.sh gets from BashJavaUtils: JVM sizes and the derived memory options.
    Configuration conf = new Configuration();
    conf.set(TaskManagerOptions.TOTAL_PROCESS_MEMORY, MemorySize.parse("1280m"));
    conf.set(TaskManagerOptions.NUM_TASK_SLOTS, SLOTS);
    TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(conf);
    List<String> jvm =
        Arrays.asList(ProcessMemoryUtils.generateJvmParametersStr(spec).trim().split("\\s+"));
    List<String> cmd = java("taskmanager", jvm);
    cmd.add("org.apache.flink.runtime.taskexecutor.TaskManagerRunner");
    cmd.addAll(List.of("--configDir", workDir.resolve("conf").toString()));
    cmd.addAll(
        Arrays.asList(
            TaskExecutorProcessUtils.generateDynamicConfigsStr(spec).trim().split("\\s+")));
    launch(cmd, "taskmanager");
  }

  private List<String> java(String name, List<String> jvmOptions) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.add("-XX:+UseParallelGC");
    cmd.addAll(JAVA_17_OPENS);
    cmd.add("-Dlog.file=" + workDir.resolve("log/" + name + ".log"));
    cmd.add("-Dlog4j.configurationFile=file:" + workDir.resolve("conf/log4j.properties"));
    cmd.add("-Djava.io.tmpdir=" + workDir.resolve("tmp"));
    cmd.addAll(List.of("-cp", classpath));
    return cmd;
  }

  private void launch(List<String> cmd, String name) throws IOException {
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(workDir.resolve("log/" + name + ".out").toFile())
            .start();
    processes.add(p);
  }

  private void awaitSlots(Duration timeout) throws Exception {
    FlinkRest rest = new FlinkRest(restUrl());
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (Process p : processes) {
        if (!p.isAlive()) {
          throw new IllegalStateException(
              "a cluster process exited with " + p.exitValue() + "\n" + logs());
        }
      }
      try {
        if (rest.get("/overview").path("slots-total").asInt() >= SLOTS) {
          return;
        }
      } catch (IOException notYet) {
        // The REST endpoint is not up yet.
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException("the cluster offered no slots in " + timeout + "\n" + logs());
  }

  /** The last lines of every log, for failure messages. */
  String logs() {
    StringBuilder sb = new StringBuilder();
    try (var files = Files.list(workDir.resolve("log"))) {
      for (Path f : files.sorted().toList()) {
        List<String> lines = Files.readAllLines(f);
        sb.append("==== ").append(f.getFileName()).append(" (last 60 lines)\n");
        lines
            .subList(Math.max(0, lines.size() - 60), lines.size())
            .forEach(l -> sb.append(l).append('\n'));
      }
    } catch (IOException e) {
      sb.append("(logs unreadable: ").append(e).append(")\n");
    }
    return sb.toString();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  /** Stops both processes (SIGTERM, then SIGKILL after 20 s). */
  @Override
  public void close() {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
