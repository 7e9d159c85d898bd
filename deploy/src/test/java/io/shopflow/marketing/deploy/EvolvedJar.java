package io.shopflow.marketing.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * The next release of the job as far as state goes: the cluster jar with {@code ProfileCore}
 * compiled from its current source plus one new field. A job started from this jar on a cluster
 * sees no other {@code ProfileCore} (the cluster's classpath holds Flink only), so restoring a
 * savepoint with it is what an upgrade that adds a profile field does.
 */
final class EvolvedJar {
  static final String PROFILE = "io/shopflow/marketing/schema/state/ProfileCore";
  static final String NEW_FIELD =
      "  /** Added after the savepoint was taken. */\n  public double lifetimeDiscount;\n";

  private EvolvedJar() {}

  static Path withNewProfileField(Path clusterJar, Path stateSchemaSources, Path workDir)
      throws IOException {
    Path source = stateSchemaSources.resolve(PROFILE + ".java");
    String code = Files.readString(source);
    int end = code.lastIndexOf('}');
    String evolved = code.substring(0, end) + NEW_FIELD + code.substring(end);

    Path src = workDir.resolve("evolved-src/" + PROFILE + ".java");
    Path classes = workDir.resolve("evolved-classes");
    Files.createDirectories(src.getParent());
    Files.createDirectories(classes);
    Files.writeString(src, evolved);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertThat(javac).as("a JDK's compiler").isNotNull();
    int rc =
        javac.run(null, null, null, "--release", "17", "-d", classes.toString(), src.toString());
    assertThat(rc).as("javac of the evolved ProfileCore").isZero();

    Path jar = workDir.resolve("marketing-job-cluster-evolved.jar");
    Files.copy(clusterJar, jar, StandardCopyOption.REPLACE_EXISTING);
    try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + jar.toUri()), Map.of())) {
      Files.copy(
          classes.resolve(PROFILE + ".class"),
          zip.getPath(PROFILE + ".class"),
          StandardCopyOption.REPLACE_EXISTING);
    }
    return jar;
  }

  /**
   * The field names of the class file inside {@code jar}, read back (a plain check it is there).
   */
  static List<String> profileFields(Path jar) throws Exception {
    try (var loader = new java.net.URLClassLoader(new java.net.URL[] {jar.toUri().toURL()}, null)) {
      Class<?> c = Class.forName(PROFILE.replace('/', '.'), false, loader);
      return java.util.Arrays.stream(c.getFields()).map(java.lang.reflect.Field::getName).toList();
    }
  }
}
