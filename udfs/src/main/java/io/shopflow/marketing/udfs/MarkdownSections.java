package io.shopflow.marketing.udfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites one section of a markdown document (from its heading to the next level-1 or level-2
 * heading outside code fences), leaving every other section as it is; appends the section when the
 * heading is absent. The evaluation and benchmark commands write their figures into docs/ with it.
 */
public final class MarkdownSections {
  private MarkdownSections() {}

  /**
   * Writes {@code section} (which starts with {@code heading}) into {@code doc}; creates the file
   * with {@code title} as its first line when absent.
   */
  public static void replace(Path doc, String heading, String section, String title)
      throws IOException {
    String text = Files.exists(doc) ? Files.readString(doc, StandardCharsets.UTF_8) : title + "\n";
    String body = section.endsWith("\n") ? section : section + "\n";
    List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
    if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
      lines.remove(lines.size() - 1);
    }
    int start = -1;
    boolean fence = false;
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i);
      if (l.startsWith("```")) {
        fence = !fence;
      }
      if (!fence && l.strip().equals(heading)) {
        start = i;
        break;
      }
    }
    StringBuilder out = new StringBuilder();
    if (start < 0) {
      for (String l : lines) {
        out.append(l).append('\n');
      }
      if (out.length() > 0 && !out.toString().endsWith("\n\n")) {
        out.append('\n');
      }
      out.append(body);
    } else {
      int end = lines.size();
      fence = false;
      for (int i = start + 1; i < lines.size(); i++) {
        String l = lines.get(i);
        if (l.startsWith("```")) {
          fence = !fence;
        }
        if (!fence && (l.startsWith("## ") || l.startsWith("# "))) {
          end = i;
          break;
        }
      }
      for (int i = 0; i < start; i++) {
        out.append(lines.get(i)).append('\n');
      }
      out.append(body);
      if (end < lines.size()) {
        out.append('\n');
        for (int i = end; i < lines.size(); i++) {
          out.append(lines.get(i)).append('\n');
        }
      }
    }
    if (doc.toAbsolutePath().getParent() != null) {
      Files.createDirectories(doc.toAbsolutePath().getParent());
    }
    Files.writeString(doc, out.toString(), StandardCharsets.UTF_8);
  }
}
