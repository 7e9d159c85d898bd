package io.shopflow.marketing.udfs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/** Classpath resources of the {@code state-schema} jar: schemas and shared wire-format samples. */
final class Resources {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Resources() {}

  static byte[] bytes(String resource) {
    try (InputStream in = Resources.class.getClassLoader().getResourceAsStream(resource)) {
      assertThat(in).as("classpath resource %s", resource).isNotNull();
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + resource, e);
    }
  }

  static JsonNode json(String resource) {
    return tree(bytes(resource));
  }

  static JsonNode tree(byte[] json) {
    try {
      return MAPPER.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sample paths relative to {@code samples/}, as listed in {@code samples/index.txt}. */
  static List<String> sampleIndex() {
    return new String(bytes("samples/index.txt"), StandardCharsets.UTF_8)
        .lines()
        .map(String::strip)
        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
        .collect(Collectors.toList());
  }

  static byte[] sample(String relativePath) {
    return bytes("samples/" + relativePath);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
