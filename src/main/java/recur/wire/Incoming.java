package recur.wire;

/**
 * A tensor-link frame whose protobuf part is decoded and validated: {@code message} is complete but
 * for its tensor's values, which the link reads into {@code tensor.values()} before handing it on.
 */
public record Incoming<T>(RawTensor tensor, T message) {
    /** A message without values after its protobuf part. */
    public static <T> Incoming<T> of(T message) {
        return new Incoming<>(RawTensor.NONE, message);
    }
}
