package recur.wire;

import java.util.ArrayList;
import java.util.List;
import recur.wire.proto.GradientPush;

/**
 * A worker's gradient for one version, with its telemetry and the state of its shards after the
 * window. Delivered by reference inside one JVM; {@link #toProto}/{@link #fromProto} on the wire.
 *
 * @param grad      flat gradient (ParamLayout order): token-weighted mean over the worker's shards,
 *                  after local clipping
 * @param lossCount number of loss terms averaged (the weight of this gradient in the average)
 * @param norm      L2 norm before clipping
 * @param clipRatio coefficient applied by local clipping (1 when it did not clip)
 * @param idleMs    time the worker waited between its previous push and the weights it computed on
 * @param buffer    the pooled buffer {@code grad} lives in (null: not pooled); see {@link #retain}
 * @param seq       the worker's count of computed windows, so that a re-sent push can be told from a new
 *                  one computed on the same version (0: not counted)
 */
public record GradientMessage(int workerId, long weightVersion, float[] grad, long tokens, long lossCount,
                              double loss, double norm, double clipRatio, double computeMs, double idleMs,
                              List<ShardSnapshot> shards, Pooled<float[]> buffer, long seq) implements LinkMessage {

    public GradientMessage {
        shards = List.copyOf(shards);
    }

    /** A push whose gradient is not pooled. */
    public GradientMessage(int workerId, long weightVersion, float[] grad, long tokens, long lossCount, double loss,
                           double norm, double clipRatio, double computeMs, double idleMs, List<ShardSnapshot> shards) {
        this(workerId, weightVersion, grad, tokens, lossCount, loss, norm, clipRatio, computeMs, idleMs, shards, null, 0);
    }

    /** A push without a window count. */
    public GradientMessage(int workerId, long weightVersion, float[] grad, long tokens, long lossCount, double loss,
                           double norm, double clipRatio, double computeMs, double idleMs, List<ShardSnapshot> shards,
                           Pooled<float[]> buffer) {
        this(workerId, weightVersion, grad, tokens, lossCount, loss, norm, clipRatio, computeMs, idleMs, shards, buffer,
                0);
    }

    /**
     * One more holder of the gradient and shard-state buffers: the sender retains for the receiver
     * before each send (local delivery is by reference), and the receiver releases once when done.
     */
    public void retain() {
        Pooled.retain(buffer);
        for (int i = 0; i < shards.size(); i++) { // by index: no iterator per message
            shards.get(i).retain();
        }
    }

    public void release() {
        Pooled.release(buffer);
        for (int i = 0; i < shards.size(); i++) {
            shards.get(i).release();
        }
    }

    public GradientPush toProto() {
        return head().toBuilder().setGrad(Tensors.encodeCompact(grad)).mergeFrom(tail()).build();
    }

    /** The length-prefixed {@link #toProto} bytes, the gradient copied straight into {@code frame}. */
    public void writeFrame(io.vertx.core.buffer.Buffer frame) {
        TensorFrames.write(frame, head(), GradientPush.GRAD_FIELD_NUMBER, grad, tail());
    }

    /**
     * A tensor link's protobuf part ({@link LinkMessage}); the gradient follows it. Written by hand
     * from the fields and the shard states' arrays ({@link PushLinkWriter}: the same bytes protobuf
     * writes), so that a cluster worker's push makes next to no garbage.
     */
    @Override
    public RawTensor writeLinkProto(io.vertx.core.buffer.Buffer frame) {
        RawTensor raw = RawTensor.of(grad);
        TensorFrames.writeByHand(frame, PushLinkWriter.size(this, raw), out -> PushLinkWriter.write(out, this, raw));
        return raw;
    }

    /**
     * The same bytes written into a direct buffer's own memory through Netty's cached view of it
     * ({@code internalNioBuffer}): no wrapper, view or lambda made per push.
     */
    @Override
    public RawTensor writeLinkProto(io.netty.buffer.ByteBuf frame) {
        if (!frame.isDirect() || frame.nioBufferCount() != 1) {
            return LinkMessage.super.writeLinkProto(frame);
        }
        RawTensor raw = RawTensor.of(grad);
        int size = PushLinkWriter.size(this, raw);
        int at = frame.writerIndex();
        frame.ensureWritable(size);
        java.nio.ByteBuffer out = frame.internalNioBuffer(at, size);
        PushLinkWriter.write(out, this, raw);
        TensorFrames.filled(out, "link frame", size);
        frame.writerIndex(at + size);
        return raw;
    }

    /** The fields numbered below the gradient's. */
    private GradientPush head() {
        return GradientPush.newBuilder().setFormat(WireFormat.VERSION).setWorkerId(workerId)
                .setWeightVersion(weightVersion).build();
    }

    /** The fields numbered above the gradient's. */
    private GradientPush tail() {
        GradientPush.Builder b = GradientPush.newBuilder().setTokens(tokens).setLossCount(lossCount).setLoss(loss)
                .setNorm(norm).setClipRatio(clipRatio).setComputeMs(computeMs).setIdleMs(idleMs).setSeq(seq);
        for (ShardSnapshot s : shards) {
            b.addShards(s.toProto());
        }
        return b.build();
    }

    public static GradientMessage fromProto(GradientPush p) {
        List<ShardSnapshot> shards = checked(p, null);
        return of(p, Tensors.decode(p.getGrad(), "gradient"), shards, null);
    }

    /**
     * A tensor link's protobuf part, checked as {@link #fromProto} checks a push, with {@code rawBytes}
     * of gradient values after it: the push, whose gradient (from {@code pool} when it has the pool's
     * length) the link fills from those bytes. The shard states are decoded into states from
     * {@code states} (null: fresh arrays) where they have its shape
     * ({@link ShardSnapshot#fromProto(recur.wire.proto.ShardState, Pool)}).
     */
    public static Incoming<GradientMessage> fromLink(GradientPush p, long rawBytes, ArrayPool pool,
                                                     Pool<recur.nn.RecurrentState> states) {
        List<ShardSnapshot> shards = checked(p, states);
        @SuppressWarnings("unchecked")
        Pooled<float[]>[] held = new Pooled[1];
        RawTensor raw = Tensors.linkTarget(p.getGrad(), "gradient", rawBytes, n -> ArrayPool.take(pool, n, held));
        return new Incoming<>(raw, of(p, raw.values(), shards, held[0]));
    }

    /** The format and the gradient's rank checked; the shard states decoded (into {@code states}' when given). */
    private static List<ShardSnapshot> checked(GradientPush p, Pool<recur.nn.RecurrentState> states) {
        WireFormat.check(p.getFormat(), "gradient push");
        if (p.getGrad().getShapeCount() != 1) {
            throw new WireFormatException("gradient: expected a flat tensor (rank 1), found shape "
                    + p.getGrad().getShapeList());
        }
        List<ShardSnapshot> shards = new ArrayList<>(p.getShardsCount());
        try {
            for (var s : p.getShardsList()) {
                shards.add(ShardSnapshot.fromProto(s, states));
            }
        } catch (RuntimeException e) {
            for (ShardSnapshot s : shards) {
                s.release(); // the pooled states decoded before the bad one
            }
            throw e;
        }
        return shards;
    }

    private static GradientMessage of(GradientPush p, float[] grad, List<ShardSnapshot> shards, Pooled<float[]> held) {
        return new GradientMessage(p.getWorkerId(), p.getWeightVersion(), grad, p.getTokens(), p.getLossCount(),
                p.getLoss(), p.getNorm(), p.getClipRatio(), p.getComputeMs(), p.getIdleMs(), shards, held, p.getSeq());
    }
}
