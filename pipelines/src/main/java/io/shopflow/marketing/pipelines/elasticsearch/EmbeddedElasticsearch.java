package io.shopflow.marketing.pipelines.elasticsearch;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A real single-node Elasticsearch 8.19.21 on 127.0.0.1, from Elastic's {@code integ-test-zip}
 * distribution on Maven Central, for the tests and {@code demo --with-elasticsearch}.
 *
 * <p>The zip is taken from the system property {@code elasticsearch.distribution}, else from the
 * local Maven repository ({@code ~/.m2}); when it is in neither, it is downloaded with {@code mvn
 * dependency:get} (Maven must be on the PATH). It is unpacked once into the temporary folder and
 * shared; every node gets its own configuration, data and log folders. Elasticsearch refuses to run
 * as root: under root the node runs as {@code nobody} through {@code setpriv}. HTTP security is off
 * (plain HTTP, loopback only); the node is started as a daemon and stopped with SIGTERM by {@link
 * #stop()} / {@link #close()}.
 */
public final class EmbeddedElasticsearch implements AutoCloseable {
  public static final String VERSION = "8.19.21";
  static final String GROUP_PATH = "org/elasticsearch/distribution/integ-test-zip/elasticsearch";

  private final Path nodeDir;
  private final int httpPort;
  private final int transportPort;
  private final boolean asNobody;
  private final Path home;
  private long pid = -1;

  private EmbeddedElasticsearch(Path home, Path nodeDir, int httpPort, int transportPort) {
    this.home = home;
    this.nodeDir = nodeDir;
    this.httpPort = httpPort;
    this.transportPort = transportPort;
    this.asNobody = "root".equals(System.getProperty("user.name"));
  }

  /** Unpacks (if needed), configures and starts a node on free loopback ports; waits for yellow. */
  public static EmbeddedElasticsearch start() throws IOException {
    Path home = unpackedHome();
    Path nodeDir = Files.createTempDirectory("shopflow-es-node-");
    EmbeddedElasticsearch es = new EmbeddedElasticsearch(home, nodeDir, freePort(), freePort());
    es.configure();
    try {
      es.startNode();
    } catch (IOException | RuntimeException e) {
      es.deleteNodeDir();
      throw e;
    }
    return es;
  }

  /** {@code http://127.0.0.1:PORT}. */
  public String url() {
    return "http://127.0.0.1:" + httpPort;
  }

  public boolean isRunning() {
    return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** Starts the stopped node again, on the same ports and with the same data. */
  public synchronized void restart() throws IOException {
    if (!isRunning()) {
      startNode();
    }
  }

  /** Stops the node (SIGTERM, then SIGKILL after 30 s); its data stays for {@link #restart()}. */
  public synchronized void stop() {
    if (pid <= 0) {
      return;
    }
    ProcessHandle.of(pid)
        .ifPresent(
            p -> {
              p.destroy();
              try {
                p.onExit().get(30, TimeUnit.SECONDS);
              } catch (Exception e) {
                p.destroyForcibly();
              }
            });
    pid = -1;
  }

  @Override
  public synchronized void close() {
    stop();
    deleteNodeDir();
  }

  // ------------------------------------------------------------------ node

  private void configure() throws IOException {
    Path config = nodeDir.resolve("config");
    Files.createDirectories(config);
    try (Stream<Path> files = Files.list(home.resolve("config"))) {
      for (Path f : files.toList()) {
        if (Files.isRegularFile(f)) {
          Files.copy(f, config.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    for (String d : List.of("data", "logs", "tmp")) {
      Files.createDirectories(nodeDir.resolve(d));
    }
    String yml =
        String.join(
            "\n",
            "cluster.name: shopflow-embedded",
            "node.name: shopflow-embedded-node",
            "network.host: 127.0.0.1",
            "http.port: " + httpPort,
            "transport.port: " + transportPort,
            "discovery.type: single-node",
            "xpack.security.enabled: false",
            "action.destructive_requires_name: false",
            "path.data: " + nodeDir.resolve("data"),
            "path.logs: " + nodeDir.resolve("logs"),
            "");
    Files.writeString(config.resolve("elasticsearch.yml"), yml, StandardCharsets.UTF_8);
    if (asNobody) {
      chownTree(nodeDir);
    }
  }

  private void startNode() throws IOException {
    Path pidFile = nodeDir.resolve("es.pid");
    Files.deleteIfExists(pidFile);
    List<String> cmd = new ArrayList<>();
    if (asNobody) {
      cmd.addAll(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"));
    }
    cmd.addAll(
        List.of(home.resolve("bin/elasticsearch").toString(), "-d", "-p", pidFile.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Map<String, String> env = pb.environment();
    env.put("ES_JAVA_HOME", System.getProperty("java.home"));
    env.put("ES_PATH_CONF", nodeDir.resolve("config").toString());
    env.put("ES_TMPDIR", nodeDir.resolve("tmp").toString());
    env.put("CLI_JAVA_OPTS", "-Djava.io.tmpdir=" + nodeDir.resolve("tmp"));
    env.put("ES_JAVA_OPTS", "-Xms512m -Xmx512m");
    env.remove("JAVA_TOOL_OPTIONS");
    env.remove("JAVA_HOME");
    pb.redirectErrorStream(true);
    Path startLog = nodeDir.resolve("logs/start.out");
    pb.redirectOutput(startLog.toFile());
    Process launcher = pb.start();
    try {
      if (!launcher.waitFor(3, TimeUnit.MINUTES)) {
        launcher.destroyForcibly();
        throw new IOException(failure("did not daemonise within 3 minutes", startLog));
      }
      if (launcher.exitValue() != 0) {
        throw new IOException(
            failure("exited with status " + launcher.exitValue() + " while starting", startLog));
      }
      pid = Long.parseLong(Files.readString(pidFile).trim());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting Elasticsearch", e);
    }
    awaitYellow(Duration.ofMinutes(2), startLog);
  }

  private void awaitYellow(Duration timeout, Path startLog) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    IOException last = null;
    while (System.nanoTime() < deadline) {
      if (!isRunning()) {
        throw new IOException(failure("died while starting", startLog));
      }
      try {
        HttpURLConnection c =
            (HttpURLConnection)
                URI.create(url() + "/_cluster/health?wait_for_status=yellow&timeout=5s")
                    .toURL()
                    .openConnection();
        c.setConnectTimeout(1000);
        c.setReadTimeout(10_000);
        if (c.getResponseCode() == 200) {
          return;
        }
      } catch (IOException e) {
        last = e;
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for Elasticsearch", e);
      }
    }
    stop();
    throw new IOException(failure("was not healthy within " + timeout, startLog), last);
  }

  private String failure(String what, Path startLog) {
    String out = "";
    try {
      out = Files.readString(startLog);
    } catch (IOException e) {
      // nothing logged
    }
    Path serverLog = nodeDir.resolve("logs/shopflow-embedded.log");
    try {
      if (Files.exists(serverLog)) {
        List<String> lines = Files.readAllLines(serverLog);
        out +=
            "\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
      }
    } catch (IOException e) {
      // nothing more to show
    }
    return "Elasticsearch "
        + VERSION
        + " from "
        + home
        + " "
        + what
        + (asNobody ? " (run as nobody through setpriv, because this process runs as root)" : "")
        + ". Output:\n"
        + out;
  }

  private void deleteNodeDir() {
    try (Stream<Path> paths = Files.walk(nodeDir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temporary folder
    }
  }

  // ------------------------------------------------------------------ distribution

  /** The distribution zip: system property, else ~/.m2, else downloaded through Maven. */
  public static Path distributionZip() throws IOException {
    String prop = System.getProperty("elasticsearch.distribution");
    if (prop != null && Files.isRegularFile(Path.of(prop))) {
      return Path.of(prop);
    }
    String repo =
        System.getProperty(
            "maven.repo.local",
            Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
    Path zip = Path.of(repo, GROUP_PATH, VERSION, "elasticsearch-" + VERSION + ".zip");
    if (Files.isRegularFile(zip)) {
      return zip;
    }
    List<String> cmd =
        List.of(
            "mvn",
            "-B",
            "-q",
            "dependency:get",
            "-Dartifact=org.elasticsearch.distribution.integ-test-zip:elasticsearch:"
                + VERSION
                + ":zip");
    try {
      Process p = new ProcessBuilder(cmd).inheritIO().start();
      if (p.waitFor() == 0 && Files.isRegularFile(zip)) {
        return zip;
      }
    } catch (IOException | InterruptedException e) {
      // reported below
    }
    throw new IOException(
        "The Elasticsearch distribution is not in "
            + zip
            + " and could not be downloaded; run: "
            + String.join(" ", cmd));
  }

  /** Unpacks the zip once into the temporary folder (readable by everyone) and returns its home. */
  static synchronized Path unpackedHome() throws IOException {
    Path zip = distributionZip();
    Path base = Path.of(System.getProperty("java.io.tmpdir"), "shopflow-elasticsearch-" + VERSION);
    Path home = base.resolve("elasticsearch-" + VERSION);
    Path marker = base.resolve(".complete");
    if (Files.exists(marker) && Files.isDirectory(home)) {
      return home;
    }
    Path staging = Files.createTempDirectory(base.getParent(), "shopflow-elasticsearch-unpack-");
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
      ZipEntry e;
      while ((e = in.getNextEntry()) != null) {
        Path target = staging.resolve(e.getName()).normalize();
        if (!target.startsWith(staging)) {
          throw new IOException("zip entry outside the target folder: " + e.getName());
        }
        if (e.isDirectory()) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(new NonClosing(in), target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    try (Stream<Path> paths = Files.walk(staging)) {
      for (Path p : paths.toList()) {
        boolean exec =
            Files.isDirectory(p)
                || p.getParent().getFileName().toString().equals("bin")
                || p.getFileName().toString().endsWith(".sh");
        Files.setPosixFilePermissions(
            p, PosixFilePermissions.fromString(exec ? "rwxr-xr-x" : "rw-r--r--"));
      }
    }
    Files.createDirectories(base);
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
    if (Files.exists(home) && !Files.exists(marker)) {
      deleteTree(home); // an unpack that was interrupted
    }
    try {
      Files.move(staging.resolve("elasticsearch-" + VERSION), home);
      Files.writeString(marker, zip.toString());
    } catch (java.nio.file.FileAlreadyExistsException
        | java.nio.file.DirectoryNotEmptyException another) {
      // another JVM unpacked it at the same time: use its copy once it is complete
      for (int i = 0; i < 100 && !Files.exists(marker); i++) {
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      if (!Files.exists(marker)) {
        throw another;
      }
    } finally {
      deleteTree(staging);
    }
    return home;
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static void chownTree(Path dir) throws IOException {
    UserPrincipalLookupService lookup = dir.getFileSystem().getUserPrincipalLookupService();
    UserPrincipal nobody = lookup.lookupPrincipalByName("nobody");
    GroupPrincipal nogroup = lookup.lookupPrincipalByGroupName("nogroup");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.toList()) {
        PosixFileAttributeView v = Files.getFileAttributeView(p, PosixFileAttributeView.class);
        v.setOwner(nobody);
        v.setGroup(nogroup);
      }
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Lets Files.copy read one zip entry without closing the zip stream. */
  private static final class NonClosing extends java.io.FilterInputStream {
    NonClosing(InputStream in) {
      super(in);
    }

    @Override
    public void close() {}
  }
}
