package io.shopflow.marketing.operators.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A cached map, a cached map read whole ({@code smallMap}) and a plain RocksDB map state get the
 * same random operations (reads, writes, removals, iteration with removal and {@code setValue},
 * clears) under tight cache bounds, so evictions, early write-backs and checkpoint restores happen
 * all the time; every answer of the cached map must equal the plain one's.
 */
class CachedMapMatchesRocksDbTest {
  static final AtomicLong CLOCK = new AtomicLong();
  static final MapStateDescriptor<String, Integer> CACHED =
      new MapStateDescriptor<>("cached", Types.STRING, Types.INT);
  static final MapStateDescriptor<String, Integer> WHOLE =
      new MapStateDescriptor<>("whole", Types.STRING, Types.INT);
  static final MapStateDescriptor<String, Integer> PLAIN =
      new MapStateDescriptor<>("plain", Types.STRING, Types.INT);

  /** Commands "key op arg value"; answers "cached | read whole | plain". */
  static final class Twin extends KeyedProcessFunction<String, String, String>
      implements WriteBehindFunction {
    transient WriteBehindStates states;
    transient MapState<String, Integer> cached;
    transient MapState<String, Integer> whole;
    transient MapState<String, Integer> plain;

    @Override
    public WriteBehindStates bindWriteBehind(KeyContext keys) {
      // 4 keys on the heap, 2 with unwritten changes, 5 ms age bound: constant write-backs.
      states = new WriteBehindStates(keys, 4, 2, 5, 50, CLOCK::get);
      return states;
    }

    @Override
    public void open(OpenContext ctx) {
      cached = states.map(getRuntimeContext(), CACHED);
      whole = states.smallMap(getRuntimeContext(), WHOLE);
      // New keys are known empty without reading: the plain map must still agree.
      states.trackPresence(
          getRuntimeContext()
              .getState(
                  new org.apache.flink.api.common.state.ValueStateDescriptor<>(
                      "present", Types.BOOLEAN)));
      plain = getRuntimeContext().getMapState(PLAIN);
    }

    @Override
    public void processElement(String cmd, Context ctx, Collector<String> out) throws Exception {
      String[] p = cmd.split(" ");
      if (p[1].equals("expect")) {
        states.expectState(); // the key's marker is then read only if its first read misses
      }
      out.collect(
          cmd + " -> " + apply(cached, p) + " | " + apply(whole, p) + " | " + apply(plain, p));
    }

    private static String apply(MapState<String, Integer> m, String[] p) throws Exception {
      String arg = p[2];
      int value = Integer.parseInt(p[3]);
      switch (p[1]) {
        case "expect":
          return "";
        case "get":
          return String.valueOf(m.get(arg));
        case "getOne":
          return String.valueOf(WriteBehindStates.getOne(m, arg));
        case "contains":
          return String.valueOf(m.contains(arg));
        case "put":
          m.put(arg, value);
          return "";
        case "remove":
          m.remove(arg);
          return "";
        case "clear":
          m.clear();
          return "";
        case "empty":
          return String.valueOf(m.isEmpty());
        case "keys":
          {
            List<String> seen = new ArrayList<>();
            m.keys().forEach(seen::add);
            return seen.toString();
          }
        case "values":
          {
            List<Integer> seen = new ArrayList<>();
            m.values().forEach(seen::add);
            return seen.toString();
          }
        case "iterate":
          {
            // Removes the entries whose key starts with arg, bumps the others by value.
            List<String> seen = new ArrayList<>();
            Iterator<Map.Entry<String, Integer>> it = m.iterator();
            while (it.hasNext()) {
              Map.Entry<String, Integer> e = it.next();
              seen.add(e.getKey() + "=" + e.getValue());
              if (e.getKey().startsWith(arg)) {
                it.remove();
              } else {
                e.setValue(e.getValue() + value);
              }
            }
            return seen.toString();
          }
        default:
          throw new IllegalArgumentException(p[1]);
      }
    }
  }

  private KeyedOneInputStreamOperatorTestHarness<String, String, String> h;

  private void open(OperatorSubtaskState restore) throws Exception {
    h = RocksDbHarness.open(new Twin(), c -> c.split(" ")[0], restore);
  }

  @AfterEach
  void close() throws Exception {
    if (h != null) {
      h.close();
    }
  }

  @Test
  void cachedMapAnswersLikeRocksDbUnderRandomOperationsEvictionsAndRestores() throws Exception {
    String[] ops = {
      "expect",
      "expect",
      "get",
      "get",
      "get",
      "getOne",
      "getOne",
      "contains",
      "put",
      "put",
      "put",
      "put",
      "remove",
      "remove",
      "clear",
      "empty",
      "keys",
      "values",
      "iterate"
    };
    long checked = 0;
    for (int seed = 1; seed <= 4; seed++) {
      Random r = new Random(seed);
      open(null);
      long checkpoint = 0;
      for (int i = 0; i < 2_500; i++) {
        if (i > 0 && i % 400 == 0) {
          // Restore from a checkpoint: the cache starts empty from what it wrote back.
          OperatorSubtaskState snapshot = h.snapshot(++checkpoint, checkpoint);
          checked += check(h.extractOutputValues());
          h.close();
          open(snapshot);
        }
        CLOCK.addAndGet(r.nextInt(4));
        String key = "u" + r.nextInt(9);
        String op = ops[r.nextInt(ops.length)];
        String cmd = key + " " + op + " " + (char) ('a' + r.nextInt(6)) + " " + r.nextInt(100);
        h.processElement(cmd, 0L);
      }
      checked += check(h.extractOutputValues());
      h.close();
      h = null;
    }
    assertThat(checked).isEqualTo(4 * 2_500);
  }

  private static int check(List<String> answers) {
    for (String answer : answers) {
      String[] sides = answer.split(" -> ", -1)[1].split(" \\| ", -1);
      assertThat(sides).as(answer).hasSize(3);
      assertThat(sides[0]).as(answer).isEqualTo(sides[2]);
      assertThat(sides[1]).as(answer).isEqualTo(sides[2]);
    }
    return answers.size();
  }
}
