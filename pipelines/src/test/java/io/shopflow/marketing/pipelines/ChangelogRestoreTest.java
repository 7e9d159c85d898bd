package io.shopflow.marketing.pipelines;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RestoreFromCheckpointTest}'s crash and restore with Flink's state changelog on ({@code
 * --changelog-dir}). The changelog's storage is configured on the TaskManagers, so each run gets a
 * local cluster of the job's own configuration, as {@code run} starts one, instead of a shared test
 * cluster.
 */
class ChangelogRestoreTest extends KafkaBrokerTest {
  @Test
  void withTheStateChangelogARestoreLosesAndDuplicatesNoActionEither(@TempDir Path tmp)
      throws Exception {
    Path checkpoints = tmp.resolve("chk");
    Path changelog = tmp.resolve("changelog");
    JobSettings s =
        ShopTopics.settingsFor(kafka, checkpoints.toUri().toString(), "it-restore-changelog");
    s.changelogDir = changelog.toUri().toString();
    RestoreFromCheckpointTest.killAndRestore(
        kafka, s, checkpoints, conf -> StreamExecutionEnvironment.createLocalEnvironment(2, conf));
    try (Stream<Path> files = Files.walk(changelog)) {
      assertThat(files.filter(Files::isRegularFile).count())
          .as("the checkpoints wrote state changes to the changelog")
          .isPositive();
    }
  }
}
