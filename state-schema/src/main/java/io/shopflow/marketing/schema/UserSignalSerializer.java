package io.shopflow.marketing.schema;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.api.common.typeutils.base.array.DoublePrimitiveArraySerializer;
import org.apache.flink.api.common.typeutils.base.array.IntPrimitiveArraySerializer;
import org.apache.flink.api.common.typeutils.base.array.LongPrimitiveArraySerializer;
import org.apache.flink.api.common.typeutils.base.array.StringArraySerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * {@link UserSignal} on the wire between the keyed-by-item and the keyed-by-user operator: every
 * field in declaration order, read and written directly (arrays with Flink's array serializers).
 * Flink's POJO serializer reaches each of the 32 fields through reflection with a null flag per
 * field; this was about 5 % of the core's CPU (docs/benchmarks.md). Only for network edges ({@link
 * UserSignalTypeInfo}): the state that holds a {@code UserSignal} (pending reviews) keeps the POJO
 * serializer, so savepoints are unchanged. {@code UserSignalSerializerTest} fails when a field is
 * added to {@code UserSignal} but not here.
 */
public final class UserSignalSerializer extends TypeSerializerSingleton<UserSignal> {
  private static final long serialVersionUID = 1L;

  public static final UserSignalSerializer INSTANCE = new UserSignalSerializer();

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public UserSignal createInstance() {
    return new UserSignal();
  }

  /**
   * A deep copy through the wire format, so that it can never miss a field the format has (the job
   * runs with object reuse: Flink copies records only off the hot path).
   */
  @Override
  public UserSignal copy(UserSignal from) {
    try {
      DataOutputSerializer out = new DataOutputSerializer(256);
      serialize(from, out);
      return deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public UserSignal copy(UserSignal from, UserSignal reuse) {
    return copy(from);
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(UserSignal s, DataOutputView out) throws IOException {
    out.writeInt(s.kind);
    StringValue.writeString(s.userId, out);
    out.writeLong(s.eventTime);
    StringValue.writeString(s.eventId, out);
    StringValue.writeString(s.eventType, out);
    StringValue.writeString(s.itemId, out);
    out.writeInt(s.quantity);
    out.writeBoolean(s.price != null);
    if (s.price != null) {
      out.writeDouble(s.price);
    }
    StringValue.writeString(s.currency, out);
    StringValue.writeString(s.title, out);
    StringValue.writeString(s.category, out);
    StringValue.writeString(s.sessionHint, out);
    StringValue.writeString(s.query, out);
    out.writeInt(s.lineIndex);
    out.writeInt(s.lineCount);
    writeNullable(s.coPurchased, StringArraySerializer.INSTANCE, out);
    writeNullable(s.coPurchasedCounts, IntPrimitiveArraySerializer.INSTANCE, out);
    writeNullable(s.itemFactor, DoublePrimitiveArraySerializer.INSTANCE, out);
    writeNullable(s.partners, StringArraySerializer.INSTANCE, out);
    writeNullable(s.partnerCounts, IntPrimitiveArraySerializer.INSTANCE, out);
    writeNullable(s.partnerBuyers, LongPrimitiveArraySerializer.INSTANCE, out);
    out.writeLong(s.itemBuyers);
    out.writeDouble(s.oldPrice);
    out.writeDouble(s.newPrice);
    StringValue.writeString(s.consentChange, out);
    writeNullable(s.channels, StringArraySerializer.INSTANCE, out);
    out.writeInt(s.rating);
    StringValue.writeString(s.reviewText, out);
    StringValue.writeString(s.sentimentLabel, out);
    out.writeDouble(s.negativeProbability);
    out.writeDouble(s.sentimentScore);
    StringValue.writeString(s.sentimentSource, out);
  }

  @Override
  public UserSignal deserialize(DataInputView in) throws IOException {
    return deserialize(new UserSignal(), in);
  }

  @Override
  public UserSignal deserialize(UserSignal s, DataInputView in) throws IOException {
    s.kind = in.readInt();
    s.userId = StringValue.readString(in);
    s.eventTime = in.readLong();
    s.eventId = StringValue.readString(in);
    s.eventType = StringValue.readString(in);
    s.itemId = StringValue.readString(in);
    s.quantity = in.readInt();
    s.price = in.readBoolean() ? in.readDouble() : null;
    s.currency = StringValue.readString(in);
    s.title = StringValue.readString(in);
    s.category = StringValue.readString(in);
    s.sessionHint = StringValue.readString(in);
    s.query = StringValue.readString(in);
    s.lineIndex = in.readInt();
    s.lineCount = in.readInt();
    s.coPurchased = readNullable(StringArraySerializer.INSTANCE, in);
    s.coPurchasedCounts = readNullable(IntPrimitiveArraySerializer.INSTANCE, in);
    s.itemFactor = readNullable(DoublePrimitiveArraySerializer.INSTANCE, in);
    s.partners = readNullable(StringArraySerializer.INSTANCE, in);
    s.partnerCounts = readNullable(IntPrimitiveArraySerializer.INSTANCE, in);
    s.partnerBuyers = readNullable(LongPrimitiveArraySerializer.INSTANCE, in);
    s.itemBuyers = in.readLong();
    s.oldPrice = in.readDouble();
    s.newPrice = in.readDouble();
    s.consentChange = StringValue.readString(in);
    s.channels = readNullable(StringArraySerializer.INSTANCE, in);
    s.rating = in.readInt();
    s.reviewText = StringValue.readString(in);
    s.sentimentLabel = StringValue.readString(in);
    s.negativeProbability = in.readDouble();
    s.sentimentScore = in.readDouble();
    s.sentimentSource = StringValue.readString(in);
    return s;
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    serialize(deserialize(source), target);
  }

  // Flink's array serializers refuse null; the arrays of a UserSignal may be null.

  private static <T> void writeNullable(T value, TypeSerializer<T> serializer, DataOutputView out)
      throws IOException {
    out.writeBoolean(value != null);
    if (value != null) {
      serializer.serialize(value, out);
    }
  }

  private static <T> T readNullable(TypeSerializer<T> serializer, DataInputView in)
      throws IOException {
    return in.readBoolean() ? serializer.deserialize(in) : null;
  }

  @Override
  public TypeSerializerSnapshot<UserSignal> snapshotConfiguration() {
    return new Snapshot();
  }

  /** For Flink's serializer checks; the format lives only on network edges. */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<UserSignal> {
    public Snapshot() {
      super(() -> INSTANCE);
    }
  }
}
