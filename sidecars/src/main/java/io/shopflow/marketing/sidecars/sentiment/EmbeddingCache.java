package io.shopflow.marketing.sidecars.sentiment;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * MiniLM embeddings of a list of texts, kept in a file named after a hash of the texts, so that
 * training and evaluation encode the data set once. A missing or unreadable file is recomputed.
 */
public final class EmbeddingCache {
  private EmbeddingCache() {}

  public static float[][] embed(
      List<String> texts, Path cacheDir, MiniLmEncoderFactory encoder, PrintStream log)
      throws IOException {
    Path file = cacheDir.resolve("minilm-q-" + key(texts) + ".f32");
    if (Files.isRegularFile(file)) {
      try {
        float[][] v = read(file);
        if (v.length == texts.size()) {
          log.printf("embeddings: %,d texts from %s%n", v.length, file);
          return v;
        }
      } catch (IOException e) {
        log.println("embeddings cache unreadable, recomputing: " + e.getMessage());
      }
    }
    long t0 = System.nanoTime();
    log.printf(
        "embeddings: encoding %,d texts with MiniLM (cached in %s) ...%n", texts.size(), file);
    float[][] v;
    try (MiniLmEncoder enc = encoder.open()) {
      v = enc.encode(texts);
    }
    log.printf("embeddings: %.1f s%n", (System.nanoTime() - t0) / 1e9);
    Files.createDirectories(cacheDir);
    Path tmp = Files.createTempFile(cacheDir, "minilm", ".tmp");
    try (DataOutputStream out =
        new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
      out.writeInt(v.length);
      out.writeInt(MiniLmEncoder.DIM);
      for (float[] row : v) {
        for (float x : row) {
          out.writeFloat(x);
        }
      }
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return v;
  }

  /** Opens an encoder only when needed. */
  @FunctionalInterface
  public interface MiniLmEncoderFactory {
    MiniLmEncoder open() throws IOException;
  }

  static float[][] read(Path file) throws IOException {
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
      int n = in.readInt();
      int d = in.readInt();
      if (d != MiniLmEncoder.DIM) {
        throw new IOException("dimension " + d);
      }
      float[][] v = new float[n][d];
      for (float[] row : v) {
        for (int k = 0; k < d; k++) {
          row[k] = in.readFloat();
        }
      }
      return v;
    }
  }

  static String key(List<String> texts) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (String t : texts) {
        md.update(t.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
      }
      return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
