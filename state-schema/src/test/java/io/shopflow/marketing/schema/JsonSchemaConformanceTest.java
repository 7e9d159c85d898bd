package io.shopflow.marketing.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks the wire-format schemas in {@code schemas/} against the shared samples in {@code
 * samples/}: the same samples the {@code udfs} parser tests use, so that schema and parser agree.
 */
class JsonSchemaConformanceTest {
  private static final String META_SCHEMA = "https://json-schema.org/draft/2020-12/schema";
  private static final List<String> SCHEMA_NAMES =
      List.of(
          "shop-event", "catalog-item", "consent-change", "review", "action", "session-summary");

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonSchemaFactory FACTORY =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

  /** The job's parser rejects non-date strings, so the test asserts {@code format} as well. */
  private static final SchemaValidatorsConfig CONFIG =
      SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();

  private static final Map<String, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

  static Stream<String> schemaNames() {
    return SCHEMA_NAMES.stream();
  }

  static Stream<String> validSamples() {
    return samplesIn("valid").stream();
  }

  static Stream<String> invalidSamples() {
    return samplesIn("invalid").stream();
  }

  @ParameterizedTest
  @MethodSource("schemaNames")
  void everySchemaIsValidDraft202012(String name) {
    JsonNode schemaNode = readJson("schemas/" + name + ".schema.json");
    JsonSchema meta = FACTORY.getSchema(SchemaLocation.of(META_SCHEMA), CONFIG);

    Set<ValidationMessage> messages = meta.validate(schemaNode);

    assertThat(messages).as("%s against the 2020-12 meta-schema", name).isEmpty();
    assertThat(schemaNode.path("$schema").asText()).isEqualTo(META_SCHEMA);
    assertThat(schemaNode.path("$id").asText()).endsWith("/" + name + ".schema.json");
    assertThat(schemaNode.path("title").asText()).isNotBlank();
    assertThat(schemaNode.path("description").asText()).isNotBlank();
    assertThat(schema(name)).isNotNull();
  }

  @Test
  void metaSchemaCheckRejectsABrokenSchema() throws IOException {
    JsonNode broken =
        MAPPER.readTree(
            "{\"type\": \"objekt\", \"required\": \"id\", \"properties\": {\"id\": 5}}");
    JsonSchema meta = FACTORY.getSchema(SchemaLocation.of(META_SCHEMA), CONFIG);

    assertThat(meta.validate(broken)).isNotEmpty();
  }

  @ParameterizedTest
  @MethodSource("schemaNames")
  void everyFieldOfEverySchemaIsDescribed(String name) {
    JsonNode schemaNode = readJson("schemas/" + name + ".schema.json");
    List<String> undescribed = new ArrayList<>();

    collectUndescribedFields(schemaNode.path("properties"), "", undescribed);
    schemaNode
        .path("$defs")
        .properties()
        .forEach(
            def ->
                collectUndescribedFields(
                    def.getValue().path("properties"), "$defs/" + def.getKey() + "/", undescribed));

    assertThat(undescribed).as("fields of %s without a description", name).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("validSamples")
  void everyValidSampleConformsToItsSchema(String sample) {
    Set<ValidationMessage> messages = schema(schemaNameOf(sample)).validate(readJson(sample));

    assertThat(messages).as("messages for %s", sample).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("invalidSamples")
  void everyInvalidSampleIsRejectedByItsSchema(String sample) {
    Set<ValidationMessage> messages = schema(schemaNameOf(sample)).validate(readJson(sample));

    assertThat(messages).as("messages for %s", sample).isNotEmpty();
  }

  @Test
  void indexListsExactlyTheSamplesPresent() {
    List<String> index =
        readText("samples/index.txt")
            .lines()
            .map(String::strip)
            .filter(line -> !line.isEmpty())
            .map(line -> "samples/" + line)
            .collect(Collectors.toList());
    List<String> present = new ArrayList<>(samplesIn("valid"));
    present.addAll(samplesIn("invalid"));

    assertThat(index).doesNotHaveDuplicates();
    assertThat(index).containsExactlyInAnyOrderElementsOf(present);
  }

  @Test
  void everySchemaHasValidAndInvalidSamples() {
    Set<String> withValid =
        validSamples().map(JsonSchemaConformanceTest::schemaNameOf).collect(Collectors.toSet());
    Set<String> withInvalid =
        invalidSamples().map(JsonSchemaConformanceTest::schemaNameOf).collect(Collectors.toSet());

    assertThat(withValid).containsExactlyInAnyOrderElementsOf(SCHEMA_NAMES);
    assertThat(withInvalid).containsExactlyInAnyOrderElementsOf(SCHEMA_NAMES);
  }

  @Test
  void dateTimeFormatIsAssertedNotJustAnnotated() throws IOException {
    JsonNode wellShaped =
        MAPPER.readTree("{\"item_id\": \"sku-1\", \"event_time\": \"2026-11-25T10:00:00Z\"}");
    JsonNode impossibleDate =
        MAPPER.readTree("{\"item_id\": \"sku-1\", \"event_time\": \"2026-02-30T10:00:00Z\"}");

    assertThat(schema("catalog-item").validate(wellShaped)).isEmpty();
    assertThat(schema("catalog-item").validate(impossibleDate)).isNotEmpty();
  }

  private static JsonSchema schema(String name) {
    return SCHEMAS.computeIfAbsent(
        name,
        n -> {
          JsonSchema schema = FACTORY.getSchema(readJson("schemas/" + n + ".schema.json"), CONFIG);
          schema.initializeValidators();
          return schema;
        });
  }

  /** The schema a sample belongs to: its file name starts with the schema name and a dash. */
  private static String schemaNameOf(String sample) {
    String fileName = sample.substring(sample.lastIndexOf('/') + 1);
    List<String> matches =
        SCHEMA_NAMES.stream()
            .filter(n -> fileName.startsWith(n + "-"))
            .collect(Collectors.toList());
    assertThat(matches).as("schema of sample %s", sample).hasSize(1);
    return matches.get(0);
  }

  private static void collectUndescribedFields(
      JsonNode properties, String prefix, List<String> undescribed) {
    properties
        .properties()
        .forEach(
            field -> {
              if (field.getValue().path("description").asText().isBlank()) {
                undescribed.add(prefix + field.getKey());
              }
            });
  }

  /** Sample paths under {@code samples/<kind>/}, relative to the classpath root, sorted. */
  private static List<String> samplesIn(String kind) {
    String dir = "samples/" + kind;
    URL url = JsonSchemaConformanceTest.class.getClassLoader().getResource(dir);
    assertThat(url).as("classpath directory %s", dir).isNotNull();
    Path path;
    try {
      path = Paths.get(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    try (Stream<Path> files = Files.list(path)) {
      return files
          .filter(Files::isRegularFile)
          .map(p -> dir + "/" + p.getFileName())
          .sorted()
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode readJson(String resource) {
    try {
      return MAPPER.readTree(readText(resource));
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + resource, e);
    }
  }

  private static String readText(String resource) {
    try (InputStream in =
        JsonSchemaConformanceTest.class.getClassLoader().getResourceAsStream(resource)) {
      assertThat(in).as("classpath resource %s", resource).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + resource, e);
    }
  }
}
