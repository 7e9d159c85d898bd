package io.shopflow.marketing.udfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.shopflow.marketing.schema.Action;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hand-written {@link EventParser} must agree with the JSON Schemas of {@code state-schema}:
 * every input sample the schema accepts is parsed, every one it rejects is refused with a reason.
 * The samples are the ones {@code JsonSchemaConformanceTest} checks against the schemas.
 */
class ParserAgreesWithSchemaSamplesTest {

  /** An EventParser entry point. */
  interface Parse {
    Object apply(byte[] bytes) throws InvalidRecordException;
  }

  private static final Map<String, Parse> PARSERS =
      Map.of(
          "shop-event", EventParser::parseShopEvent,
          "catalog-item", EventParser::parseCatalogItem,
          "consent-change", EventParser::parseConsentChange,
          "review", EventParser::parseReview);

  private static final List<String> OUTPUT_SCHEMAS = List.of("action", "session-summary");

  static Stream<String> validInputSamples() {
    return inputSamples("valid/");
  }

  static Stream<String> invalidInputSamples() {
    return inputSamples("invalid/");
  }

  private static Stream<String> inputSamples(String dir) {
    return Resources.sampleIndex().stream()
        .filter(path -> path.startsWith(dir))
        .filter(path -> schemaOf(path) != null && PARSERS.containsKey(schemaOf(path)));
  }

  /** The schema a sample belongs to: its file name is {@code <schema-name>-<case>.json}. */
  private static String schemaOf(String path) {
    String fileName = path.substring(path.lastIndexOf('/') + 1);
    List<String> matches =
        Stream.concat(PARSERS.keySet().stream(), OUTPUT_SCHEMAS.stream())
            .filter(name -> fileName.startsWith(name + "-"))
            .collect(Collectors.toList());
    return matches.size() == 1 ? matches.get(0) : null;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validInputSamples")
  void acceptsEveryValidInputSample(String sample) throws InvalidRecordException {
    Object parsed = PARSERS.get(schemaOf(sample)).apply(Resources.sample(sample));

    assertThat(parsed).as("parsed %s", sample).isNotNull();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidInputSamples")
  void rejectsEveryInvalidInputSampleWithAReason(String sample) {
    Parse parser = PARSERS.get(schemaOf(sample));
    byte[] bytes = Resources.sample(sample);

    assertThatThrownBy(() -> parser.apply(bytes))
        .as("parsing %s", sample)
        .isInstanceOf(InvalidRecordException.class)
        .satisfies(e -> assertThat(e.getMessage()).as("reason for %s", sample).isNotBlank());
  }

  @Test
  void indexNamesASchemaForEverySample() {
    List<String> index = Resources.sampleIndex();

    assertThat(index).isNotEmpty().doesNotHaveDuplicates();
    assertThat(index)
        .allSatisfy(path -> assertThat(path).matches("(valid|invalid)/[a-z0-9-]+\\.json"))
        .allSatisfy(path -> assertThat(schemaOf(path)).as("schema of %s", path).isNotNull());
  }

  @Test
  void everyInputSchemaHasValidAndInvalidSamples() {
    assertThat(validInputSamples().map(ParserAgreesWithSchemaSamplesTest::schemaOf))
        .containsAll(PARSERS.keySet());
    assertThat(invalidInputSamples().map(ParserAgreesWithSchemaSamplesTest::schemaOf))
        .containsAll(PARSERS.keySet());
  }

  @Test
  void validActionSampleRoundTripsThroughOutputJson() {
    List<String> actionSamples =
        Resources.sampleIndex().stream()
            .filter(path -> path.startsWith("valid/") && "action".equals(schemaOf(path)))
            .collect(Collectors.toList());
    assertThat(actionSamples).isNotEmpty();

    for (String sample : actionSamples) {
      byte[] original = Resources.sample(sample);
      Action parsed = OutputJson.parseAction(original);
      byte[] written = OutputJson.action(parsed);
      Action reparsed = OutputJson.parseAction(written);

      assertThat(reparsed).as("re-parsed %s", sample).usingRecursiveComparison().isEqualTo(parsed);
      JsonNode expected = Resources.tree(original);
      assertThat(Resources.tree(written)).as("written %s", sample).isEqualTo(expected);
      assertThat(parsed.actionId).isEqualTo(expected.path("action_id").asText());
      List<String> expectedItems = new ArrayList<>();
      expected.path("items").forEach(item -> expectedItems.add(item.asText()));
      assertThat(parsed.items).containsExactlyElementsOf(expectedItems);
      assertThat(OutputJson.iso(parsed.triggerEventTime))
          .isEqualTo(expected.path("trigger_event_time").asText());
      assertThat(OutputJson.iso(parsed.processingTime))
          .isEqualTo(expected.path("processing_time").asText());
    }
  }
}
