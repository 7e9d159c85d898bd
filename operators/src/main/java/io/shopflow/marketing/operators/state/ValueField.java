package io.shopflow.marketing.operators.state;

import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.flink.api.common.state.ValueState;

/**
 * One field of a composite value state, seen as a {@code ValueState} of its own: the function reads
 * and writes it as before, while the backend stores all the fields in one value (one RocksDB entry
 * per key). Updating a field writes the whole composite back (the write-behind cache merges those
 * writes into one per key and checkpoint); clearing the last set field clears the composite.
 */
public final class ValueField<C, T> implements ValueState<T> {
  private final ValueState<C> composite;
  private final Supplier<C> create;
  private final Function<C, T> get;
  private final BiConsumer<C, T> set;
  private final Predicate<C> empty;

  /**
   * @param composite the state holding every field
   * @param create a composite with no field set
   * @param get reads this field
   * @param set writes this field
   * @param empty whether a composite has no field set
   */
  public ValueField(
      ValueState<C> composite,
      Supplier<C> create,
      Function<C, T> get,
      BiConsumer<C, T> set,
      Predicate<C> empty) {
    this.composite = composite;
    this.create = create;
    this.get = get;
    this.set = set;
    this.empty = empty;
  }

  @Override
  public T value() throws java.io.IOException {
    C c = composite.value();
    return c == null ? null : get.apply(c);
  }

  @Override
  public void update(T value) throws java.io.IOException {
    C c = composite.value();
    if (c == null) {
      if (value == null) {
        return;
      }
      c = create.get();
    }
    set.accept(c, value);
    if (value == null && empty.test(c)) {
      composite.clear();
    } else {
      composite.update(c);
    }
  }

  @Override
  public void clear() {
    try {
      update(null);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
