package io.shopflow.marketing.pipelines.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import kafka.server.Server;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft Kafka broker (combined broker + controller) running inside this JVM, for the
 * demo and the integration tests. It binds only to 127.0.0.1, on two free ports chosen at start.
 *
 * <pre>{@code
 * try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.startInTempDir()) {
 *   kafka.createTopics(2, "events");
 *   ... kafka.bootstrapServers() ...
 * }
 * }</pre>
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

  private static final String HOST = "127.0.0.1";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  /** Attempts at start-up, in case a picked port was taken between picking it and binding it. */
  private static final int START_ATTEMPTS = 3;

  private final Server server;
  private final Path workDir;
  private final int brokerPort;
  private final int controllerPort;
  private final boolean deleteWorkDirOnClose;
  private boolean closed;

  private EmbeddedKafkaBroker(
      Server server,
      Path workDir,
      int brokerPort,
      int controllerPort,
      boolean deleteWorkDirOnClose) {
    this.server = server;
    this.workDir = workDir;
    this.brokerPort = brokerPort;
    this.controllerPort = controllerPort;
    this.deleteWorkDirOnClose = deleteWorkDirOnClose;
  }

  /**
   * Starts a broker whose configuration and data live under {@code workDir} (created if absent).
   * Returns once the broker accepts connections and answers {@code describeCluster}. Closing the
   * broker leaves {@code workDir} in place; a broker started again on the same directory keeps its
   * data.
   */
  public static EmbeddedKafkaBroker start(Path workDir) throws Exception {
    return start(workDir, false);
  }

  /** Starts a broker in a fresh temporary directory, which {@link #close()} deletes. */
  public static EmbeddedKafkaBroker startInTempDir() throws Exception {
    Path dir = Files.createTempDirectory("embedded-kafka-");
    try {
      return start(dir, true);
    } catch (Exception | Error e) {
      try {
        deleteRecursively(dir);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private static EmbeddedKafkaBroker start(Path workDir, boolean deleteWorkDirOnClose)
      throws Exception {
    Files.createDirectories(workDir);
    Path logDir = workDir.resolve("logs");
    Path propsFile = workDir.resolve("server.properties");
    String clusterId = existingClusterId(logDir).orElseGet(() -> Uuid.randomUuid().toString());

    Exception lastFailure = null;
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      int[] ports = freePorts(2);
      int brokerPort = ports[0];
      int controllerPort = ports[1];
      Properties props = brokerProperties(brokerPort, controllerPort, logDir);
      try (OutputStream out = Files.newOutputStream(propsFile)) {
        props.store(out, "embedded single-node KRaft broker");
      }
      format(clusterId, propsFile);

      long startNanos = System.nanoTime();
      Server server = newKafkaRaftServer(props);
      try {
        server.startup();
        awaitReady(brokerPort, startNanos);
        LOG.info(
            "Embedded Kafka broker up at {}:{} (controller port {}, data in {}) after {} ms",
            HOST,
            brokerPort,
            controllerPort,
            workDir,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
        return new EmbeddedKafkaBroker(
            server, workDir, brokerPort, controllerPort, deleteWorkDirOnClose);
      } catch (Exception e) {
        stop(server);
        lastFailure = e;
        if (!isBindFailure(e) || attempt == START_ATTEMPTS) {
          break;
        }
        LOG.warn("Embedded Kafka broker could not bind its ports, retrying with others", e);
      }
    }
    throw new IllegalStateException(
        "Embedded Kafka broker in " + workDir + " did not start", lastFailure);
  }

  /** Bootstrap servers for clients, {@code 127.0.0.1:PORT}. */
  public String bootstrapServers() {
    return HOST + ":" + brokerPort;
  }

  /** The port of the PLAINTEXT (client) listener. */
  public int brokerPort() {
    return brokerPort;
  }

  /** The port of the CONTROLLER listener. */
  public int controllerPort() {
    return controllerPort;
  }

  /** The directory holding this broker's configuration and data. */
  public Path workDir() {
    return workDir;
  }

  /**
   * Creates the topics, each with {@code partitions} partitions and replication factor 1, and waits
   * until they exist. Topics that already exist are left as they are.
   */
  public void createTopics(int partitions, String... topics) {
    if (topics.length == 0) {
      return;
    }
    List<NewTopic> newTopics = new ArrayList<>();
    for (String topic : topics) {
      newTopics.add(new NewTopic(topic, partitions, (short) 1));
    }
    try (Admin admin = Admin.create(adminProperties(bootstrapServers()))) {
      var result = admin.createTopics(newTopics);
      for (var entry : result.values().entrySet()) {
        try {
          entry.getValue().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException(
                "Could not create topic " + entry.getKey(), e.getCause());
          }
        }
      }
      // Creation is acknowledged by the controller; wait until the broker serves the metadata too.
      long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
      while (true) {
        try {
          admin
              .describeTopics(List.of(topics))
              .allTopicNames()
              .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
          return;
        } catch (ExecutionException e) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "Topics " + List.of(topics) + " were created but are not visible", e.getCause());
          }
          Thread.sleep(50);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating topics " + List.of(topics), e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("Timed out creating topics " + List.of(topics), e);
    }
  }

  /**
   * Shuts the broker down, waiting at most 30 s, and deletes the work directory if it was created
   * by {@link #startInTempDir()}. Closing twice does nothing the second time.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (!stop(server)) {
      LOG.warn(
          "Embedded Kafka broker at {} did not shut down within {} s; leaving it behind",
          bootstrapServers(),
          SHUTDOWN_TIMEOUT.toSeconds());
      return;
    }
    if (deleteWorkDirOnClose) {
      try {
        deleteRecursively(workDir);
      } catch (IOException e) {
        LOG.warn("Could not delete the embedded Kafka broker's directory {}", workDir, e);
      }
    }
  }

  private static Properties brokerProperties(int brokerPort, int controllerPort, Path logDir) {
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", "1");
    p.setProperty("controller.quorum.voters", "1@" + HOST + ":" + controllerPort);
    p.setProperty(
        "listeners",
        "PLAINTEXT://" + HOST + ":" + brokerPort + ",CONTROLLER://" + HOST + ":" + controllerPort);
    p.setProperty("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort);
    p.setProperty("controller.listener.names", "CONTROLLER");
    p.setProperty("inter.broker.listener.name", "PLAINTEXT");
    p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.setProperty("log.dirs", logDir.toAbsolutePath().toString());
    p.setProperty("offsets.topic.replication.factor", "1");
    p.setProperty("offsets.topic.num.partitions", "4");
    p.setProperty("transaction.state.log.replication.factor", "1");
    p.setProperty("transaction.state.log.min.isr", "1");
    p.setProperty("transaction.state.log.num.partitions", "4");
    p.setProperty("min.insync.replicas", "1");
    p.setProperty("num.partitions", "2");
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    p.setProperty("transaction.max.timeout.ms", "3600000");
    p.setProperty("auto.create.topics.enable", "false");
    // Replayed history carries old timestamps; time-based retention would delete it at once.
    p.setProperty("log.retention.ms", "-1");
    return p;
  }

  private static Properties adminProperties(String bootstrapServers) {
    Properties p = new Properties();
    p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.setProperty(AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-admin");
    p.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    p.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    return p;
  }

  /**
   * Formats the log directory for the cluster; a directory already formatted for the same cluster
   * is left as it is.
   */
  private static void format(String clusterId, Path propsFile) {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int rc;
    try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
      try {
        rc =
            StorageTool.execute(
                new String[] {
                  "format",
                  "--ignore-formatted",
                  "-t",
                  clusterId,
                  "-c",
                  propsFile.toAbsolutePath().toString()
                },
                out);
      } catch (Exception e) {
        throw new IllegalStateException(
            "Formatting Kafka storage failed: " + captured.toString(StandardCharsets.UTF_8), e);
      }
    }
    if (rc != 0) {
      throw new IllegalStateException(
          "Formatting Kafka storage failed (exit code "
              + rc
              + "): "
              + captured.toString(StandardCharsets.UTF_8));
    }
  }

  /**
   * The cluster id of a log directory formatted before, so that restarting on it keeps the data.
   */
  private static Optional<String> existingClusterId(Path logDir) throws IOException {
    Path metaProperties = logDir.resolve("meta.properties");
    if (!Files.isRegularFile(metaProperties)) {
      return Optional.empty();
    }
    Properties meta = new Properties();
    try (InputStream in = Files.newInputStream(metaProperties)) {
      meta.load(in);
    }
    return Optional.ofNullable(meta.getProperty("cluster.id"));
  }

  private static void awaitReady(int brokerPort, long startNanos) throws Exception {
    long deadline = startNanos + START_TIMEOUT.toNanos();
    // 1. The client listener accepts TCP connections.
    Exception lastFailure = null;
    while (true) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(HOST, brokerPort), 1000);
        break;
      } catch (IOException e) {
        lastFailure = e;
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException(
            "Embedded Kafka broker did not accept connections on "
                + HOST
                + ":"
                + brokerPort
                + " within "
                + START_TIMEOUT.toSeconds()
                + " s: "
                + lastFailure);
      }
      Thread.sleep(50);
    }
    // 2. The broker answers describeCluster, listing itself.
    try (Admin admin = Admin.create(adminProperties(HOST + ":" + brokerPort))) {
      while (true) {
        long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (remainingMs <= 0) {
          throw new IllegalStateException(
              "Embedded Kafka broker at "
                  + HOST
                  + ":"
                  + brokerPort
                  + " did not answer describeCluster within "
                  + START_TIMEOUT.toSeconds()
                  + " s",
              lastFailure);
        }
        try {
          var nodes =
              admin
                  .describeCluster()
                  .nodes()
                  .get(Math.min(remainingMs, 5000), TimeUnit.MILLISECONDS);
          if (!nodes.isEmpty()) {
            return;
          }
        } catch (ExecutionException | TimeoutException e) {
          lastFailure = e;
        }
        Thread.sleep(50);
      }
    }
  }

  private static int[] freePorts(int count) throws IOException {
    int[] ports = new int[count];
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      // Hold all sockets open at once so the ports are distinct.
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST));
        socket.setReuseAddress(true);
        sockets.add(socket);
        ports[i] = socket.getLocalPort();
      }
    } finally {
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    }
    return ports;
  }

  private static boolean isBindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException
          || (t.getMessage() != null && t.getMessage().contains("Address already in use"))) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code new KafkaRaftServer(KafkaConfig.fromProps(props), Time.SYSTEM)}, reflectively: the
   * kafka_2.13 POM puts kafka-server (which holds KafkaConfig's superclass) in runtime scope, so
   * KafkaConfig cannot be named at compile time without adding it as a direct dependency.
   */
  private static Server newKafkaRaftServer(Properties props) throws Exception {
    try {
      Class<?> configClass = Class.forName("kafka.server.KafkaConfig");
      Object config = configClass.getMethod("fromProps", Properties.class).invoke(null, props);
      return (Server)
          Class.forName("kafka.server.KafkaRaftServer")
              .getConstructor(configClass, Time.class)
              .newInstance(config, Time.SYSTEM);
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  /** Shuts the server down on a daemon thread; false if that took longer than the timeout. */
  private static boolean stop(Server server) {
    Thread stopper =
        new Thread(
            () -> {
              try {
                server.shutdown();
                server.awaitShutdown();
              } catch (Throwable t) {
                LOG.warn("Error shutting down the embedded Kafka broker", t);
              }
            },
            "embedded-kafka-shutdown");
    stopper.setDaemon(true);
    stopper.start();
    try {
      stopper.join(SHUTDOWN_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return !stopper.isAlive();
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
