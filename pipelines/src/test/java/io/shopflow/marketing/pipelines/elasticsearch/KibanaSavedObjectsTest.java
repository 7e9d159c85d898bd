package io.shopflow.marketing.pipelines.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Kibana cannot run here: the saved objects in {@code docs/kibana} are checked for structure
 * instead. Every line parses, every reference resolves to an object in the file, and every field a
 * visualisation aggregates on exists in the index template behind its data view with a type the
 * aggregation accepts.
 */
class KibanaSavedObjectsTest {
  static final Path DIR = Path.of("..", "docs", "kibana");
  static final ObjectMapper JSON = new ObjectMapper();
  static final Set<String> NUMERIC = Set.of("long", "integer", "short", "double", "float");

  static List<JsonNode> objects;
  static Map<String, JsonNode> byTypeAndId;

  @BeforeAll
  static void read() throws Exception {
    objects = new ArrayList<>();
    byTypeAndId = new HashMap<>();
    for (String line : Files.readAllLines(DIR.resolve("marketing-overview.ndjson"))) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode o = JSON.readTree(line); // throws when a line does not parse
      objects.add(o);
      assertThat(byTypeAndId.put(o.get("type").asText() + "/" + o.get("id").asText(), o))
          .as("duplicate object " + o.get("id"))
          .isNull();
    }
  }

  @Test
  void theFileHoldsTheDataViewsTheVisualisationsAndTheOverviewDashboard() {
    assertThat(objects)
        .extracting(o -> o.get("type").asText())
        .contains("index-pattern", "visualization", "dashboard");
    assertThat(titles("index-pattern"))
        .containsExactlyInAnyOrder(
            "mkt-actions-*", "mkt-profiles", "mkt-item-sentiment", "mkt-trigger-metrics");
    assertThat(titles("dashboard")).containsExactly("Marketing automation overview");
    assertThat(titles("visualization"))
        .containsExactlyInAnyOrder(
            "Actions over time by type",
            "Suppressed vs sent",
            "Top recommended items",
            "Item sentiment",
            "Lifecycle mix of profiles",
            "Sidecar fallback rate");
    for (JsonNode o : objects) {
      assertThat(o.get("coreMigrationVersion").asText()).startsWith("8.");
    }
  }

  @Test
  void everyReferenceResolvesToAnObjectInTheFile() throws Exception {
    for (JsonNode o : objects) {
      for (JsonNode r : o.get("references")) {
        assertThat(byTypeAndId)
            .as(o.get("id") + " references " + r)
            .containsKey(r.get("type").asText() + "/" + r.get("id").asText());
      }
    }
    JsonNode dashboard = byType("dashboard").get(0);
    Set<String> refNames = new HashSet<>();
    dashboard.get("references").forEach(r -> refNames.add(r.get("name").asText()));
    JsonNode panels = JSON.readTree(dashboard.at("/attributes/panelsJSON").asText());
    assertThat(panels).hasSize(6);
    for (JsonNode p : panels) {
      assertThat(refNames)
          .contains(p.get("panelIndex").asText() + ":" + p.get("panelRefName").asText());
    }
    for (JsonNode v : byType("visualization")) {
      JsonNode search =
          JSON.readTree(v.at("/attributes/kibanaSavedObjectMeta/searchSourceJSON").asText());
      String refName = search.get("indexRefName").asText();
      assertThat(v.get("references"))
          .as(v.get("id").asText())
          .anySatisfy(
              r -> {
                assertThat(r.get("name").asText()).isEqualTo(refName);
                assertThat(r.get("type").asText()).isEqualTo("index-pattern");
              });
    }
  }

  @Test
  void everyFieldAVisualisationUsesExistsInItsIndexTemplateWithACompatibleType() throws Exception {
    int checked = 0;
    for (JsonNode v : byType("visualization")) {
      JsonNode dataView = byTypeAndId.get("index-pattern/" + v.at("/references/0/id").asText());
      Map<String, String> fields = templateFields(dataView.at("/attributes/title").asText());
      assertThat(fields).containsEntry(dataView.at("/attributes/timeFieldName").asText(), "date");
      JsonNode visState = JSON.readTree(v.at("/attributes/visState").asText());
      assertThat(visState.get("aggs")).isNotEmpty();
      for (JsonNode agg : visState.get("aggs")) {
        String type = agg.get("type").asText();
        if (type.equals("count")) {
          continue;
        }
        String field = agg.at("/params/field").asText();
        String where = v.get("id").asText() + " " + type + "(" + field + ")";
        assertThat(fields).as(where).containsKey(field);
        String mapped = fields.get(field);
        switch (type) {
          case "date_histogram" -> assertThat(mapped).as(where).isEqualTo("date");
          case "terms" ->
              assertThat(mapped).as(where).isIn("keyword", "boolean", "long", "integer");
          case "sum", "avg", "max", "min" -> assertThat(mapped).as(where).isIn(NUMERIC);
          default -> throw new AssertionError("aggregation not checked: " + where);
        }
        checked++;
      }
    }
    assertThat(checked).isGreaterThanOrEqualTo(12);
  }

  @Test
  void theImportScriptPostsTheFileToTheSavedObjectsImportApiWithOverwrite() throws Exception {
    String script = Files.readString(DIR.resolve("import.sh"));
    assertThat(script)
        .contains("/api/saved_objects/_import?overwrite=true")
        .contains("kbn-xsrf: true")
        .contains("marketing-overview.ndjson");
    assertThat(Files.isExecutable(DIR.resolve("import.sh"))).isTrue();
  }

  /** Field -> mapped type of the template behind a data view ("mkt-actions-*" -> mkt-actions). */
  static Map<String, String> templateFields(String dataViewTitle) throws Exception {
    String name =
        dataViewTitle.endsWith("-*")
            ? dataViewTitle.substring(0, dataViewTitle.length() - 2)
            : dataViewTitle;
    assertThat(IndexSetup.TEMPLATES).as("template for data view " + dataViewTitle).contains(name);
    JsonNode template;
    try (InputStream in = IndexSetup.template(name)) {
      template = JSON.readTree(in);
    }
    Map<String, String> fields = new HashMap<>();
    template
        .at("/template/mappings/properties")
        .fields()
        .forEachRemaining(e -> fields.put(e.getKey(), e.getValue().get("type").asText()));
    return fields;
  }

  static List<JsonNode> byType(String type) {
    return objects.stream().filter(o -> o.get("type").asText().equals(type)).toList();
  }

  static List<String> titles(String type) {
    return byType(type).stream().map(o -> o.at("/attributes/title").asText()).toList();
  }
}
