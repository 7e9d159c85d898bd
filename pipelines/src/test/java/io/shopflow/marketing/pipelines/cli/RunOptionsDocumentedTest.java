package io.shopflow.marketing.pipelines.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

class RunOptionsDocumentedTest {
  @Test
  void everyOptionOfRunHasARowInTheOperationsGuide() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "operations.md"));
    List<String> missing = new ArrayList<>();
    for (OptionSpec o :
        new CommandLine(new MarketingJobCli())
            .getSubcommands()
            .get("run")
            .getCommandSpec()
            .options()) {
      String name = o.longestName();
      if (!o.usageHelp() && !o.versionHelp() && !doc.contains("| `" + name + "` |")) {
        missing.add(name);
      }
    }
    assertThat(missing).as("options of run without a row in docs/operations.md").isEmpty();
  }
}
