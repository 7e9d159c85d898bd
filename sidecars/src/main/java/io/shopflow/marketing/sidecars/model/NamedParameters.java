package io.shopflow.marketing.sidecars.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.shopflow.marketing.sidecars.Djl;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The named weight arrays of one of the sidecar's small networks (the ranker's MLP, each sentiment
 * head), kept in the order they were added, on their own PyTorch {@link NDManager}. Saved as DJL's
 * NDList encoding with the names, in that order: the exact bytes {@code RankerNet} and {@code
 * SentimentHead} wrote when each kept its own copy of this code, so models trained before still
 * load. Not thread-safe.
 */
public final class NamedParameters implements AutoCloseable {
  private final NDManager manager;
  private final List<String> names = new ArrayList<>();
  private final List<NDArray> arrays = new ArrayList<>();

  /** An empty store on a new PyTorch manager on the sidecar's device ({@link Djl#device()}). */
  public NamedParameters() {
    this(Djl.device());
  }

  /** An empty store on a new PyTorch manager on {@code device}. */
  public NamedParameters(Device device) {
    this.manager = Engine.getEngine("PyTorch").newBaseManager(device);
  }

  /** The manager that owns the parameters; training and inference open sub-managers of it. */
  public NDManager manager() {
    return manager;
  }

  /** Adds a parameter holding a copy of {@code data}; names are unique. */
  public void add(String name, float[] data, Shape shape) {
    if (names.contains(name)) {
      throw new IllegalArgumentException("Duplicate parameter " + name);
    }
    NDArray a = manager.create(data, shape);
    a.setName(name); // the name travels with the array into the file
    names.add(name);
    arrays.add(a);
  }

  /** The parameter called {@code name}. */
  public NDArray get(String name) {
    int k = names.indexOf(name);
    if (k < 0) {
      throw new IllegalArgumentException("No parameter " + name + " among " + names);
    }
    return arrays.get(k);
  }

  public boolean contains(String name) {
    return names.contains(name);
  }

  /** The names, in the order added (the order on disk). */
  public List<String> names() {
    return Collections.unmodifiableList(names);
  }

  /** {@code n} draws from N(0, sd²), for weight initialisation. */
  public static float[] gaussian(Random r, int n, double sd) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (r.nextGaussian() * sd);
    }
    return a;
  }

  /** Writes the parameters (DJL's NDList encoding, with names, in order) to {@code file}. */
  public void save(Path file) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      new NDList(arrays.toArray(new NDArray[0])).encode(out);
    }
  }

  /** Reads parameters written by {@link #save}. */
  public static NamedParameters load(Path file) throws IOException {
    return load(file, Djl.device());
  }

  /** Reads parameters written by {@link #save} onto {@code device}. */
  public static NamedParameters load(Path file, Device device) throws IOException {
    NamedParameters p = new NamedParameters(device);
    try (NDManager tmp = Engine.getEngine("PyTorch").newBaseManager(Device.cpu());
        InputStream in = Files.newInputStream(file)) {
      for (NDArray a : NDList.decode(tmp, in)) {
        p.add(a.getName(), a.toFloatArray(), a.getShape());
      }
      return p;
    } catch (IOException | RuntimeException e) {
      p.close();
      throw e;
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
