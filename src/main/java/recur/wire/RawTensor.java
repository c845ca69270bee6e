package recur.wire;

/**
 * A tensor's values as a tensor link carries them, after the frame's protobuf part rather than in
 * its data field: {@code values[0, count)} as little-endian float32, or as bf16 (the top half of each
 * float32, 2 bytes a value) when every value is a bf16 value, the choice {@link Tensors#encodeCompact}
 * makes. The link streams them between the array and the socket in chunks, so no whole-message copy
 * is made on either side (docs/performance.md, cluster mode).
 */
public record RawTensor(float[] values, int count, boolean bf16) {
    /** A frame without values. */
    public static final RawTensor NONE = new RawTensor(new float[0], 0, false);

    /** All of {@code values}, as bf16 when every one is a bf16 value. */
    public static RawTensor of(float[] values) {
        return new RawTensor(values, values.length, values.length > 0 && Bf16.exact(values));
    }

    /** Bytes on the wire. */
    public long bytes() {
        return (long) count * (bf16 ? 2 : Float.BYTES);
    }
}
