package io.shopflow.marketing.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class UserSignalSerializerTest {
  private static final UserSignalSerializer SERIALIZER = UserSignalSerializer.INSTANCE;

  /** Every public instance field of {@code UserSignal}: a new one must be added to the format. */
  private static List<Field> fields() {
    List<Field> out = new ArrayList<>();
    for (Field f : UserSignal.class.getFields()) {
      if (!Modifier.isStatic(f.getModifiers())) {
        out.add(f);
      }
    }
    return out;
  }

  /** A value of the field's type that differs from the default and from every other field's. */
  private static Object distinct(Field f, int i, Random random) {
    Class<?> t = f.getType();
    if (t == int.class) {
      return 1_000 + i + random.nextInt(1_000);
    } else if (t == long.class) {
      return 1L << 40 | i | (long) random.nextInt(1 << 20) << 8;
    } else if (t == double.class || t == Double.class) {
      return i + random.nextDouble();
    } else if (t == String.class) {
      return f.getName() + "-" + random.nextInt(1_000) + (i % 3 == 0 ? " é€" : "");
    } else if (t == String[].class) {
      return new String[] {f.getName(), null, "x" + random.nextInt(100)};
    } else if (t == int[].class) {
      return new int[] {i, -random.nextInt(1_000), Integer.MAX_VALUE};
    } else if (t == long[].class) {
      return new long[] {i, Long.MIN_VALUE, random.nextLong()};
    } else if (t == double[].class) {
      double[] d = new double[32];
      for (int k = 0; k < d.length; k++) {
        d[k] = random.nextGaussian();
      }
      return d;
    }
    throw new AssertionError("no test value for the type of UserSignal." + f.getName() + ": " + t);
  }

  /** A signal with every public field set to a value of its own. */
  private static UserSignal everyFieldSet(Random random) throws Exception {
    UserSignal s = new UserSignal();
    List<Field> fields = fields();
    for (int i = 0; i < fields.size(); i++) {
      fields.get(i).set(s, distinct(fields.get(i), i, random));
    }
    return s;
  }

  private static UserSignal roundTrip(UserSignal s) throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(256);
    SERIALIZER.serialize(s, out);
    DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
    UserSignal back = SERIALIZER.deserialize(in);
    assertThat(in.available()).as("bytes left after reading").isZero();
    return back;
  }

  private static void assertSameFields(UserSignal actual, UserSignal expected) throws Exception {
    for (Field f : fields()) {
      assertThat(f.get(actual)).as(f.getName()).isEqualTo(f.get(expected));
    }
  }

  @Test
  void everyFieldSurvivesTheRoundTripWithItsOwnValue() throws Exception {
    Random random = new Random(7);
    for (int round = 0; round < 200; round++) {
      UserSignal s = everyFieldSet(random);
      assertSameFields(roundTrip(s), s);
    }
  }

  @Test
  void nullFieldsAndEmptyArraysComeBackAsTheyWere() throws Exception {
    UserSignal nulls = new UserSignal();
    for (Field f : fields()) {
      if (!f.getType().isPrimitive()) {
        f.set(nulls, null);
      }
    }
    assertSameFields(roundTrip(nulls), nulls);

    UserSignal defaults = new UserSignal(); // empty arrays, no price, no factor
    UserSignal back = roundTrip(defaults);
    assertSameFields(back, defaults);
    assertThat(back.partners).isNotNull().isEmpty();
    assertThat(back.price).isNull();
  }

  @Test
  void aReusedInstanceKeepsNothingOfItsLastRecord() throws Exception {
    UserSignal full = everyFieldSet(new Random(11));
    UserSignal sparse = new UserSignal();
    sparse.userId = "u1";
    DataOutputSerializer out = new DataOutputSerializer(256);
    SERIALIZER.serialize(sparse, out);
    UserSignal reused =
        SERIALIZER.deserialize(full, new DataInputDeserializer(out.getCopyOfBuffer()));
    assertSameFields(reused, sparse);
  }

  @Test
  void aCopyHasEveryFieldAndSharesNoArrayWithItsSource() throws Exception {
    UserSignal s = everyFieldSet(new Random(13));
    UserSignal copy = SERIALIZER.copy(s);
    assertSameFields(copy, s);
    copy.itemFactor[0] = 9;
    copy.partners[0] = "b";
    copy.partnerBuyers[0] = 4;
    assertThat(s.itemFactor[0]).isNotEqualTo(9);
    assertThat(s.partners[0]).isEqualTo("partners");
    assertThat(s.partnerBuyers[0]).isNotEqualTo(4);
  }

  @Test
  void copyingSerializedBytesGivesTheSameBytes() throws Exception {
    UserSignal s = new UserSignal();
    s.userId = "u";
    s.itemFactor = new double[] {0.5};
    s.price = 9.99;
    DataOutputSerializer out = new DataOutputSerializer(128);
    SERIALIZER.serialize(s, out);
    DataOutputSerializer copied = new DataOutputSerializer(128);
    SERIALIZER.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
    assertThat(copied.getCopyOfBuffer()).isEqualTo(out.getCopyOfBuffer());
  }

  @Test
  void itsSnapshotRestoresAnEquivalentSerializer() throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(64);
    TypeSerializerSnapshot.writeVersionedSnapshot(out, SERIALIZER.snapshotConfiguration());
    TypeSerializerSnapshot<UserSignal> read =
        TypeSerializerSnapshot.readVersionedSnapshot(
            new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
    TypeSerializer<UserSignal> restored = read.restoreSerializer();
    assertThat(restored).isEqualTo(SERIALIZER);
    assertThat(
            SERIALIZER.snapshotConfiguration().resolveSchemaCompatibility(read).isCompatibleAsIs())
        .isTrue();
  }

  @Test
  void theStreamTypeUsesIt() {
    assertThat(
            UserSignalTypeInfo.INSTANCE.createSerializer(
                new org.apache.flink.api.common.serialization.SerializerConfigImpl()))
        .isSameAs(SERIALIZER);
    assertThat(UserSignalTypeInfo.INSTANCE.getTypeClass()).isEqualTo(UserSignal.class);
  }
}
