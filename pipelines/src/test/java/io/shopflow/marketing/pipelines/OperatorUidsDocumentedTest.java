package io.shopflow.marketing.pipelines;

import static org.assertj.core.api.Assertions.assertThat;

import io.shopflow.marketing.pipelines.elasticsearch.ElasticsearchSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/**
 * Savepoints map state to operators by uid, so every uid of the job, with every optional branch on,
 * must be in the architecture's uid table and in state-schema/STATE.md (which says what state each
 * holds), and neither may name a uid the job no longer has.
 */
class OperatorUidsDocumentedTest {
  private static final Pattern UID_CELL = Pattern.compile("`([a-z0-9-]+)`");

  @Test
  void everyOperatorUidOfTheJobIsInTheArchitectureAndStateTables() throws Exception {
    Set<String> job = jobUids();
    assertThat(job).contains("user-journey", "recommendation-ranking", "elasticsearch-sink");

    assertThat(firstColumnUids(Path.of("..", "docs", "architecture.md"), "| uid |"))
        .as("docs/architecture.md, section 1")
        .isEqualTo(job);
    assertThat(firstColumnUids(Path.of("..", "state-schema", "STATE.md"), "| uid |"))
        .as("state-schema/STATE.md")
        .isEqualTo(job);
  }

  /** The uids of the job built with Elasticsearch and the ranker on (nothing is started). */
  private static Set<String> jobUids() {
    JobSettings s = new JobSettings();
    s.elasticsearch = new ElasticsearchSettings();
    s.elasticsearch.url = "http://127.0.0.1:9200";
    s.elasticsearch.pseudonymKey = "a-key-of-sixteen-bytes-or-more";
    s.ranking.sidecarUrl = "http://127.0.0.1:8080";
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    MarketingJob.build(env, s);
    Set<String> uids = new TreeSet<>();
    for (StreamNode node : env.getStreamGraph().getStreamNodes()) {
      assertThat(node.getTransformationUID()).as("uid of %s", node.getOperatorName()).isNotNull();
      // A sink's committer gets the uid "Sink Committer: <the sink's uid>": its state (the
      // transactions awaiting commit) is documented with the sink.
      uids.add(node.getTransformationUID().replaceFirst("^Sink Committer: ", ""));
    }
    return uids;
  }

  /**
   * The backticked names in the first column of the table whose header starts with {@code head}.
   */
  private static Set<String> firstColumnUids(Path doc, String head) throws Exception {
    Set<String> uids = new TreeSet<>();
    boolean inTable = false;
    for (String line : Files.readAllLines(doc)) {
      if (line.startsWith(head)) {
        inTable = true;
      } else if (inTable && !line.startsWith("|")) {
        break;
      } else if (inTable && !line.startsWith("| ---") && !line.startsWith("|---")) {
        String firstCell = line.substring(1, line.indexOf('|', 1));
        Matcher m = UID_CELL.matcher(firstCell);
        while (m.find()) {
          uids.add(m.group(1));
        }
      }
    }
    assertThat(uids).as("a uid table in %s", doc).isNotEmpty();
    return uids;
  }
}
