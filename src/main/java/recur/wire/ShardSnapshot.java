package recur.wire;

import java.util.List;
import recur.model.ModelSpec;
import recur.nn.RecurrentState;
import recur.wire.proto.ShardState;

/**
 * Where a shard's B streams stand: data position, epoch and the hidden state carried into the next
 * window (h and, for LSTM, c per layer, each (B, H)). Arrays are owned by the snapshot; take copies
 * with {@link #of} and apply them with {@link #restore}.
 *
 * <p>A worker's per-round snapshots live in {@code buffer}, a pooled state (null: plain arrays): its
 * holders (the push that carries it, the server's shard table) {@link #retain} and {@link #release}
 * it, and the arrays are reused once all have let go.
 */
public record ShardSnapshot(int shard, int position, long epoch, float[][] h, float[][] c, boolean[] atStart,
                            Pooled<RecurrentState> buffer) {

    /** A snapshot in arrays of its own (not pooled). */
    public ShardSnapshot(int shard, int position, long epoch, float[][] h, float[][] c, boolean[] atStart) {
        this(shard, position, epoch, h, c, atStart, null);
    }

    /** A copy of a live state in a buffer from {@code pool} (whose states have the same shape). */
    public static ShardSnapshot of(int shard, int position, long epoch, RecurrentState s, Pool<RecurrentState> pool) {
        Pooled<RecurrentState> b = pool.acquire();
        RecurrentState copy = b.value();
        copy.copyFrom(s);
        return new ShardSnapshot(shard, position, epoch, copy.h, copy.c, copy.atStart, b);
    }

    /** A copy in arrays of its own, for a holder outside the reference counting (a shard grant). */
    public ShardSnapshot copy() {
        float[][] hc = new float[h.length][];
        float[][] cc = new float[c.length][];
        for (int l = 0; l < h.length; l++) {
            hc[l] = h[l].clone();
            cc[l] = c[l].clone();
        }
        return new ShardSnapshot(shard, position, epoch, hc, cc, atStart.clone());
    }

    public void retain() {
        Pooled.retain(buffer);
    }

    public void release() {
        Pooled.release(buffer);
    }

    /** A copy of a live state. */
    public static ShardSnapshot of(int shard, int position, long epoch, RecurrentState s) {
        float[][] h = new float[s.h.length][];
        float[][] c = new float[s.c.length][];
        for (int l = 0; l < h.length; l++) {
            h[l] = s.h[l].clone();
            c[l] = s.c[l].clone();
        }
        return new ShardSnapshot(shard, position, epoch, h, c, s.atStart.clone());
    }

    /** A shard at the very start of the data (all streams start from the initial state). */
    public static ShardSnapshot fresh(int shard, ModelSpec spec, int streams) {
        return of(shard, 0, 0, new RecurrentState(spec, streams));
    }

    /** Copies this snapshot into {@code s}, after checking that the shapes match. */
    public void restore(RecurrentState s) {
        if (h.length != s.h.length || c.length != s.c.length || atStart.length != s.batch) {
            throw new WireFormatException("shard " + shard + ": expected " + s.h.length + " layers of " + s.batch
                    + " streams, found " + h.length + " layers of " + atStart.length);
        }
        for (int l = 0; l < h.length; l++) {
            check("h", l, h[l].length, s.h[l].length);
            check("c", l, c[l].length, s.c[l].length);
            System.arraycopy(h[l], 0, s.h[l], 0, h[l].length);
            System.arraycopy(c[l], 0, s.c[l], 0, c[l].length);
        }
        System.arraycopy(atStart, 0, s.atStart, 0, atStart.length);
    }

    private void check(String name, int layer, int found, int expected) {
        if (found != expected) {
            throw new WireFormatException("shard " + shard + " " + name + "[" + layer + "]: expected " + expected
                    + " floats, found " + found);
        }
    }

    public ShardState toProto() {
        ShardState.Builder b = ShardState.newBuilder().setShard(shard).setPosition(position).setEpoch(epoch);
        int streams = atStart.length;
        for (float[] x : h) {
            b.addH(Tensors.encode(x, streams, x.length / Math.max(1, streams)));
        }
        for (float[] x : c) {
            b.addC(Tensors.encode(x, streams, x.length / Math.max(1, streams)));
        }
        for (boolean a : atStart) {
            b.addAtStart(a);
        }
        return b.build();
    }

    public static ShardSnapshot fromProto(ShardState p) {
        return fromProto(p, null);
    }

    /**
     * As {@link #fromProto(ShardState)}, into a state from {@code pool} (null: fresh arrays) when the
     * message's layers and streams are the pool's shape: a cluster server decodes every push's states,
     * 64 KB a push at {@code charlm}, and keeps them in its shard table (which retains and releases).
     * A state of another shape is decoded into arrays of its own, checked as always.
     */
    public static ShardSnapshot fromProto(ShardState p, Pool<RecurrentState> pool) {
        Pooled<RecurrentState> b = pool == null ? null : pool.acquire();
        if (b != null && !fits(p, b.value())) {
            b.release(); // back to the pool unused
            b = null;
        }
        RecurrentState into = b == null ? null : b.value();
        try {
            return decode(p, into, b);
        } catch (RuntimeException e) {
            if (b != null) {
                b.release();
            }
            throw e;
        }
    }

    /** Whether {@code p}'s tensors have exactly the element counts of {@code s}'s arrays. */
    private static boolean fits(ShardState p, RecurrentState s) {
        if (p.getHCount() != s.h.length || p.getCCount() != s.c.length || p.getAtStartCount() != s.batch) {
            return false;
        }
        for (int l = 0; l < s.h.length; l++) {
            if (p.getH(l).getData().size() != (long) s.h[l].length * Float.BYTES
                    || p.getC(l).getData().size() != (long) s.c[l].length * Float.BYTES) {
                return false;
            }
        }
        return true;
    }

    private static ShardSnapshot decode(ShardState p, RecurrentState into, Pooled<RecurrentState> buffer) {
        String what = "shard " + p.getShard();
        if (p.getShard() < 0 || p.getPosition() < 0 || p.getEpoch() < 0) {
            throw new WireFormatException(what + ": expected non-negative shard, position and epoch, found "
                    + p.getShard() + ", " + p.getPosition() + ", " + p.getEpoch());
        }
        if (p.getCCount() != 0 && p.getCCount() != p.getHCount()) {
            throw new WireFormatException(what + ": expected 0 or " + p.getHCount() + " cell tensors, found "
                    + p.getCCount());
        }
        int streams = p.getAtStartCount();
        float[][] h = layers(p.getHList(), what + " h", streams, into == null ? null : into.h);
        float[][] c = p.getCCount() == 0 ? emptyLayers(h.length)
                : layers(p.getCList(), what + " c", streams, into == null ? null : into.c);
        boolean[] atStart = into == null ? new boolean[streams] : into.atStart;
        for (int b = 0; b < streams; b++) {
            atStart[b] = p.getAtStart(b);
        }
        return new ShardSnapshot(p.getShard(), p.getPosition(), p.getEpoch(), h, c, atStart, buffer);
    }

    /** The layers' tensors decoded, into {@code into}'s arrays when given (their sizes checked by {@link #fits}). */
    private static float[][] layers(List<recur.wire.proto.Tensor> ts, String what, int streams, float[][] into) {
        float[][] out = into != null ? into : new float[ts.size()][];
        for (int l = 0; l < ts.size(); l++) {
            recur.wire.proto.Tensor t = ts.get(l);
            if (t.getShapeCount() != 2 || t.getShape(0) != streams) {
                throw new WireFormatException(what + "[" + l + "]: expected shape [" + streams + ", H], found "
                        + t.getShapeList());
            }
            float[] target = into == null ? null : into[l];
            out[l] = Tensors.decode(t, what + "[" + l + "]", n -> target != null && target.length == n ? target
                    : new float[n]);
        }
        return out;
    }

    private static float[][] emptyLayers(int n) {
        float[][] out = new float[n][];
        for (int l = 0; l < n; l++) {
            out[l] = new float[0];
        }
        return out;
    }
}
