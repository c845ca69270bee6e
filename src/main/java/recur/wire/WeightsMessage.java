package recur.wire;

import java.util.ArrayList;
import java.util.List;
import recur.wire.proto.Weights;

/**
 * Parameters of one version sent to a worker, with the shards it gains or loses and the stop
 * signal. {@code params} is shared, never modified after sending: the server snapshots each version
 * into a pooled buffer that is reused only when every holder has released it ({@link #retain}: the
 * server retains for each receiver before sending, a worker releases once it has computed on it).
 * Delivered by reference inside one JVM; on the wire each send writes the parameters straight into
 * its frame ({@link #writeFrame}).
 */
public final class WeightsMessage implements LinkMessage {
    private final long version;
    private final float[] params;
    private final List<ShardGrant> assign;
    private final List<Integer> revoke;
    private final boolean stop;
    private final boolean idle;
    private final boolean resend;
    private final int slice;
    private final Pooled<float[]> buffer;   // holds params when pooled, else null

    public WeightsMessage(long version, float[] params, List<ShardGrant> assign, List<Integer> revoke, boolean stop,
                          boolean idle) {
        this(version, params, assign, revoke, stop, idle, false);
    }

    /** @param resend a copy sent again after a timeout (see {@link #asResend()}) */
    public WeightsMessage(long version, float[] params, List<ShardGrant> assign, List<Integer> revoke, boolean stop,
                          boolean idle, boolean resend) {
        this(version, params, assign, revoke, stop, idle, resend, 0);
    }

    /** @param slice which parameter slice {@code params} is (sharded server, see recur.dist.ParamSlices); 0: the first or only */
    public WeightsMessage(long version, float[] params, List<ShardGrant> assign, List<Integer> revoke, boolean stop,
                          boolean idle, boolean resend, int slice) {
        this(version, params, assign, revoke, stop, idle, resend, slice, null);
    }

    private WeightsMessage(long version, float[] params, List<ShardGrant> assign, List<Integer> revoke, boolean stop,
                           boolean idle, boolean resend, int slice, Pooled<float[]> buffer) {
        this.buffer = buffer;
        this.version = version;
        this.params = params;
        this.assign = List.copyOf(assign);
        this.revoke = List.copyOf(revoke);
        this.stop = stop;
        this.idle = idle;
        this.resend = resend;
        this.slice = slice;
    }

    /** A version's weights in a pooled buffer; the message takes over the caller's reference. */
    public static WeightsMessage pooled(long version, Pooled<float[]> params) {
        return new WeightsMessage(version, params.value(), List.of(), List.of(), false, false, false, 0, params);
    }

    /** One more holder of the parameter buffer (no-op when not pooled); see {@link Pooled}. */
    public void retain() {
        Pooled.retain(buffer);
    }

    public void release() {
        Pooled.release(buffer);
    }

    /** Slice {@code k} of this version's parameters, from parameter shard k (no moves, no flags). */
    public static WeightsMessage slice(long version, float[] params, int k) {
        return new WeightsMessage(version, params, List.of(), List.of(), false, false, false, k);
    }

    /** Which parameter slice the params are: 0 for the whole vector or slice 0 of a sharded server. */
    public int slice() {
        return slice;
    }

    /**
     * The same message marked as a re-send: the server sends it when a worker has not pushed for
     * its version within the re-send timeout (this message or the push may have been lost).
     */
    public WeightsMessage asResend() {
        return new WeightsMessage(version, params, assign, revoke, stop, idle, true, slice, buffer);
    }

    public boolean resend() {
        return resend;
    }

    /** The same weights with other shard moves (the parameter snapshot is shared, not copied). */
    public WeightsMessage withMoves(List<ShardGrant> assign, List<Integer> revoke, boolean idle) {
        return new WeightsMessage(version, params, assign, revoke, stop, idle, false, slice, buffer);
    }

    public long version() {
        return version;
    }

    public float[] params() {
        return params;
    }

    public List<ShardGrant> assign() {
        return assign;
    }

    public List<Integer> revoke() {
        return revoke;
    }

    public boolean stop() {
        return stop;
    }

    public boolean idle() {
        return idle;
    }

    public Weights toProto() {
        Weights.Builder b = head().toBuilder();
        if (params != null) {
            b.setParams(Tensors.encodeCompact(params));
        }
        return b.mergeFrom(tail()).build();
    }

    /**
     * The length-prefixed {@link #toProto} bytes, the parameters copied straight into {@code frame}:
     * one copy a send, no per-version encoding kept (it cost two more copies and two arrays).
     */
    public void writeFrame(io.vertx.core.buffer.Buffer frame) {
        if (params == null) {
            byte[] bytes = toProto().toByteArray();
            frame.appendInt(bytes.length).appendBytes(bytes);
        } else {
            TensorFrames.write(frame, head(), Weights.PARAMS_FIELD_NUMBER, params, tail());
        }
    }

    /** A tensor link's protobuf part ({@link LinkMessage}); the parameters follow it. */
    @Override
    public RawTensor writeLinkProto(io.vertx.core.buffer.Buffer frame) {
        if (params == null) {
            frame.appendBytes(toProto().toByteArray());
            return RawTensor.NONE;
        }
        RawTensor raw = RawTensor.of(params);
        TensorFrames.writeLinkProto(frame, head(), Weights.PARAMS_FIELD_NUMBER, raw, tail());
        return raw;
    }

    /** The fields numbered below the parameters'. */
    private Weights head() {
        return Weights.newBuilder().setFormat(WireFormat.VERSION).setVersion(version).build();
    }

    /** The fields numbered above the parameters'. */
    private Weights tail() {
        Weights.Builder b = Weights.newBuilder().setStop(stop).setIdle(idle).setResend(resend).setSlice(slice)
                .addAllRevoke(revoke);
        for (ShardGrant g : assign) {
            b.addAssign(g.toProto());
        }
        return b.build();
    }

    public static WeightsMessage fromProto(Weights p) {
        List<ShardGrant> assign = checked(p);
        return of(p, p.hasParams() ? Tensors.decode(p.getParams(), "weights") : null, assign, null);
    }

    /**
     * A tensor link's protobuf part, checked as {@link #fromProto} checks weights, with
     * {@code rawBytes} of parameter values after it (none without params): the message, whose
     * parameters (from {@code pool} when they have the pool's length) the link fills from those bytes.
     */
    public static Incoming<WeightsMessage> fromLink(Weights p, long rawBytes, ArrayPool pool) {
        List<ShardGrant> assign = checked(p);
        if (!p.hasParams()) {
            if (rawBytes != 0) {
                throw new WireFormatException("weights: expected no values after a message without params, found "
                        + rawBytes + " bytes");
            }
            return Incoming.of(of(p, null, assign, null));
        }
        @SuppressWarnings("unchecked")
        Pooled<float[]>[] held = new Pooled[1];
        RawTensor raw = Tensors.linkTarget(p.getParams(), "weights", rawBytes, n -> ArrayPool.take(pool, n, held));
        return new Incoming<>(raw, of(p, raw.values(), assign, held[0]));
    }

    /** The format checked; the shard grants decoded. */
    private static List<ShardGrant> checked(Weights p) {
        WireFormat.check(p.getFormat(), "weights");
        List<ShardGrant> assign = new ArrayList<>(p.getAssignCount());
        for (var a : p.getAssignList()) {
            assign.add(ShardGrant.fromProto(a));
        }
        return assign;
    }

    private static WeightsMessage of(Weights p, float[] params, List<ShardGrant> assign, Pooled<float[]> held) {
        return new WeightsMessage(p.getVersion(), params, assign, p.getRevokeList(), p.getStop(), p.getIdle(),
                p.getResend(), p.getSlice(), held);
    }
}
