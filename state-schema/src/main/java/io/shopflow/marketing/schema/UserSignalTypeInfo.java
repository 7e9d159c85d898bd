package io.shopflow.marketing.schema;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * The type of a {@link UserSignal} stream, with the hand-written {@link UserSignalSerializer}. Set
 * on streams only (the item operator's output, the scored reviews); state keeps {@code
 * TypeInformation.of(UserSignal.class)}.
 */
public final class UserSignalTypeInfo extends TypeInformation<UserSignal> {
  private static final long serialVersionUID = 1L;

  public static final UserSignalTypeInfo INSTANCE = new UserSignalTypeInfo();

  @Override
  public boolean isBasicType() {
    return false;
  }

  @Override
  public boolean isTupleType() {
    return false;
  }

  @Override
  public int getArity() {
    return 1;
  }

  @Override
  public int getTotalFields() {
    return 1;
  }

  @Override
  public Class<UserSignal> getTypeClass() {
    return UserSignal.class;
  }

  @Override
  public boolean isKeyType() {
    return false;
  }

  @Override
  public TypeSerializer<UserSignal> createSerializer(SerializerConfig config) {
    return UserSignalSerializer.INSTANCE;
  }

  @Override
  public String toString() {
    return "UserSignal (hand-written serializer)";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UserSignalTypeInfo;
  }

  @Override
  public int hashCode() {
    return UserSignalTypeInfo.class.hashCode();
  }

  @Override
  public boolean canEqual(Object o) {
    return o instanceof UserSignalTypeInfo;
  }
}
